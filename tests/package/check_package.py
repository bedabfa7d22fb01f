#!/usr/bin/env python3
"""Makes the Debian package of a build tree with CPack, as scripts/package.sh does, and checks
it: exactly the files it should hold, dependencies found by dpkg-shlibdeps, the licence as
Debian's copyright file, each program's --version run from the package unpacked with `dpkg -x`,
and lintian with no errors (its warnings are printed).

    tests/package/check_package.py BUILD_DIR SOURCE_DIR VERSION"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from programs import PAGES, PROGRAMS  # noqa: E402
from check_versions import version_problems  # noqa: E402

# cpack (CMake's), dpkg-shlibdeps (dpkg-dev) for the dependencies, dpkg-deb and lintian.
TOOLS = ["cpack", "dpkg-shlibdeps", "dpkg-deb", "lintian"]
DOCS = ["README.md", "SECURITY.md", "copyright", "changelog.gz"]
# The units beside the servers, installed where Debian's systemd looks for them.
UNIT_SOURCES = ["servers/systemd/*.socket", "servers/systemd/*.service.in"]
UNIT_DIR = "usr/lib/systemd/system"
# The shared libraries the programs link: a few of the packages dpkg-shlibdeps must name.
DEPENDS_ON = ["libc6", "libstdc++6", "libspdlog"]


def expected_files(source_dir):
    """Every file the package must hold and nothing else: path -> link target, None for a file."""
    files = {f"usr/bin/{program}": None for program in PROGRAMS}
    for page, programs in PAGES.items():
        name = os.path.basename(page)
        files[f"usr/share/man/man1/{name}.gz"] = None
        for program in programs:
            if f"{program}.1" != name:
                files[f"usr/share/man/man1/{program}.1.gz"] = f"{name}.gz"
    for doc in DOCS:
        files[f"usr/share/doc/gonet/{doc}"] = None
    for page in glob.glob(os.path.join(source_dir, "docs", "*.md")):
        files[f"usr/share/doc/gonet/docs/{os.path.basename(page)}"] = None
    for pattern in UNIT_SOURCES:
        for unit in glob.glob(os.path.join(source_dir, pattern)):
            files[f"{UNIT_DIR}/{os.path.basename(unit).removesuffix('.in')}"] = None
    files["usr/share/doc/gonet/examples/listen.conf"] = None
    files["usr/share/doc/gonet/examples/haproxy.cfg"] = None
    files["usr/share/doc/gonet/examples/redis-acl.txt"] = None
    return files


def unpacked_files(root):
    """Every file and link below root: path -> link target, None for a file."""
    files = {}
    for folder, folders, names in os.walk(root):
        for name in names + [f for f in folders if os.path.islink(os.path.join(folder, f))]:
            path = os.path.join(folder, name)
            target = os.readlink(path) if os.path.islink(path) else None
            files[os.path.relpath(path, root)] = target
    return files


def run(command):
    return subprocess.run(command, capture_output=True, text=True)


def make_package(build_dir, out_dir):
    cpack = run(["cpack", "--config", os.path.join(build_dir, "CPackConfig.cmake"), "-B", out_dir])
    if cpack.returncode != 0:
        sys.exit(f"cpack failed:\n{cpack.stdout}{cpack.stderr}")
    return glob.glob(os.path.join(out_dir, "*.deb"))


def copyright_problems(copyright_path, license_path):
    """The copyright file must give LICENSE's terms (all after its Copyright line) as Expat."""
    if not os.path.exists(copyright_path):
        return []  # already reported missing
    with open(license_path) as license_file:
        lines = license_file.read().splitlines()
    terms = next(lines[at + 1:] for at, line in enumerate(lines) if line.startswith("Copyright"))
    with open(copyright_path) as copyright_file:
        text = copyright_file.read()
    # Debian's format indents the text and writes a blank line as " ."
    words = " ".join(word for word in text.split() if word != ".")
    if "License: Expat" not in text or " ".join(" ".join(terms).split()) not in words:
        return ["copyright: LICENSE's terms are not in it as License: Expat"]
    return []


def check(deb, source_dir, root, version):
    failures = []
    depends = run(["dpkg-deb", "--field", deb, "Depends"]).stdout
    for package in DEPENDS_ON:
        if package not in depends:
            failures.append(f"Depends names no {package}: {depends.strip()!r}")

    unpack = run(["dpkg", "-x", deb, root])
    if unpack.returncode != 0:
        return failures + [f"dpkg -x failed: {unpack.stderr.strip()}"]
    want, found = expected_files(source_dir), unpacked_files(root)
    for path in sorted(want.keys() - found.keys()):
        failures.append(f"missing: {path}")
    for path in sorted(found.keys() - want.keys()):
        failures.append(f"unexpected: {path}")
    for path in sorted(want.keys() & found.keys()):
        if want[path] != found[path]:
            failures.append(f"{path}: want {'a link to ' + want[path] if want[path] else 'a file'}"
                            f", found {'a link to ' + found[path] if found[path] else 'a file'}")

    for service in glob.glob(os.path.join(root, UNIT_DIR, "*.service")):
        program = os.path.basename(service).removesuffix(".service")
        with open(service) as unit:
            if f"ExecStart=/usr/bin/{program}\n" not in unit.read():
                failures.append(f"{service}: ExecStart is not /usr/bin/{program}")
    failures += copyright_problems(os.path.join(root, "usr/share/doc/gonet/copyright"),
                                   os.path.join(source_dir, "LICENSE"))
    failures += version_problems(os.path.join(root, "usr/bin"), version)
    return failures


def main():
    build_dir, source_dir, version = sys.argv[1:4]
    missing = [tool for tool in TOOLS if not shutil.which(tool)]
    if missing:
        sys.exit(f"missing {', '.join(missing)}: scripts/setup.sh installs them")
    arch = run(["dpkg", "--print-architecture"]).stdout.strip()
    failures = []
    with tempfile.TemporaryDirectory(prefix="gonet-package-") as scratch:
        debs = make_package(build_dir, scratch)
        name = f"gonet_{version}_{arch}.deb"
        if [os.path.basename(deb) for deb in debs] != [name]:
            sys.exit(f"cpack made {debs}, want one {name}")
        deb = debs[0]
        failures += check(deb, source_dir, os.path.join(scratch, "root"), version)

        lintian = run(["lintian", "--fail-on", "error", deb])
        findings = [line for line in lintian.stdout.splitlines() if line[:2] in ("E:", "W:")]
        for line in findings:
            print(f"lintian: {line}")
        if lintian.returncode != 0:
            failures.append(f"lintian failed (exit {lintian.returncode}) {lintian.stderr.strip()}")

    for failure in failures:
        print(failure)
    print(f"{name}: {len(failures)} problems, {len(findings)} lintian findings")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
