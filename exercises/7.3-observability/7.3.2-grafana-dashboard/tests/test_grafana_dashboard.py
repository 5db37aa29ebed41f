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
        "uid": {"type": "string", "pattern": r"^[A-Za-z0-9_-]{1,40}$"},
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
    if "/" not in expr:
        return False
    slash = expr.rindex("/")
    rates = rates_of("http_requests_total", expr)
    errors = [pos for pos, matchers in rates if FIVE_XX.search(matchers)]
    totals = [pos for pos, matchers in rates if not STATUS.search(matchers)]
    return any(p < slash for p in errors) and any(p > slash for p in totals)


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
