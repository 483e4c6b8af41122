#!/usr/bin/env python3
"""Checks warren's Dockerfile without a container engine.

Usage: check_dockerfile.py DOCKERFILE WARREN_BINARY

1. Parses the Dockerfile the way Docker does (parser directives, escape-character line continuations,
   comment lines, also inside continuations): every instruction must be a Dockerfile instruction,
   every argument that starts with "[" must be a JSON array of strings (Docker silently runs invalid
   JSON as a shell command), every FROM names its stage with AS.
2. The final stage: FROM debian:bookworm-slim, a non-root USER, EXPOSE 9419, a HEALTHCHECK,
   ENTRYPOINT ["warren"] in exec form, and a COPY --from=<earlier stage> putting warren on the PATH.
3. The packages the final stage installs with apt-get (with --no-install-recommends) must be exactly
   the Debian packages that own the shared libraries `ldd WARREN_BINARY` reports (found with
   `dpkg -S`), minus those bookworm-slim already has, plus optionally ALLOWED_EXTRAS.
   A missing package, a surplus one, or a library no package owns fails the check.

Exit 0 when all holds, 1 with one line per problem otherwise, 2 on bad usage.
Standard library only; needs ldd and dpkg (Debian).
"""
import json
import os
import re
import shlex
import subprocess
import sys

INSTRUCTIONS = {"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
                "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"}
JSON_FORM = {"ADD", "CMD", "COPY", "ENTRYPOINT", "RUN", "SHELL", "VOLUME"}
RUNTIME_IMAGE = "debian:bookworm-slim"
PORT = "9419"
ALLOWED_EXTRAS = {"ca-certificates": "TLS to an https:// broker URL"}
PATH_DIRS = ("/usr/local/bin", "/usr/bin")

# Every package of debian:bookworm-slim. debuerreotype builds it as debootstrap's minbase: the
# packages with Priority: required in the bookworm archive, plus apt, plus their Depends/Pre-Depends.
# Derived from bookworm's Packages index (apt-cache dumpavail). Not from `dpkg-query ${Priority}`:
# libraries such as libc6 and zlib1g are "optional" and are in the image only as dependencies.
BOOKWORM_SLIM = set("""
adduser apt base-files base-passwd bash bsdutils coreutils dash debconf debian-archive-keyring debianutils
diffutils dpkg e2fsprogs findutils gcc-12-base gpgv grep gzip hostname init-system-helpers libacl1
libapt-pkg6.0 libattr1 libaudit-common libaudit1 libblkid1 libbz2-1.0 libc-bin libc6 libcap-ng0 libcap2
libcom-err2 libcrypt1 libdb5.3 libdebconfclient0 libext2fs2 libffi8 libgcc-s1 libgcrypt20 libgmp10
libgnutls30 libgpg-error0 libhogweed6 libidn2-0 liblz4-1 liblzma5 libmd0 libmount1 libnettle8 libp11-kit0
libpam-modules libpam-modules-bin libpam-runtime libpam0g libpcre2-8-0 libseccomp2 libselinux1
libsemanage-common libsemanage2 libsepol2 libsmartcols1 libss2 libstdc++6 libsystemd0 libtasn1-6 libtinfo6
libudev1 libunistring2 libuuid1 libxxhash0 libzstd1 login logsave mawk mount ncurses-base ncurses-bin
passwd perl-base sed sysvinit-utils tar tzdata usr-is-merged util-linux util-linux-extra zlib1g
""".split())

problems = []


def problem(line, message):
    problems.append(f"line {line}: {message}" if line else message)


# --- Dockerfile parsing ---------------------------------------------------------------------------

