#!/usr/bin/env python3
"""Runs PromQL expressions through a real Prometheus and reports errors and empty results.

Usage: queries.py PROMETHEUS_URL REQUIRE_DATA_FILE < lines of "source<TAB>title<TAB>expr".
Grafana's variables are replaced by what a dashboard would send. Every expression must run
without error. REQUIRE_DATA_FILE lists metric names (one per line) that the scenario produces:
an expression using only such metrics, and no comparison that may rightly filter everything
out, must return data. Exit 1 on any failure.
"""
import json
import re
import sys
import urllib.parse
import urllib.request

url, require_file = sys.argv[1], sys.argv[2]
produced = {l.strip() for l in open(require_file) if l.strip() and not l.startswith("#")}
SUBSTITUTIONS = [
    (r"\$__rate_interval", "1m"), (r"\$__interval", "15s"), (r"\$__range", "5m"),
    (r"\$\{(\w+)(:\w+)?\}", ".+"), (r"\$(\w+)", ".+"),
]
WORDS = re.compile(r"(?<![\w.:$])([a-zA-Z_:][a-zA-Z0-9_:]*)(?=\s*[{\[)\s]|$)")
failures, empty, ran = [], [], 0
for line in sys.stdin:
    if not line.strip():
        continue
    source, title, expr = line.rstrip("\n").split("\t", 2)
    query = expr
    for pattern, value in SUBSTITUTIONS:
        query = re.sub(pattern, value, query)
    data = urllib.parse.urlencode({"query": query}).encode()
    try:
        with urllib.request.urlopen(url + "/api/v1/query", data, timeout=30) as response:
            result = json.load(response)
    except urllib.error.HTTPError as error:
        result = json.load(error)
    ran += 1
    if result.get("status") != "success":
        failures.append(f"{source} / {title}: {result.get('error')} in: {query}")
        continue
    bare = re.sub(r"\{[^}]*\}", "", re.sub(r'"[^"]*"', '""', query))
    names = {w for w in WORDS.findall(bare) if "_" in w}
    filters = re.search(r"==|!=|>=|<=|>|<|\band\b|\bunless\b|\babsent", bare)  # may rightly be empty
    if names and names <= produced and not filters and not result["data"]["result"]:
        empty.append(f"{source} / {title}: no data for: {query}")
for message in failures + empty:
    print(message, file=sys.stderr)
print(f"ran {ran} expressions: {len(failures)} errors, {len(empty)} without the data the scenario produces")
sys.exit(1 if failures or empty else 0)
