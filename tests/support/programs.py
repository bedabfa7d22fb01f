"""The programs gonet installs, by the man page that documents them: the one list the python
tests share (a new program is one line here). A page is named after one of its programs; it is
installed as NAME.1.gz, and the others as links to it."""

PAGES = {
    "servers/clock2/clock2.1": ["clock1", "clock2"],
    "servers/reverb2/reverb2.1": ["reverb1", "reverb2"],
    "clients/netcat3/netcat3.1": ["netcat1", "netcat2", "netcat3"],
    "clients/clockwall/clockwall.1": ["clockwall"],
    "servers/chat/chat.1": ["chat"],
}

PROGRAMS = sorted(program for programs in PAGES.values() for program in programs)