def parse(text):
    """Returns [(line number, INSTRUCTION, arguments)], continuations joined, comments dropped."""
    lines = text.splitlines()
    escape = "\\"
    i = 0
    # Parser directives: only at the very top, before any comment, blank line or instruction.
    while i < len(lines):
        m = re.match(r"^#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$", lines[i])
        if not m:
            break
        if m.group(1).lower() == "escape":
            if m.group(2) not in ("\\", "`"):
                problem(i + 1, f"escape directive must be \\ or `, not {m.group(2)}")
            escape = m.group(2)
        i += 1
    out = []
    start, parts = None, []
    for n in range(i, len(lines)):
        line = lines[n]
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and start is not None):
            continue  # comment lines (also inside a continuation) and blank continuation lines
        if not stripped:
            continue
        if start is None:
            start = n + 1
        body = line.rstrip()
        if body.endswith(escape):
            parts.append(body[:-1])
            continue
        parts.append(body)
        out.append((start, "".join(parts)))
        start, parts = None, []
    if start is not None:
        problem(start, "the last instruction ends with a line continuation")
    result = []
    for number, full in out:
        m = re.match(r"^\s*(\S+)\s*(.*)$", full, re.S)
        word, args = m.group(1), m.group(2).strip()
        if word.upper() not in INSTRUCTIONS:
            problem(number, f"unknown instruction {word!r}")
            continue
        result.append((number, word.upper(), args))
    return result


def strip_flags(args):
    """Splits leading --flag=value options off an instruction's arguments."""
    flags = {}
    while True:
        m = re.match(r"^--([a-z-]+)(?:=(\S*))?\s*(.*)$", args, re.S)
        if not m:
            return flags, args
        flags[m.group(1)] = m.group(2) if m.group(2) is not None else ""
        args = m.group(3)


def json_array(number, instruction, args):
    """The exec form's argv, or None for the shell form; an invalid JSON array is a problem."""
    if not args.startswith("["):
        return None
    try:
        value = json.loads(args)
    except json.JSONDecodeError as e:
        problem(number, f"{instruction}: not valid JSON ({e.msg}); Docker would run it as a shell command")
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        problem(number, f"{instruction}: the exec form must be a non-empty JSON array of strings")
        return None
    return value


def stages_of(instructions):
    stages, names = [], set()
    for number, instruction, args in instructions:
        if instruction == "FROM":
            _, rest = strip_flags(args)
            m = re.match(r"^(\S+)(?:\s+[Aa][Ss]\s+(\S+))?\s*$", rest)
            if not m:
                problem(number, f"FROM: cannot parse {args!r}")
                continue
            if not m.group(2):
                problem(number, f"FROM {m.group(1)}: stage has no name (FROM image AS name)")
            elif m.group(2).lower() in names:
                problem(number, f"FROM: stage name {m.group(2)} used twice")
            name = (m.group(2) or str(len(stages))).lower()
            names.add(name)
            stages.append({"line": number, "image": m.group(1), "name": name, "body": []})
        elif not stages:
            if instruction != "ARG":
                problem(number, f"{instruction} before the first FROM (only ARG may come first)")
        else:
            stages[-1]["body"].append((number, instruction, args))
    return stages


# --- the final stage ----------------------------------------------------------------------------

