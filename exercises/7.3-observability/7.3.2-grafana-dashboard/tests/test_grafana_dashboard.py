"""Static checks of the learner's Grafana dashboard and provisioning files (no Grafana or
Prometheus runs). Queries are compared with all white space removed, by regexes on metric
names, functions, matchers and grouping, so that equivalent PromQL spellings all pass."""

import json
import re

import jsonschema
import pytest
import yaml

DASHBOARD = "grafana/dashboards/fastapi.json"
DATASOURCES = "grafana/provisioning/datasources/prometheus.yml"
PROVIDERS = "grafana/provisioning/dashboards/dashboards.yml"
MOUNTED = "/var/lib/grafana/dashboards"

DASHBOARD_SCHEMA = {
    "type": "object",
    "required": ["title", "uid", "schemaVersion", "panels", "templating"],
    "properties": {
        "title": {"type": "string", "minLength": 1},
        "uid": {"type": "string"},
        "schemaVersion": {"type": "integer"},
        "templating": {
            "type": "object",
            "required": ["list"],
            "properties": {"list": {"type": "array", "items": {"type": "object"}}},
        },
        "panels": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "panels": {"type": "array", "items": {"type": "object"}},
                    "targets": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"expr": {"type": "string"}},
                        },
                    },
                    "fieldConfig": {
                        "type": "object",
                        "properties": {
                            "defaults": {
                                "type": "object",
                                "properties": {"unit": {"type": "string"}},
                            }
                        },
                    },
                },
            },
        },
    },
}

METRIC = (
    r"(http_requests_total|http_requests_in_progress|http_request_duration_seconds"
    r"(?:_bucket|_sum|_count)?)"
)
# The text between a selector's braces: quoted strings (which may hold "${job}") or other text.
MATCHERS = r"""((?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^{}"'])*)"""
SELECTOR = re.compile(METRIC + r"(?:\{" + MATCHERS + r"\})?")
RANGE = (
    r"\[(?:\d+(?:ms|[smhdwy])|\$__rate_interval|\$__interval"
    r"|\$\{__rate_interval\}|\$\{__interval\})\]"
)
JOB = re.compile(r"""(?:^|,)job=~?(["'])(?:\$job|\$\{job(?::\w+)?\})\1(?:,|$)""")
FIVE_XX = re.compile(
    r"""(?:^|,)status=~(["'])\^?5(?:\.\.|\.\*|\.\+|\[0-9\]\[0-9\]|\\\\d\\\\d)\$?\1(?:,|$)"""
)
STATUS = re.compile(r"(?:^|,)status(?:=|!=|=~|!~)")


def rates_of(metric, expr):
    """The matchers (text inside {}) of each rate/irate(metric{...}[range]) in expr."""
    pattern = rf"\bi?rate\({metric}(?:\{{{MATCHERS}\}})?{RANGE}\)"
    return [(m.start(), m.group(1) or "") for m in re.finditer(pattern, expr)]


def normal(expr):
    return re.sub(r"\s+", "", expr)


def is_traffic(expr):
    rates = rates_of("http_requests_total", expr)
    selectors = [m.group(2) or "" for m in SELECTOR.finditer(expr)]
    return bool(rates) and not any(STATUS.search(s) for s in selectors)


def is_error_ratio(expr):
    expr = unwrap(expr)
    slashes = top_level(expr, "/")
    if not slashes:
        return False
    slash = slashes[-1]
    rates = rates_of("http_requests_total", expr)
    errors = [pos for pos, matchers in rates if FIVE_XX.search(matchers)]
    totals = [pos for pos, matchers in rates if not STATUS.search(matchers)]
    return any(p < slash for p in errors) and any(p > slash for p in totals)


def scan(expr):
    """Each (index, character, depth) of expr outside quoted strings; depth counts the
    parentheses, braces and brackets open before that character."""
    depth, quote, escaped = 0, None, False
    for i, c in enumerate(expr):
        if quote:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == quote:
                quote = None
        elif c in "\"'`":
            quote = c
        elif c in ")}]":
            depth -= 1
            yield i, c, depth
        else:
            yield i, c, depth
            if c in "({[":
                depth += 1


def top_level(expr, chars):
    """Positions of the characters in `chars` outside any brackets and quotes."""
    return [i for i, c, depth in scan(expr) if depth == 0 and c in chars]


def closing(expr, start):
    """The index of the bracket closing the one at `start`, or -1."""
    base = next(depth for i, _, depth in scan(expr) if i == start)
    for i, c, depth in scan(expr):
        if i > start and depth == base and c in ")}]":
            return i
    return -1


def unwrap(expr):
    """expr without parentheses around all of it."""
    while expr.startswith("(") and closing(expr, 0) == len(expr) - 1:
        expr = expr[1:-1]
    return expr


def matcher_set(matchers):
    parts = [
        matchers[a:b]
        for a, b in zip(
            [0] + [i + 1 for i in top_level(matchers, ",")],
            top_level(matchers, ",") + [len(matchers)],
        )
    ]
    return {p.replace("'", '"') for p in parts if p}


