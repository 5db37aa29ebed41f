"""Hidden tests for 7.3.1: request metrics labelled by route template on a dedicated registry,
recorded by a middleware (500s and in-flight requests included), and a /metrics endpoint that
is not measured itself.

Both learner modules are imported afresh for every test, after `time.perf_counter` has been
replaced by the kit's clock, so durations are exact and every test starts from empty metrics.
"""

import time
from types import SimpleNamespace

import prometheus_client
import pytest
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families

ITEMS = "/items/{item_id}"


@pytest.fixture
def env(learner, clock, monkeypatch, app_client):
    monkeypatch.setattr(time, "perf_counter", clock.monotonic)
    main = learner.require("main", "app", fresh=True)
    metrics = learner.require("metrics", "REGISTRY")
    seen = {}

    async def probe() -> dict:
        # Runs inside the request: how many GETs are in flight, then 0.25 s pass.
        seen["in_progress"] = metrics.REGISTRY.get_sample_value(
            "http_requests_in_progress", {"method": "GET"}
        )
        clock.advance(0.25)
        return {"ok": True}

    main.app.add_api_route("/probe", probe, methods=["GET"])
    return SimpleNamespace(
        main=main,
        registry=metrics.REGISTRY,
        client=app_client(main.app),
        seen=seen,
    )


def value(env, name, **labels):
    return env.registry.get_sample_value(name, labels)


def requests_total(env, method, path, status):
    return value(env, "http_requests_total", method=method, path=path, status=status)


def series(env):
    """Every (sample name, labels) the registry holds."""
    return [(s.name, dict(s.labels)) for m in env.registry.collect() for s in m.samples]


def label_values(env):
    return {v for _, labels in series(env) for v in labels.values()}


def get(env, url, expected):
    response = env.client.get(url)
    assert response.status_code == expected, f"GET {url} answered {response.status_code}"
    return response


def scrape(env):
    response = get(env, "/metrics", 200)
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    return response, families


# ---- Task 1: the registry and the metrics ----------------------------------------------------


@pytest.mark.task(1)
def test_registry_is_a_dedicated_collector_registry(env):
    assert isinstance(env.registry, prometheus_client.CollectorRegistry), (
        f"metrics.REGISTRY is a {type(env.registry).__name__}, not a CollectorRegistry"
    )
    assert env.registry is not prometheus_client.REGISTRY, (
        "metrics.REGISTRY is prometheus_client's default (global) registry"
    )


@pytest.mark.task(1)
def test_metrics_have_exactly_the_named_labels(env):
    get(env, "/health", 200)
    names = {
        "http_requests_total": {"method", "path", "status"},
        "http_request_duration_seconds_count": {"method", "path"},
        "http_request_duration_seconds_sum": {"method", "path"},
        "http_requests_in_progress": {"method"},
    }
    found = {}
    for name, labels in series(env):
        if name in names:
            found.setdefault(name, set(labels))
    for name, labels in names.items():
        assert name in found, (
            f"after GET /health, REGISTRY holds no sample {name} "
            f"(it holds {sorted({n for n, _ in series(env)})})"
        )
        assert found[name] == labels, f"{name} has labels {sorted(found[name])}"


# ---- Task 2: the middleware ------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_requests_share_one_series_per_route_template(env):
    get(env, "/items/1", 200)
    get(env, "/items/2", 200)
    got = requests_total(env, "GET", ITEMS, "200")
    assert got == 2, f"after GET /items/1 and /items/2, the series path={ITEMS} holds {got}"
    raw = {v for v in label_values(env) if v.startswith("/items/") and v != ITEMS}
    assert not raw, f"raw URLs used as label values: {sorted(raw)}"


@pytest.mark.task(2)
def test_method_and_status_are_labelled(env):
    response = env.client.post("/items")
    assert response.status_code == 201, f"POST /items answered {response.status_code}"
    get(env, "/health", 200)
    got = requests_total(env, "POST", "/items", "201")
    assert got == 1, f'http_requests_total{{method="POST",path="/items",status="201"}} is {got}'
    got = requests_total(env, "GET", "/health", "200")
    assert got == 1, f'http_requests_total{{method="GET",path="/health",status="200"}} is {got}'


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_unmatched_urls_share_the_unmatched_label(env):
    get(env, "/nope/1", 404)
    get(env, "/nope/2", 404)
    got = requests_total(env, "GET", "__unmatched__", "404")
    assert got == 2, f"after two URLs that match no route, path=__unmatched__ holds {got}"
    raw = {v for v in label_values(env) if "nope" in v}
    assert not raw, f"raw URLs used as label values: {sorted(raw)}"


