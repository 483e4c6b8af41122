#!/usr/bin/env python3
"""The suite-wide secrets check: no test password, and no URL with a password in it, in anything
warren produced during the test suite.

Usage:
  secrets_check.py BUILD_DIR   check BUILD_DIR/test-artifacts (what the tests kept with
                               testing::Keep or copied there: warren's log lines, expositions,
                               error bodies) and ctest's full output (Testing/Temporary/LastTest*.log)
  secrets_check.py --self-test plant a password and a URL with userinfo, and check they are found

Fails (exit 1) on a finding, and also when too little was collected for the check to mean
anything (each of log, metrics and error present, at least 1,000 lines in all).
"""
import glob
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
# scheme://user:password@ : warren redacts userinfo wherever it shows a URL.
USERINFO = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@\"'<>]+:[^/\s@\"'<>*]+@")
KINDS = ("log", "metrics", "error")


def passwords():
    with open(os.path.join(HERE, "secrets.txt"), encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def check(build_dir, secrets, min_lines=1000):
    problems = []
    artifacts = sorted(glob.glob(os.path.join(build_dir, "test-artifacts", "*.txt")))
    ctest_logs = sorted(glob.glob(os.path.join(build_dir, "Testing", "Temporary", "LastTest*.log")))
    kinds = {os.path.basename(p).split("-", 1)[0] for p in artifacts}
    for kind in KINDS:
        if kind not in kinds:
            problems.append(f"nothing of kind '{kind}' in {build_dir}/test-artifacts: the check would be empty")
    lines = 0
    for path in artifacts + ctest_logs:
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                lines += 1
                for secret in secrets:
                    if secret in line:
                        problems.append(f"{path}:{number}: test password {secret!r} in: {line.strip()[:200]}")
                # ctest's log also holds what the tests themselves print (broker URIs they set up)
                if path in artifacts and USERINFO.search(line):
                    problems.append(f"{path}:{number}: URL with a password in: {line.strip()[:200]}")
    if lines < min_lines:
        problems.append(f"only {lines} lines collected in {build_dir}: the check would mean little")
    return problems, lines, len(artifacts)


def self_test():
    with tempfile.TemporaryDirectory() as build:
        os.makedirs(os.path.join(build, "test-artifacts"))
        for kind in KINDS:
            with open(os.path.join(build, "test-artifacts", f"{kind}-1.txt"), "w") as f:
                f.write("clean line\n")
        problems, _, _ = check(build, ["planted-Pw"], min_lines=1)
        assert not problems, problems
        with open(os.path.join(build, "test-artifacts", "log-2.txt"), "w") as f:
            f.write('msg="endpoint failed" err="wrong planted-Pw"\nurl=http://monitor:x@rabbit:15672/\n')
        problems, _, _ = check(build, ["planted-Pw"], min_lines=1)
        assert any("planted-Pw" in p for p in problems), problems
        assert any("URL with a password" in p for p in problems), problems
        problems, _, _ = check(build, ["planted-Pw"], min_lines=100)
        assert any("only" in p for p in problems), problems
        os.remove(os.path.join(build, "test-artifacts", "error-1.txt"))
        problems, _, _ = check(build, [], min_lines=1)
        assert any("'error'" in p for p in problems), problems
    print("secrets_check self-test: passed")


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return 0
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    problems, lines, files = check(sys.argv[1], passwords())
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"secrets_check: {lines} lines in {files} artifact files and ctest's log, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