INNER_RATE = re.compile(rf"^(i?rate)\(http_requests_total(?:\{{{MATCHERS}\}})?({RANGE})\)$")


def aggregation(side):
    """(grouping labels or None, function, matchers, range) of `sum[by(...)](rate(...))`, or a
    sentence saying why `side` is not of that shape."""
    side = unwrap(side)
    grouping = None
    head = re.match(r"^sum(?:by\(([^()]*)\))?\(", side)
    if not head:
        if side.startswith("sumwithout("):
            return f"{side} aggregates with `without`, not `sum` or `sum by (...)`"
        return f"{side} is not aggregated with sum"
    if head.group(1) is not None:
        grouping = head.group(1)
    end = closing(side, head.end() - 1)
    if end < 0:
        return f"{side} has unbalanced parentheses"
    inner, tail = side[head.end() : end], side[end + 1 :]
    if tail:
        by = re.fullmatch(r"by\(([^()]*)\)", tail)
        if not by or grouping is not None:
            return f"{side} is not of the form sum(...) or sum(...) by (labels)"
        grouping = by.group(1)
    rate = INNER_RATE.match(unwrap(inner))
    if not rate:
        return f"inside sum, {inner} is not one rate(http_requests_total{{...}}[range])"
    labels = frozenset(x for x in (grouping or "").split(",") if x)
    return labels, rate.group(1), matcher_set(rate.group(2) or ""), rate.group(3)


def error_ratio_problem(expr):
    """None if expr is sum(5xx rate) / sum(rate) with the same grouping, function, range and
    matchers apart from status, else what is wrong."""
    whole = unwrap(expr)
    slashes = top_level(whole, "/")
    if len(slashes) != 1 or top_level(whole, "*+-%^"):
        return f"{expr} is not one division A / B"
    left, right = whole[: slashes[0]], whole[slashes[0] + 1 :]
    if re.match(r"^(?:on|ignoring|group_left|group_right)\b", right):
        return f"{expr} uses on/ignoring/group_left/group_right, which the ratio does not need"
    sides = []
    for name, side in (("numerator", left), ("denominator", right)):
        shape = aggregation(side)
        if isinstance(shape, str):
            return (
                f"the {name} of {expr} is not sum(rate(...)) or sum by (labels) (rate(...)): "
                f"{shape}; without the same sum on both sides, Prometheus divides series by "
                "their full label sets (each 5xx series by itself, or nothing at all)"
            )
        sides.append(shape)
    (lgroup, lfunc, lmatch, lrange), (rgroup, rfunc, rmatch, rrange) = sides
    if lgroup != rgroup:
        return (
            f"in {expr}, the numerator is grouped by {sorted(lgroup)} and the denominator by "
            f"{sorted(rgroup)}: different label sets match nothing"
        )
    if "status" in lgroup:
        return f"{expr} is grouped by status: each 5xx series is divided by itself (always 1)"
    if (lfunc, lrange) != (rfunc, rrange):
        return (
            f"in {expr}, the numerator is {lfunc} over {lrange} and the denominator {rfunc} over "
            f"{rrange}: both sides must use the same function over the same range"
        )
    if not any(FIVE_XX.search(m) for m in lmatch) or any(STATUS.search(m) for m in rmatch):
        return f"in {expr}, the status filter is not on the numerator only"
    if {m for m in lmatch if not STATUS.search(m)} != rmatch:
        return (
            f"in {expr}, the numerator's matchers {sorted(lmatch)} and the denominator's "
            f"{sorted(rmatch)} differ by more than the status filter"
        )
    return None


def is_p95(expr):
    if not re.search(r"histogram_quantile\(0?\.95,", expr):
        return False
    if not rates_of("http_request_duration_seconds_bucket", expr):
        return False
    groups = re.findall(r"by\(([^)]*)\)", expr)
    return any("le" in g.split(",") for g in groups)


def is_in_flight(expr):
    return "http_requests_in_progress" in expr and not re.search(
        r"\b(?:rate|irate|increase|delta|deriv)\(http_requests_in_progress", expr
    )


def all_panels(panels):
    for panel in panels:
        yield panel
        yield from all_panels(panel.get("panels") or [])


def exprs(panel):
    return [normal(t["expr"]) for t in panel.get("targets") or [] if isinstance(t.get("expr"), str)]


def unit(panel):
    return ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("unit")


@pytest.fixture
def dashboard(learner):
    try:
        data = json.loads(learner.source(DASHBOARD))
    except json.JSONDecodeError as exc:
        pytest.fail(f"{DASHBOARD} is not valid JSON: {exc}")
    if isinstance(data, dict) and "dashboard" in data:
        pytest.fail(
            f'{DASHBOARD} is wrapped in {{"dashboard": ...}} (the HTTP API form); '
            "provisioning reads the dashboard model itself"
        )
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(DASHBOARD_SCHEMA).iter_errors(data)
    )
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "the top level"
        pytest.fail(f"{DASHBOARD}: at {where}: {error.message}")
    return data


@pytest.fixture
def panels(dashboard):
    return list(all_panels(dashboard["panels"]))


