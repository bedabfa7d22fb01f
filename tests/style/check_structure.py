#!/usr/bin/env python3
"""The code's shape, checked: no function of servers/ and common/ over 50 lines, no production file
over 350, and within servers/chat no include that runs back up its rooms (docs/development.md).

  check_structure.py ROOT         exits 1 and names every breach
  check_structure.py --selftest   shows that a breach of each kind is caught
"""
import pathlib
import re
import sys

MAX_FUNCTION_LINES = 50
MAX_FILE_LINES = 350
# servers/chat's rooms, each with the rooms it may include; "" is servers/chat itself (main.cpp and
# the program's flags), which may include any. A room never includes one above it.
CHAT_ROOMS = {
    "client": {"client"},
    "room": {"room", "client"},
    "bus": {"bus", "room"},
    "session": {"session", "room", "client"},
    "": {"", "client", "room", "bus", "session"},
}


def strip(text):
    """The code without comments, strings and character literals (newlines kept)."""
    pattern = re.compile(r'//[^\n]*|/\*.*?\*/|R"([^(]*)\(.*?\)\1"|"(\\.|[^"\\\n])*"|\'(\\.|[^\'\\\n])*\'',
                         re.S)
    return pattern.sub(lambda m: re.sub(r'[^\n]', ' ', m.group(0)), text)


def functions(code):
    """(first line, last line, head) of each function body at namespace or class scope."""
    found = []
    scopes = []  # 'ns', 'class' or 'fn' for each open brace
    head_start = 0
    for at, char in enumerate(code):
        if char in ';}':
            if char == '}' and scopes:
                kind, start, head = scopes.pop()
                if kind == 'init':
                    continue  # a member's braces in a constructor's list: the head goes on
                if kind == 'fn' and all(k != 'fn' for k, _, _ in scopes):
                    found.append((start, code.count('\n', 0, at) + 1, head))
            head_start = at + 1
        elif char == '{':
            head = code[head_start:at].strip()
            inside_function = any(k == 'fn' for k, _, _ in scopes)
            if inside_function:
                kind = 'block'
            elif re.search(r'\)\s*:[^:]', head) and re.search(r'[\w>]$', head):
                kind = 'init'
            elif re.match(r'(export\s+)?(inline\s+)?namespace\b', head) or head.startswith('extern "'):
                kind = 'ns'
            elif re.search(r'\b(class|struct|union|enum)\b[^()]*$', head) or head.endswith('='):
                kind = 'class'
            elif ')' in head:
                kind = 'fn'
            else:
                kind = 'class'
            first = code.count('\n', 0, head_start + len(code[head_start:at]) - len(code[head_start:at].lstrip())) + 1
            scopes.append((kind, first, ' '.join(head.split())[:90]))
            if kind != 'init':
                head_start = at + 1
    return found


def main(root):
    root = pathlib.Path(root)
    breaches = []
    for path in sorted(list(root.glob('servers/**/*.[ch]pp')) + list(root.glob('common/**/*.[ch]pp'))):
        name = path.relative_to(root)
        if path.name == 'cxxopts.hpp':
            continue  # a shim of Debian's header's, not ours to shape
        text = path.read_text()
        lines = text.count('\n')
        if lines > MAX_FILE_LINES:
            breaches.append(f'{name}: {lines} lines; at most {MAX_FILE_LINES}')
        for first, last, head in functions(strip(text)):
            if last - first + 1 > MAX_FUNCTION_LINES:
                breaches.append(f'{name}:{first}: a function of {last - first + 1} lines; at most '
                                f'{MAX_FUNCTION_LINES}: {head}')
    chat = root / 'servers' / 'chat'
    for path in sorted(chat.glob('**/*.[ch]pp')):
        room = path.parent.relative_to(chat).as_posix()
        room = '' if room == '.' else room
        for number, line in enumerate(path.read_text().splitlines(), 1):
            included = re.match(r'#include "servers/chat/(.*)"', line)
            if not included:
                continue
            parts = included.group(1).split('/')
            target = parts[0] if len(parts) > 1 else ''
            if target not in CHAT_ROOMS.get(room, set()):
                breaches.append(f'{path.relative_to(root)}:{number}: {room or "servers/chat"} includes '
                                f'{included.group(1)}, a room it must not reach')
    for breach in breaches:
        print(breach)
    return 1 if breaches else 0


def selftest():
    """A tree with one breach of each kind, and one that keeps every rule: only the first fails."""
    import contextlib
    import io
    import tempfile
    body = '\n'.join(['  x();'] * 49)
    good = {
        'servers/chat/room/a.cpp': '#include "servers/chat/client/b.hpp"\nnamespace n {\n'
                                   'X::X(int a) : b_{a} {\n' + '\n'.join(['  x();'] * 48) +
                                   '\n}\n}\n',
        'common/net/c.cpp': 'void f() {\n' + '\n'.join(['  x();'] * 48) + '\n}\n',
    }
    bad = {
        'servers/chat/client/b.hpp': '#include "servers/chat/room/a.hpp"\n',
        'servers/chat/bus/d.cpp': '#include "servers/chat/session/e.hpp"\n',
        'common/net/c.cpp': 'void f() {\n' + body + '\n  y();\n}\n',
        'servers/x/long.hpp': '\n' * (MAX_FILE_LINES + 1),
    }
    for files, breaches in ((good, 0), (bad, 4)):
        with tempfile.TemporaryDirectory() as root:
            for name, text in files.items():
                path = pathlib.Path(root, name)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                main(root)
            found = out.getvalue().splitlines()
            if len(found) != breaches:
                print(f'selftest: want {breaches} breaches, found {len(found)}: {found}')
                return 1
    print('selftest: each kind of breach is caught; a tree within the rules passes')
    return 0


if __name__ == '__main__':
    if sys.argv[1:] == ['--selftest']:
        sys.exit(selftest())
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else '.'))
