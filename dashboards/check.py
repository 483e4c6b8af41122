#!/usr/bin/env python3
"""Checks warren's Grafana dashboards against the metric reference in README.md.

Usage:
  check.py                 check every dashboards/*.json; exit 1 with one line per problem
  check.py --list          also check, then print every panel query: file<TAB>panel title<TAB>expr
  check.py --list --expand the same, with Grafana variables replaced by values Prometheus accepts
                           ($__rate_interval -> 1m, $__range -> 1h, $__interval -> 30s, a query
                           variable -> .*, a custom variable -> its current value)

What it checks, per dashboard: uid, title, tags rabbitmq and warren, schemaVersion >= 36; a `datasource`
variable of type datasource (prometheus) and an `instance` variable from label_values(rabbitmq_up,
instance); every `datasource` in the file is "${datasource}" (no hard-coded uid); unique panel ids;
gridPos on every panel, inside 24 columns and not overlapping; every panel but rows has a unit and
targets, each with a non-empty one-line expr; every variable an expr uses is defined.
Per expr: every metric name is in the README's metric reference (`up` aside), every function is a
PromQL function, every label in a matcher belongs to that metric (or is instance/job), every label in
by/without/on/ignoring/group_left/group_right or in the legend belongs to one of the expr's metrics, and
every selector is narrowed to the dashboard's instance with instance=~"$instance".
Standard library only.
"""
import glob
import json
import os
import re
import signal
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
README = os.path.join(HERE, "..", "README.md")

PROMETHEUS_LABELS = {"instance", "job"}
EXTRA_METRICS = {"up": set()}  # added by Prometheus for every target

AGGREGATIONS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk",
                "topk", "quantile", "limitk", "limit_ratio"}
FUNCTIONS = AGGREGATIONS | {
    "abs", "absent", "absent_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "avg_over_time",
    "ceil", "changes", "clamp", "clamp_max", "clamp_min", "cos", "cosh", "count_over_time", "day_of_month",
    "day_of_week", "day_of_year", "days_in_month", "deg", "delta", "deriv", "exp", "floor", "histogram_avg",
    "histogram_count", "histogram_fraction", "histogram_quantile", "histogram_stddev", "histogram_stdvar",
    "histogram_sum", "holt_winters", "hour", "idelta", "increase", "irate", "label_join", "label_replace", "last_over_time",
    "ln", "log10", "log2", "mad_over_time", "max_over_time", "min_over_time", "minute", "month", "pi",
    "predict_linear", "present_over_time", "quantile_over_time", "rad", "rate", "resets", "round", "scalar", "sgn",
    "sin", "sinh", "sort", "sort_desc", "sort_by_label", "sort_by_label_desc", "sqrt", "stddev_over_time",
    "stdvar_over_time", "sum_over_time", "tan", "tanh", "time", "timestamp", "vector", "year",
}
LABEL_LISTS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
KEYWORDS = {"and", "or", "unless", "bool", "offset", "atan2", "inf", "nan"} | LABEL_LISTS
GRAFANA_BUILTINS = {"__rate_interval", "__interval", "__interval_ms", "__range", "__range_s", "__range_ms",
                    "__dashboard", "__org", "__user", "__from", "__to", "__name", "timeFilter"}
EXPANSIONS = {"__rate_interval": "1m", "__interval": "30s", "__interval_ms": "30000", "__range": "1h",
              "__range_s": "3600", "__range_ms": "3600000"}
VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)(?::\w+)?\]\]")
TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)
  | (?P<var>\$\{\w+(?::\w+)?\}|\$\w+|\[\[\w+(?::\w+)?\]\])
  | (?P<number>0x[0-9a-fA-F]+|\d[\w.]*)
  | (?P<ident>[a-zA-Z_:][a-zA-Z0-9_:]*)
  | (?P<op>=~|!~|!=|==|<=|>=|[-+*/%^<>=,(){}\[\]:@])