@pytest.mark.task(2)
def test_a_404_raised_by_an_endpoint_keeps_its_route_template(env):
    get(env, "/items/0", 404)
    got = requests_total(env, "GET", ITEMS, "404")
    assert got == 1, f"GET /items/0 (the endpoint answers 404): path={ITEMS},status=404 is {got}"
    unmatched = requests_total(env, "GET", "__unmatched__", "404")
    assert unmatched is None, "a 404 raised by a matched route was labelled __unmatched__"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_an_endpoint_that_raises_is_counted_as_500(env):
    get(env, "/boom", 500)
    got = requests_total(env, "GET", "/boom", "500")
    assert got == 1, f'after GET /boom raised, status="500",path="/boom" is {got}'
    count = value(env, "http_request_duration_seconds_count", method="GET", path="/boom")
    assert count == 1, f"after GET /boom raised, its duration count is {count}"
    in_progress = value(env, "http_requests_in_progress", method="GET")
    assert in_progress == 0, f"after GET /boom raised, http_requests_in_progress is {in_progress}"
    get(env, "/boom", 500)
    got = requests_total(env, "GET", "/boom", "500")
    assert got == 2, f"after a second GET /boom, status=500 is {got}"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_durations_are_observed_in_seconds(env):
    get(env, "/items/1", 200)
    get(env, "/items/2", 200)
    count = value(env, "http_request_duration_seconds_count", method="GET", path=ITEMS)
    assert count == 2, f"after two GET /items/..., http_request_duration_seconds_count is {count}"
    get(env, "/probe", 200)
    total = value(env, "http_request_duration_seconds_sum", method="GET", path="/probe")
    assert total == pytest.approx(0.25), (
        f"a request during which time.perf_counter moved 0.25 s was observed as {total}"
    )
    count = value(env, "http_request_duration_seconds_count", method="GET", path="/probe")
    assert count == 1, f"GET /probe once: its duration count is {count}"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_in_progress_gauge_counts_the_request_being_handled(env):
    get(env, "/probe", 200)
    during = env.seen.get("in_progress")
    assert during == 1, f"while GET /probe was handled, http_requests_in_progress was {during}"
    after = value(env, "http_requests_in_progress", method="GET")
    assert after == 0, f"after GET /probe, http_requests_in_progress is {after}"
    get(env, "/probe", 200)
    assert env.seen.get("in_progress") == 1, (
        f"during a second GET /probe, http_requests_in_progress was {env.seen.get('in_progress')}"
    )


# ---- Task 3: GET /metrics --------------------------------------------------------------------


@pytest.mark.task(3)
def test_metrics_endpoint_serves_the_registry(env):
    get(env, "/items/1", 200)
    response, families = scrape(env)
    content_type = response.headers.get("content-type", "")
    assert content_type.replace(" ", "").lower() == CONTENT_TYPE_LATEST.replace(" ", "").lower(), (
        f"GET /metrics has Content-Type {content_type!r}, not {CONTENT_TYPE_LATEST!r}"
    )
    assert "http_requests" in families, (
        f"GET /metrics shows no http_requests_total (families: {sorted(families)})"
    )
    samples = {
        tuple(sorted(s.labels.items())): s.value
        for s in families["http_requests"].samples
        if s.name == "http_requests_total"
    }
    key = tuple(sorted({"method": "GET", "path": ITEMS, "status": "200"}.items()))
    assert samples.get(key) == 1, f"GET /metrics shows http_requests_total {samples}"
    foreign = sorted(n for n in families if n.startswith(("process_", "python_")))
    assert not foreign, f"GET /metrics shows the default registry's metrics: {foreign}"


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_metrics_endpoint_is_not_measured(env):
    scrape(env)
    scrape(env)
    measured = [(n, labels) for n, labels in series(env) if labels.get("path") == "/metrics"]
    assert not measured, f"scraping /metrics was measured: {measured[:3]}"
    _, families = scrape(env)
    gauge = families.get("http_requests_in_progress")
    shown = [s.value for s in gauge.samples if s.labels.get("method") == "GET"] if gauge else []
    assert all(v == 0 for v in shown), (
        f"while /metrics was scraped, it showed http_requests_in_progress {shown}"
    )


@pytest.mark.task(3)
def test_other_methods_on_metrics_are_measured(env):
    response = env.client.post("/metrics")
    assert response.status_code == 405, f"POST /metrics answered {response.status_code}"
    counted = [
        (labels, env.registry.get_sample_value(name, labels))
        for name, labels in series(env)
        if name == "http_requests_total"
        and labels.get("method") == "POST"
        and labels.get("status") == "405"
    ]
    total = sum(v for _, v in counted)
    assert total == 1, (
        f"POST /metrics (answered 405) is counted {total} times in http_requests_total "
        "(only GET /metrics is excluded)"
    )
    count = sum(
        env.registry.get_sample_value(name, labels)
        for name, labels in series(env)
        if name == "http_request_duration_seconds_count" and labels.get("method") == "POST"
    )
    assert count == 1, f"POST /metrics: its duration count is {count}"


@pytest.mark.task(3)
def test_only_the_exact_metrics_path_is_excluded(env):
    get(env, "/metrics/extra", 404)
    get(env, "/metricsx", 404)
    got = requests_total(env, "GET", "__unmatched__", "404")
    assert got == 2, (
        "GET /metrics/extra and GET /metricsx match no route and are not GET /metrics: "
        f"path=__unmatched__,status=404 holds {got}"
    )
    count = value(env, "http_request_duration_seconds_count", method="GET", path="__unmatched__")
    assert count == 2, f"GET /metrics/extra and GET /metricsx: their duration count is {count}"
