#!/usr/bin/env python3
"""The code's layers, checked from its includes: each folder includes only the folders below it
(util < metrics < exporter/broker < exporter/config < exporter/scrape < exporter/web < main.cc),
and no file reaches itself through its includes (a header and its .cc count as one node).
Exits 1 naming each offending include or circle. --self-test checks that both rules can fail."""
import os
import re
import sys

LAYERS = ["util", "metrics", "exporter/broker", "exporter/config", "exporter/scrape", "exporter/web"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def folder_of(path):
    for layer in sorted(LAYERS, key=len, reverse=True):
        if path.startswith(layer + "/"):
            return layer
    return None  # exporter/main.cc, tests, bench, fuzz: may use anything


def node_of(path):
    return os.path.splitext(path)[0]  # x.h and x.cc are one unit


def check(files):
    """files: {path: text}. Returns the problems found."""
    problems = []
    graph = {}
    for path, text in sorted(files.items()):
        layer = folder_of(path)
        for inc in INCLUDE.findall(text):
            target = folder_of(inc)
            if target is None:
                continue  # third-party headers ("absl/...", "rapidjson/...")
            if node_of(inc) != node_of(path):
                graph.setdefault(node_of(path), set()).add(node_of(inc))
            if layer is not None and LAYERS.index(target) > LAYERS.index(layer):
                problems.append(f"{path}: includes {inc}: {layer}/ may not use {target}/ (it sits above)")
    # Cycles: depth-first search over the unit graph.
    state, stack = {}, []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                problems.append("include circle: " + " -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return problems


def self_test():
    assert check({"util/a.h": '#include "util/b.h"', "util/b.h": ""}) == []
    up = check({"metrics/a.cc": '#include "exporter/scrape/s.h"', "exporter/scrape/s.h": ""})
    assert len(up) == 1 and "may not use exporter/scrape/" in up[0], up
    circle = check({"exporter/web/a.cc": '#include "exporter/web/b.h"', "exporter/web/b.h": '#include "exporter/web/a.h"',
                    "exporter/web/a.h": ""})
    assert len(circle) == 1 and circle[0].startswith("include circle"), circle
    print("layering_check self-test: ok")


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return 0
    root = sys.argv[1]
    files = {}
    for top in ["util", "metrics", "exporter"]:
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for name in names:
                if name.endswith((".h", ".cc")):
                    full = os.path.join(dirpath, name)
                    with open(full, encoding="utf-8") as f:
                        files[os.path.relpath(full, root)] = f.read()
    problems = check(files)
    for p in problems:
        print(p)
    print(f"layering_check: {len(files)} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