def check_final_stage(stages):
    final = stages[-1]
    image = final["image"].split("@", 1)[0]
    if image != RUNTIME_IMAGE:
        problem(final["line"], f"the final stage must be FROM {RUNTIME_IMAGE}, not {final['image']}")
    earlier = {s["name"] for s in stages[:-1]} | {str(i) for i in range(len(stages) - 1)}
    seen = {}
    copied = False
    for number, instruction, args in final["body"]:
        seen.setdefault(instruction, []).append((number, args))
        if instruction == "COPY":
            flags, rest = strip_flags(args)
            if "from" in flags:
                if flags["from"].lower() not in earlier:
                    problem(number, f"COPY --from={flags['from']}: no earlier stage of that name")
                argv = json_array(number, "COPY", rest) or rest.split()
                dest = argv[-1] if argv else ""
                if dest in [f"{d}/warren" for d in PATH_DIRS] + [f"{d}/" for d in PATH_DIRS]:
                    copied = True
    if not copied:
        problem(final["line"], f"the final stage has no COPY --from=<stage> of warren into {' or '.join(PATH_DIRS)}")

    users = seen.get("USER", [])
    if not users:
        problem(final["line"], "the final stage has no USER: it would run as root")
    else:
        number, user = users[-1]
        name = user.split(":", 1)[0].strip()
        if "$" in user:
            problem(number, f"USER {user}: use a literal user, the check cannot expand variables")
        elif name in ("", "root", "0"):
            problem(number, f"USER {user}: must not be root")

    ports = [p.split("/", 1)[0] for _, args in seen.get("EXPOSE", []) for p in args.split()]
    if PORT not in ports:
        problem(final["line"], f"the final stage does not EXPOSE {PORT}")

    healthchecks = seen.get("HEALTHCHECK", [])
    if not healthchecks:
        problem(final["line"], "the final stage has no HEALTHCHECK")
    for number, args in healthchecks:
        _, rest = strip_flags(args)
        if rest.upper() == "NONE":
            problem(number, "HEALTHCHECK NONE switches the health check off")
            continue
        m = re.match(r"^CMD\s+(.*)$", rest, re.S | re.I)
        if not m:
            problem(number, "HEALTHCHECK: expected [OPTIONS] CMD command")
        else:
            json_array(number, "HEALTHCHECK CMD", m.group(1).strip())

    entrypoints = seen.get("ENTRYPOINT", [])
    if not entrypoints:
        problem(final["line"], "the final stage has no ENTRYPOINT")
    else:
        number, args = entrypoints[-1]
        argv = json_array(number, "ENTRYPOINT", args)
        if argv is None:
            problem(number, 'ENTRYPOINT must be the exec form ["warren"] (the shell form drops signals and CMD)')
        elif argv[0] not in ["warren"] + [f"{d}/warren" for d in PATH_DIRS]:
            problem(number, f"ENTRYPOINT runs {argv[0]}, not warren")
    return final


# --- apt-get install in the final stage ---------------------------------------------------------

APT_OPTIONS_WITH_VALUE = {"-o", "--option", "-c", "--config-file", "-t", "--target-release", "--default-release"}


