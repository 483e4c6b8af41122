#!/usr/bin/env python3
"""Fails when an alert rule or a dashboard uses a metric or label that warren does not export.

The truth is the metric reference in README.md, generated from warren's tables
(tests/reference_test.cc keeps it in step).
Usage: promql_names.py README.md RULES.yml...        (alert and recording rules)
       promql_names.py README.md --exprs FILE|-      (lines "source<TAB>title<TAB>expr")
Standard library only: rules are read line by line (`expr:` is one line in our rules).
"""
import re
import sys

FUNCTIONS = {
    "abs", "absent", "absent_over_time", "avg", "avg_over_time", "bottomk", "ceil", "changes", "clamp_max",
    "clamp_min", "count", "count_over_time", "delta", "deriv", "floor", "group", "histogram_quantile", "idelta",
    "increase", "irate", "label_replace", "label_join", "last_over_time", "max", "max_over_time", "min",
    "min_over_time", "predict_linear", "quantile", "rate", "resets", "round", "scalar", "sort", "sort_desc",
    "stddev", "sum", "sum_over_time", "time", "timestamp", "topk", "vector", "and", "or", "unless", "by",
    "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "inf", "nan",
}
PROMETHEUS_LABELS = {"instance", "job"}


def reference(readme):
    text = open(readme, encoding="utf-8").read()
    begin = text.index("<!-- metric-reference:begin")
    end = text.index("<!-- metric-reference:end")
    metrics = {}
    for line in text[begin:end].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        m = re.fullmatch(r"`([a-zA-Z_:][a-zA-Z0-9_:]*)`", cells[0]) if cells else None
        if m:
            metrics[m.group(1)] = {l.strip() for l in cells[2].split(",") if l.strip()} | PROMETHEUS_LABELS
    return metrics


GRAFANA = [(r"\$__rate_interval", "1m"), (r"\$__interval", "15s"), (r"\$__range", "5m"),
           (r"\$\{(\w+)(:\w+)?\}", "1"), (r"\$(\w+)", "1")]


def read_exprs(path):
    """Rules in the shape read_rules() gives, from a TSV of dashboard expressions."""
    lines = sys.stdin if path == "-" else open(path, encoding="utf-8")
    rules = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        source, title, expr = line.rstrip("\n").split("\t", 2)
        for pattern, value in GRAFANA:
            expr = re.sub(pattern, value, expr)
        rules.append([source, "panel", title, expr, set(), number])
    return rules


def read_rules(rule_files):
    rules = []  # [file, kind, name, expr, labels used in annotations, line]
    for path in rule_files:
        current = None
        for number, line in enumerate(open(path, encoding="utf-8"), 1):
            if m := re.match(r"\s*- (alert|record): (\S+)", line):
                current = [path, m.group(1), m.group(2), None, set(), number]
                rules.append(current)
            elif (m := re.match(r"\s*expr: (.*)", line)) and current:
                current[3] = m.group(1)
            elif current:
                current[4] |= set(re.findall(r"\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)", line))
    return rules


def check(readme, rules, rule_files_for_records):
    metrics = reference(readme)
    recorded = {}
    errors = []
    for path, kind, name, expr, used_labels, number in read_rules(rule_files_for_records) + rules:
        if kind == "record":
            recorded[name] = set(PROMETHEUS_LABELS)
    known = dict(metrics, **recorded)
    known["up"] = set(PROMETHEUS_LABELS)  # Prometheus's own, per target
    for path, kind, name, expr, used_labels, number in rules:
        if expr is None:
            errors.append(f"{path}:{number}: {name} has no one-line expr")
            continue
        labels_in_expr = set()
        without_strings = re.sub(r'"[^"]*"', '""', expr)
        grouping = r"\b(by|on|without|ignoring|group_left|group_right)\s*\(([^)]*)\)"
        for m in re.finditer(grouping, without_strings):
            labels_in_expr |= {l.strip() for l in m.group(2).split(",") if l.strip()}
        scrubbed = re.sub(grouping, " ", without_strings)
        available = set()
        for m in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{([^}]*)\})?", scrubbed):
            word, selector = m.group(1), m.group(3)
            if word in FUNCTIONS or re.fullmatch(r"\d+[smhdwy]?", word):
                continue
            if re.search(r"\[\s*$", scrubbed[: m.start()]):
                continue  # a range duration like [10m]
            if word not in known:
                errors.append(f"{path}:{number}: {name} uses {word}, which warren does not export")
                continue
            available |= known[word]
            for label in re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", selector or ""):
                if label not in known[word]:
                    errors.append(f"{path}:{number}: {name} selects {word}{{{label}}}, a label it does not have")
        for label in labels_in_expr | used_labels:
            if available and label not in available:
                errors.append(f"{path}:{number}: {name} uses label {label}, which its metrics do not have")
    for error in errors:
        print(error, file=sys.stderr)
    print(f"checked {len(rules)} rules against {len(metrics)} exported metrics: {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    if sys.argv[2] == "--exprs":
        # Recording rules of alerts/ may be used by dashboards too.
        records = sys.argv[4:]
        sys.exit(check(sys.argv[1], read_exprs(sys.argv[3]), records))
    sys.exit(check(sys.argv[1], read_rules(sys.argv[2:]), []))