def load_yaml(learner, name):
    try:
        data = yaml.safe_load(learner.source(name))
    except yaml.YAMLError as exc:
        pytest.fail(f"{name} is not valid YAML: {exc}")
    if not isinstance(data, dict):
        pytest.fail(f"{name} holds no mapping at its top level")
    assert str(data.get("apiVersion")) == "1", f"{name}: apiVersion is {data.get('apiVersion')!r}"
    return data


def check_panel(panels, predicate, what, expected_unit):
    found = [p for p in panels if any(predicate(e) for e in exprs(p))]
    shown = [e for p in panels for e in exprs(p)]
    assert found, f"no panel's expr is {what}; the exprs are {shown}"
    if expected_unit is not None:
        units = [unit(p) for p in found]
        assert expected_unit in units, (
            f"the panel of {what} has unit {units[0]!r}, not {expected_unit!r}"
        )


# ---- Task 1: the dashboard and its job variable ----------------------------------------------


@pytest.mark.task(1)
def test_dashboard_model_has_title_uid_and_schema_version(dashboard):
    assert dashboard["title"].strip(), "the dashboard's title is blank"


@pytest.mark.task(1)
def test_dashboard_uid_is_short_and_url_safe(dashboard):
    uid = dashboard["uid"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,40}", uid), (
        f"the dashboard's uid {uid!r} ({len(uid)} characters) is not 1 to 40 letters, digits, "
        "- or _"
    )


@pytest.mark.task(1)
def test_job_template_variable(dashboard):
    names = [v.get("name") for v in dashboard["templating"]["list"]]
    assert "job" in names, f"templating.list has the variables {names}, none named job"


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_every_query_filters_on_the_job_variable(panels):
    queries = [e for p in panels for e in exprs(p) if SELECTOR.search(e)]
    assert queries, "no panel has a targets[].expr on the app's metrics"
    for expr in queries:
        for match in SELECTOR.finditer(expr):
            matchers = match.group(2) or ""
            assert JOB.search(matchers), (
                f'the selector {match.group(0)} (in {expr}) does not filter on job="$job"'
            )


# ---- Task 2: four panels ---------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_traffic_panel(panels):
    check_panel(panels, is_traffic, "the rate of http_requests_total (no status filter)", "reqps")


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_error_ratio_panel(panels):
    check_panel(
        panels,
        is_error_ratio,
        'the rate of http_requests_total{status=~"5.."} / the rate of http_requests_total',
        "percentunit",
    )
    for p in panels:
        for e in exprs(p):
            if is_error_ratio(e):
                assert not re.search(r"\*100\b|\b100\*", e), (
                    f"the error ratio {e} is multiplied by 100 (percentunit does that)"
                )


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_error_ratio_sums_both_sides_alike(panels):
    ratios = [e for p in panels for e in exprs(p) if is_error_ratio(e)]
    assert ratios, "no panel's expr divides the rate of 5xx answers by the rate of all answers"
    problems = [error_ratio_problem(e) for e in ratios]
    assert None in problems, problems[0]


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_p95_latency_panel(panels):
    check_panel(
        panels,
        is_p95,
        "histogram_quantile(0.95, ...) of the rate of http_request_duration_seconds_bucket "
        "grouped by le",
        "s",
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_in_flight_panel(panels):
    check_panel(panels, is_in_flight, "http_requests_in_progress (outside any rate)", None)


# ---- Task 3: provisioning --------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_prometheus_datasource(learner):
    data = load_yaml(learner, DATASOURCES)
    entries = [d for d in data.get("datasources") or [] if isinstance(d, dict)]
    prometheus = [d for d in entries if d.get("type") == "prometheus"]
    assert prometheus, f"{DATASOURCES}: no datasource of type prometheus ({entries})"
    source = prometheus[0]
    assert source.get("name"), f"{DATASOURCES}: the prometheus datasource has no name"
    assert source.get("access") == "proxy", (
        f"{DATASOURCES}: access is {source.get('access')!r}, not proxy"
    )
    url = str(source.get("url") or "")
    match = re.match(r"^https?://(\[[^\]]*\]|[^/:\s]+)", url)
    assert match, f"{DATASOURCES}: url is {url!r}, not an http:// or https:// address"
    host = match.group(1).lower()
    assert host not in ("localhost", "127.0.0.1", "[::1]", "0.0.0.0"), (
        f"{DATASOURCES}: url is {url!r}: inside Grafana's container, {host} is Grafana itself"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_dashboard_provider_reads_the_mounted_folder(learner):
    data = load_yaml(learner, PROVIDERS)
    entries = [p for p in data.get("providers") or [] if isinstance(p, dict)]
    assert entries, f"{PROVIDERS}: no providers"
    files = [p for p in entries if p.get("type", "file") == "file"]
    assert files, f"{PROVIDERS}: no provider of type file ({entries})"
    paths = [str((p.get("options") or {}).get("path")) for p in files]
    assert any(path.rstrip("/") == MOUNTED for path in paths), (
        f"{PROVIDERS}: options.path is {paths}, not {MOUNTED} (where Grafana sees the dashboards)"
    )
    named = [p for p in files if p.get("name")]
    assert named, f"{PROVIDERS}: the file provider has no name"