def commands_of(script):
    """Splits a shell command line into simple commands (lists of words) at && || ; | &."""
    lexer = shlex.shlex(script, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands, current = [], []
    redirect = False
    for token in lexer:
        if redirect:
            redirect = False  # the redirection's target
        elif token and set(token) <= set("&|;()<>"):
            if "<" in token or ">" in token:
                redirect = True
                if current and current[-1].isdigit():
                    current.pop()  # the 2 of 2>
                continue
            if current:
                commands.append(current)
            current = []
        else:
            current.append(token)
    if current:
        commands.append(current)
    return commands


def apt_packages(final):
    """{package: line} installed by apt-get/apt install in the final stage."""
    packages = {}
    for number, instruction, args in final["body"]:
        if instruction != "RUN":
            continue
        _, rest = strip_flags(args)
        if re.search(r"<<-?\s*['\"]?[A-Za-z_]", rest):
            problem(number, "RUN with a heredoc: this check cannot read it; use && and line continuations")
            continue
        argv = json_array(number, "RUN", rest)
        try:
            commands = [argv] if argv is not None else commands_of(rest)
        except ValueError as e:
            problem(number, f"RUN: cannot split the shell command ({e})")
            continue
        for words in commands:
            while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
                words = words[1:]  # VAR=value prefixes
            if not words or os.path.basename(words[0]) not in ("apt-get", "apt"):
                continue
            operands, options = [], []
            skip = False
            for word in words[1:]:
                if skip:
                    skip = False
                elif word.startswith("-"):
                    options.append(word)
                    skip = word in APT_OPTIONS_WITH_VALUE
                else:
                    operands.append(word)
            if not operands or operands[0] != "install":
                continue
            if "--no-install-recommends" not in options:
                problem(number, "apt-get install without --no-install-recommends pulls in unlisted packages")
            for word in operands[1:]:
                if re.search(r"[$*?\[\]{}`]", word):
                    problem(number, f"apt-get install {word}: use literal package names")
                    continue
                name = re.split(r"[=/]", word, 1)[0].split(":", 1)[0]
                packages[name] = number
    return packages


# --- the libraries the binary needs -------------------------------------------------------------

def libraries(binary):
    """[(soname, path)] from ldd; the vDSO, which has no file, is skipped."""
    result = subprocess.run(["ldd", binary], capture_output=True, text=True)
    if result.returncode != 0 or "not a dynamic executable" in result.stdout + result.stderr:
        sys.exit(f"check_dockerfile: ldd {binary} failed: {(result.stderr or result.stdout).strip()}")
    libs = []
    for line in result.stdout.splitlines():
        line = line.strip()
        m = re.match(r"^(\S+)\s+=>\s+(.*?)\s*(\(0x[0-9a-f]+\))?$", line)
        if m:
            if m.group(2) in ("not found", ""):
                problem(None, f"ldd: {m.group(1)} not found on this machine")
            else:
                libs.append((m.group(1), m.group(2)))
        elif line.startswith("/"):
            path = line.split()[0]
            libs.append((os.path.basename(path), path))
    return libs


def alternatives(path):
    """Where dpkg may have recorded a library: bookworm's merged /usr makes /lib/x and /usr/lib/x the
    same file, but dpkg's database knows only the one the package shipped."""
    out = []
    for p in (path, os.path.realpath(path)):
        out.append(p)
        for a, b in (("/usr/lib", "/lib"), ("/lib", "/usr/lib")):
            if p.startswith(a + "/"):
                out.append(b + p[len(a):])
    return list(dict.fromkeys(out))


def owners(paths):
    """{path: {package}} for the paths dpkg -S knows; unknown paths are absent."""
    result = subprocess.run(["dpkg", "-S", *paths], capture_output=True, text=True)
    found = {}
    for line in result.stdout.splitlines():
        if line.startswith("diversion "):
            continue
        who, sep, path = line.rpartition(": ")
        if sep and path in paths:
            found.setdefault(path, set()).update(p.strip().split(":", 1)[0] for p in who.split(","))
    return found


def providers(libs):
    """{package: [soname]} owning the libraries."""
    candidates = {path: alternatives(path) for _, path in libs}
    all_paths = sorted({c for cs in candidates.values() for c in cs})
    known = owners(all_paths)
    result = {}
    for soname, path in libs:
        packages = next((known[c] for c in candidates[path] if c in known), None)
        if not packages:
            problem(None, f"{soname} ({path}) belongs to no Debian package: the image could not provide it")
            continue
        for package in packages:
            result.setdefault(package, []).append(soname)
    return result


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    dockerfile, binary = argv[1], argv[2]
    with open(dockerfile, encoding="utf-8") as f:
        instructions = parse(f.read())
    for number, instruction, args in instructions:
        if instruction in JSON_FORM:
            _, rest = strip_flags(args) if instruction in ("RUN", "COPY", "ADD") else ({}, args)
            argv_form = json_array(number, instruction, rest)
            if instruction == "SHELL" and argv_form is None:
                problem(number, "SHELL must be a JSON array")
    stages = stages_of(instructions)
    if not stages:
        problem(None, f"{dockerfile}: no FROM")
        return report()
    final = check_final_stage(stages)
    installed = apt_packages(final)

    needed = providers(libraries(binary))
    in_base = {p for p in needed if p in BOOKWORM_SLIM}
    required = {p: libs for p, libs in needed.items() if p not in in_base}
    for package in sorted(set(required) - set(installed)):
        sonames = sorted(required[package])
        shown = ", ".join(sonames[:3]) + (f" and {len(sonames) - 3} more" if len(sonames) > 3 else "")
        problem(None, f"missing: the runtime stage must install {package} (provides {shown})")
    for package in sorted(set(installed) - set(required) - set(ALLOWED_EXTRAS)):
        why = ("already in " + RUNTIME_IMAGE) if package in BOOKWORM_SLIM else f"no library of {binary} needs it"
        problem(installed[package], f"surplus: the runtime stage installs {package}, {why}")
    if not problems:
        extras = sorted(set(installed) & set(ALLOWED_EXTRAS))
        print(f"ok: runtime installs {' '.join(sorted(required))}"
              + (f" + allowed {' '.join(extras)}" if extras else "")
              + f"; {RUNTIME_IMAGE} has {' '.join(sorted(in_base))}")
    return report()


def report():
    for p in dict.fromkeys(problems):  # a JSON form is checked by more than one rule
        print(f"check_dockerfile: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