""", re.X)


def reference(readme):
    """{metric: labels} from the generated table between the metric-reference markers."""
    text = open(readme, encoding="utf-8").read()
    try:
        begin = text.index("<!-- metric-reference:begin")
        end = text.index("<!-- metric-reference:end -->")
    except ValueError:
        sys.exit(f"{readme}: no <!-- metric-reference:begin ... <!-- metric-reference:end --> markers")
    metrics = {}
    for line in text[begin:end].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        m = re.fullmatch(r"`([a-zA-Z_:][a-zA-Z0-9_:]*)`", cells[0]) if len(cells) >= 3 else None
        if m:
            labels = {l.strip() for l in cells[2].split(",") if l.strip()}
            metrics.setdefault(m.group(1), set()).update(labels)
    if not metrics:
        sys.exit(f"{readme}: the metric reference table is empty")
    return metrics


def tokenize(expr):
    tokens, pos = [], 0
    while pos < len(expr):
        m = TOKEN.match(expr, pos)
        if not m:
            raise ValueError(f"cannot read {expr[pos:pos + 20]!r}")
        pos = m.end()
        if m.lastgroup != "space":
            tokens.append((m.lastgroup, m.group()))
    return tokens


class Expr:
    """What an expr uses: metrics, their matchers, functions, label lists, created labels."""

    def __init__(self, expr):
        self.selectors = []   # (metric or None, [(label, op, value)])
        self.functions = []
        self.label_lists = []  # (keyword, [labels])
        self.created = set()   # labels made by label_replace / label_join
        self.problems = []
        self._parse(tokenize(expr))

    def _parse(self, toks):
        i, depth_brackets = 0, 0
        calls = []  # stack of [function name or None, strings seen at its level]
        while i < len(toks):
            kind, text = toks[i]
            nxt = toks[i + 1] if i + 1 < len(toks) else (None, None)
            if text == "[":
                depth_brackets += 1
            elif text == "]":
                depth_brackets -= 1
            elif depth_brackets:
                pass  # range or subquery: durations and variables only
            elif kind == "ident" and text.lower() in LABEL_LISTS and nxt[1] == "(":
                labels, j = [], i + 2
                while j < len(toks) and toks[j][1] != ")":
                    if toks[j][0] == "ident":
                        labels.append(toks[j][1])
                    elif toks[j][1] != ",":
                        self.problems.append(f"unexpected {toks[j][1]!r} in {text}(...)")
                    j += 1
                self.label_lists.append((text, labels))
                i = j + 1
                continue
            elif kind == "ident" and nxt[1] == "(":
                self.functions.append(text)
                calls.append([text, 0])
                i += 2
                continue
            elif kind == "ident" and text in AGGREGATIONS and nxt[0] == "ident" and nxt[1].lower() in (
                    "by", "without"):
                self.functions.append(text)  # sum by (labels) (...)
            elif kind == "ident" and text.lower() in KEYWORDS:
                pass
            elif kind == "ident" or text == "{":
                metric = None
                if kind == "ident":
                    metric = text
                    i += 1
                matchers = []
                if i < len(toks) and toks[i][1] == "{":
                    j = i + 1
                    while j < len(toks) and toks[j][1] != "}":
                        if toks[j][1] == ",":
                            j += 1
                            continue
                        if (j + 2 < len(toks) and toks[j][0] == "ident" and toks[j + 1][1] in ("=", "!=", "=~", "!~")
                                and toks[j + 2][0] == "string"):
                            matchers.append((toks[j][1], toks[j + 1][1], toks[j + 2][1][1:-1]))
                            j += 3
                        else:
                            self.problems.append(f"cannot read the label matcher at {toks[j][1]!r}")
                            j += 1
                    i = j + 1
                if metric is None:
                    names = [v for l, op, v in matchers if l == "__name__" and op == "="]
                    metric = names[0] if names else None
                    if metric is None:
                        self.problems.append("a selector without a metric name")
                self.selectors.append((metric, matchers))
                continue
            elif text == "(":
                calls.append([None, 0])
            elif text == ")":
                if calls:
                    calls.pop()
            elif kind == "string" and calls and calls[-1][0] in ("label_replace", "label_join"):
                calls[-1][1] += 1
                if calls[-1][1] == 1:  # the destination label
                    self.created.add(text[1:-1])
            i += 1

    def metrics(self):
        return [m for m, _ in self.selectors if m]


def variables_used(text):
    return {a or b or c for a, b, c in VARIABLE.findall(text)}


def walk_panels(panels):
    for p in panels:
        yield p
        yield from walk_panels(p.get("panels") or [])


def all_datasources(node, path="$"):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "datasource":
                yield path + "." + k, v
            yield from all_datasources(v, path + "." + k)
    elif isinstance(node, list):
        for n, v in enumerate(node):
            yield from all_datasources(v, f"{path}[{n}]")


def overlaps(panels):
    boxes = [(p.get("title", ""), p["gridPos"]) for p in panels if isinstance(p.get("gridPos"), dict)]
    out = []
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            (ta, ga), (tb, gb) = boxes[a], boxes[b]
            try:
                if (ga["x"] < gb["x"] + gb["w"] and gb["x"] < ga["x"] + ga["w"] and ga["y"] < gb["y"] + gb["h"]
                        and gb["y"] < ga["y"] + ga["h"]):
                    out.append(f"panels {ta!r} and {tb!r} overlap")
            except (KeyError, TypeError):
                pass
    return out


def check_expr(expr, where, metrics, defined, legend=""):
    errors = []
    if not expr.strip():
        return [f"{where}: empty expr"]
    if "\n" in expr or "\t" in expr:
        errors.append(f"{where}: expr spans lines or holds a tab (one line per expr in --list)")
    for name in sorted(variables_used(expr) - defined - GRAFANA_BUILTINS):
        errors.append(f"{where}: uses ${name}, which is not a variable of the dashboard")
    try:
        e = Expr(expr)
    except ValueError as err:
        return errors + [f"{where}: {err}: {expr}"]
    errors += [f"{where}: {p}: {expr}" for p in e.problems]
    known = dict(metrics, **EXTRA_METRICS)
    for f in e.functions:
        if f not in FUNCTIONS:
            errors.append(f"{where}: {f}() is not a PromQL function (or a metric used as one): {expr}")
    labels_in_scope = set(PROMETHEUS_LABELS) | e.created
    for metric, matchers in e.selectors:
        if metric is None:
            continue
        if metric not in known:
            errors.append(f"{where}: metric {metric} is not in the README's metric reference: {expr}")
            continue
        allowed = known[metric] | PROMETHEUS_LABELS | {"__name__"}
        labels_in_scope |= known[metric]
        for label, op, value in matchers:
            if label not in allowed:
                errors.append(f"{where}: {metric} has no label {label!r} (it has: "
                              f"{', '.join(sorted(known[metric])) or 'none'}): {expr}")
            if label == "instance" and value != "$instance":
                errors.append(f"{where}: instance is matched against {value!r}, not the $instance variable: "
                              f"{expr}")
        if not any(l == "instance" and v == "$instance" and op in ("=", "=~") for l, op, v in matchers):
            errors.append(f'{where}: {metric} is not narrowed with instance=~"$instance": {expr}')
    for keyword, labels in e.label_lists:
        for label in labels:
            if label not in labels_in_scope:
                errors.append(f"{where}: {keyword} ({label}) names a label none of the expr's metrics has: {expr}")
    for label in re.findall(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}", legend or ""):
        if label not in labels_in_scope:
            errors.append(f"{where}: the legend uses {{{{{label}}}}}, a label none of the expr's metrics has")
    return errors


def check_dashboard(path, dash, metrics):
    name = os.path.basename(path)
    errors, queries = [], []
    for key in ("uid", "title"):
        if not isinstance(dash.get(key), str) or not dash[key].strip():
            errors.append(f"{name}: no {key}")
    if not {"rabbitmq", "warren"} <= set(dash.get("tags") or []):
        errors.append(f"{name}: tags must include rabbitmq and warren")
    if not isinstance(dash.get("schemaVersion"), int) or dash["schemaVersion"] < 36:
        errors.append(f"{name}: schemaVersion must be 36 or later")

    variables = (dash.get("templating") or {}).get("list") or []
    by_name = {v.get("name"): v for v in variables}
    ds = by_name.get("datasource")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        errors.append(f"{name}: no `datasource` variable of type datasource with query prometheus")
    inst = by_name.get("instance")
    if not inst or inst.get("type") != "query" or "label_values(rabbitmq_up, instance)" not in json.dumps(
            inst.get("query")):
        errors.append(f"{name}: no `instance` query variable from label_values(rabbitmq_up, instance)")
    defined = set(by_name)
    for v in variables:
        if v.get("type") != "query":
            continue
        q = v.get("query")
        q = q.get("query", "") if isinstance(q, dict) else (q or "")
        m = re.fullmatch(r"\s*label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*", q)
        if not m:
            errors.append(f"{name}: variable {v.get('name')}: expected label_values(<selector>, <label>), got {q!r}")
            continue
        selector, label = m.groups()
        where = f"{name}: variable {v.get('name')}"
        if v.get("name") != "instance":
            errors += check_expr(selector, where, metrics, defined)
        try:
            sel_metrics = Expr(selector).metrics()
        except ValueError:
            sel_metrics = []
        for metric in sel_metrics:
            if metric in metrics and label not in metrics[metric] | PROMETHEUS_LABELS:
                errors.append(f"{where}: {metric} has no label {label!r}")
        if v.get("name") != "instance" and metrics and not sel_metrics:
            errors.append(f"{where}: label_values needs a metric")

    for where, ds_value in all_datasources(dash):
        uid = ds_value.get("uid") if isinstance(ds_value, dict) else ds_value
        if uid != "${datasource}":
            errors.append(f"{name}: {where} is {json.dumps(ds_value)}; use {{\"type\": \"prometheus\", "
                          f"\"uid\": \"${{datasource}}\"}}")

    top = dash.get("panels") or []
    if not top:
        errors.append(f"{name}: no panels")
    ids = {}
    for p in walk_panels(top):
        title = p.get("title") or "(untitled)"
        where = f"{name}: panel {title!r}"
        pid = p.get("id")
        if not isinstance(pid, int):
            errors.append(f"{where}: no integer id")
        elif pid in ids:
            errors.append(f"{where}: id {pid} is also used by {ids[pid]!r}")
        else:
            ids[pid] = title
        g = p.get("gridPos")
        if not isinstance(g, dict) or not all(isinstance(g.get(k), int) for k in ("h", "w", "x", "y")):
            errors.append(f"{where}: gridPos needs integer h, w, x, y")
        elif g["x"] < 0 or g["w"] < 1 or g["h"] < 1 or g["x"] + g["w"] > 24:
            errors.append(f"{where}: gridPos {g} is outside the 24 columns")
        if p.get("type") == "row":
            if not p.get("collapsed") and p.get("panels"):
                errors.append(f"{where}: an expanded row must not hold panels")
            errors += [f"{name}: row {title!r}: {o}" for o in overlaps(p.get("panels") or [])]
            continue
        if not p.get("title"):
            errors.append(f"{where}: no title")
        if "unit" not in ((p.get("fieldConfig") or {}).get("defaults") or {}):
            errors.append(f"{where}: no unit in fieldConfig.defaults")
        targets = p.get("targets") or []
        if not targets:
            errors.append(f"{where}: no targets")
        for tg in targets:
            expr = tg.get("expr")
            if not isinstance(expr, str) or not expr.strip():
                errors.append(f"{where}: target {tg.get('refId')} has no expr")
                continue
            errors += check_expr(expr, where, metrics, defined, tg.get("legendFormat", ""))
            queries.append((name, title, expr))
    errors += [f"{name}: {o}" for o in overlaps(top)]
    return errors, queries


def expand(expr, variables):
    values = dict(EXPANSIONS)
    for v in variables:
        if v.get("type") == "custom":
            cur = (v.get("current") or {}).get("value") or str(v.get("query", "")).split(",")[0]
            values[v["name"]] = cur
        elif v.get("type") == "constant":
            values[v["name"]] = v.get("query", "")
        else:
            values[v.get("name")] = ".*"
    return VARIABLE.sub(lambda m: values.get(m.group(1) or m.group(2) or m.group(3), m.group(0)), expr)


def main(argv):
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # check.py --list | head
    listing = "--list" in argv
    expanding = "--expand" in argv
    unknown = [a for a in argv if a not in ("--list", "--expand")]
    if unknown:
        sys.exit(__doc__)
    metrics = reference(README)
    files = sorted(glob.glob(os.path.join(HERE, "*.json")))
    if not files:
        sys.exit(f"no dashboards in {HERE}")
    errors, queries, uids = [], [], {}
    for path in files:
        try:
            dash = json.load(open(path, encoding="utf-8"))
        except (OSError, ValueError) as err:
            errors.append(f"{os.path.basename(path)}: not JSON: {err}")
            continue
        if dash.get("uid") in uids:
            errors.append(f"{os.path.basename(path)}: uid {dash['uid']} is also used by {uids[dash['uid']]}")
        uids[dash.get("uid")] = os.path.basename(path)
        e, q = check_dashboard(path, dash, metrics)
        errors += e
        variables = (dash.get("templating") or {}).get("list") or []
        queries += [(f, t, expand(x, variables) if expanding else x) for f, t, x in q]
    if errors:
        for e in errors:
            print(e, file=sys.stderr)
        print(f"dashboards/check.py: {len(errors)} problem(s)", file=sys.stderr)
        return 1
    if listing:
        for f, t, x in queries:
            print(f"{f}\t{t}\t{x}")
    else:
        print(f"dashboards/check.py: {len(files)} dashboards, {len(queries)} queries, all metrics in the reference")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
