import ast
import asyncio
import inspect
import ssl

import fastapi.routing
import httpx
import pytest

TEMPERATURES = {"Paris": 21.5, "Oslo": -3.0, "Lagos": 31}


class Upstream:
    """A fake weather service: records every request, answers with `self.respond`."""

    def __init__(self):
        self.requests: list[httpx.Request] = []
        self.respond = self.weather

    @staticmethod
    def weather(request: httpx.Request) -> httpx.Response:
        city = request.url.params.get("city", "")
        current = {"temp_c": TEMPERATURES.get(city, 12.5), "condition": "Sunny"}
        body = {"city": city, "current": current}
        return httpx.Response(200, json=body)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.respond(request)


def learner_main(learner):
    return learner.require("main", "app", "WEATHER_URL", "get_http_client")


def weather_routes(app):
    """(path, endpoint) of each GET /weather/... route, also one declared on an included APIRouter.

    Since FastAPI 0.137 `include_router` keeps the router as one opaque entry of `app.routes`;
    `iter_route_contexts` (where it exists) expands it with the prefixed paths.
    """
    iter_contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    routes = iter_contexts(app.routes) if iter_contexts else app.routes
    found = []
    for route in routes:
        path = getattr(route, "path", None) or ""
        methods = getattr(route, "methods", None) or set()
        if path.startswith("/weather/") and "GET" in methods:
            found.append((path, route.endpoint))
    return found


@pytest.fixture(scope="module", autouse=True)
def no_certificate_loading():
    """Every AsyncClient builds an SSL context and loads the CA bundle (about 0.1 s each). The
    tests never open a connection, so the bundle is not loaded."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ssl.SSLContext, "load_verify_locations", lambda *args, **kwargs: None)
        yield


@pytest.fixture
def upstream():
    return Upstream()


@pytest.fixture
def client(learner, upstream, app_client, overrides):
    main = learner_main(learner)

    async def fake_http_client():
        async with httpx.AsyncClient(
            transport=httpx.MockTransport(upstream.handler), base_url=main.WEATHER_URL
        ) as fake:
            yield fake

    # The fake upstream stands in for get_http_client for this test only.
    overrides(main.app, {main.get_http_client: fake_http_client})
    return app_client(main.app, lifespan=True)


def only_request(upstream):
    assert upstream.requests, (
        "the fake upstream received no request: get the client from the get_http_client "
        "dependency (Depends) and await client.get(...)"
    )
    assert len(upstream.requests) == 1, (
        f"one call to /weather sent {len(upstream.requests)} upstream requests, expected 1"
    )
    return upstream.requests[0]


# --- Task 1: the dependency ------------------------------------------------------------------


async def _drive_dependency(get_http_client):
    generator = get_http_client()
    client = await anext(generator)
    open_while_in_use = not client.is_closed
    finished = False
    try:
        await anext(generator)
    except StopAsyncIteration:
        finished = True
    return client, open_while_in_use, finished


@pytest.fixture(scope="module")
def driven(learner):
    """get_http_client run once to its end, shared by the two tests that read the outcome:
    (client, open while in use, finished), or the exception it raised."""
    main = learner_main(learner)
    if not inspect.isasyncgenfunction(main.get_http_client):
        return None
    try:
        return asyncio.run(_drive_dependency(main.get_http_client))
    except Exception as exc:
        return exc


def driven_outcome(learner, driven):
    main = learner_main(learner)
    assert driven is not None and inspect.isasyncgenfunction(main.get_http_client), (
        "get_http_client is not an async generator function: "
        "write `async def` and `yield` the client"
    )
    if isinstance(driven, Exception):
        pytest.fail(f"running get_http_client raised {type(driven).__name__}: {driven}")
    return main, driven


@pytest.mark.task(1)
@pytest.mark.hint(
    "Write `async def get_http_client():` with `async with httpx.AsyncClient(base_url=WEATHER_URL, "
    "timeout=5) as client: yield client`."
)
def test_get_http_client_yields_async_client_for_weather_url(learner, driven):
    main, (client, open_while_in_use, _) = driven_outcome(learner, driven)
    assert isinstance(client, httpx.AsyncClient), (
        f"get_http_client yielded {type(client).__name__}, not an httpx.AsyncClient"
    )
    assert open_while_in_use, "the client was already closed when the handler would receive it"
    assert str(client.base_url).rstrip("/") == main.WEATHER_URL.rstrip("/"), (
        f"the client's base_url is {str(client.base_url)!r}, "
        f"expected WEATHER_URL ({main.WEATHER_URL!r})"
    )
    assert client.timeout == httpx.Timeout(5), (
        f"the client's timeout is {client.timeout}, expected 5 s"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "Code after `yield` in a dependency runs once the response is sent. `async with` around the "
    "yield closes the client there, so connections are not leaked."
)
def test_get_http_client_closes_the_client_afterwards(learner, driven):
    _, (client, _, finished) = driven_outcome(learner, driven)
    assert finished, "get_http_client yielded more than once"
    assert client.is_closed, "the client is still open after get_http_client finished"


class HandlerFailed(Exception):
    """Stands in for an exception the handler raised while it held the client."""


async def _drive_dependency_into_an_error(get_http_client):
    generator = get_http_client()
    client = await anext(generator)
    try:
        await generator.athrow(HandlerFailed("the handler raised"))
    except (HandlerFailed, StopAsyncIteration):
        pass
    return client


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "FastAPI throws the handler's exception into the dependency at its `yield`: code placed "
    "after the yield never runs then. `async with httpx.AsyncClient(...) as client: yield "
    "client` (or try/finally around the yield) closes it whatever happens."
)
def test_get_http_client_closes_the_client_when_the_handler_fails(learner):
    main = learner_main(learner)
    assert inspect.isasyncgenfunction(main.get_http_client), (
        "get_http_client is not an async generator function: "
        "write `async def` and `yield` the client"
    )
    client = asyncio.run(_drive_dependency_into_an_error(main.get_http_client))
    assert isinstance(client, httpx.AsyncClient), (
        f"get_http_client yielded {type(client).__name__}, not an httpx.AsyncClient"
    )
    assert client.is_closed, (
        "an exception was thrown into get_http_client at its yield (as FastAPI does when the "
        "handler raises), and the client stayed open"
    )


# --- Task 2: the endpoint --------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize(("city", "temp_c"), [("Paris", 21.5), ("Oslo", -3.0), ("Lagos", 31)])
def test_weather_returns_city_and_temperature(client, upstream, city, temp_c):
    response = client.get(f"/weather/{city}")
    assert response.status_code == 200, (
        f"GET /weather/{city} answered {response.status_code}: {response.text[:200]}"
    )
    only_request(upstream)
    assert response.json() == {"city": city, "temp_c": temp_c, "source": "upstream"}, (
        f"GET /weather/{city} answered {response.json()}"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Any 2xx answer of the upstream is a success, not only 200: check `response.is_error` (or "
    "`response.is_success`) rather than `status_code == 200`."
)
@pytest.mark.parametrize("status", [201, 203])
def test_other_2xx_upstream_answer_is_a_success(client, upstream, status):
    def weather_with_status(request):
        return httpx.Response(status, json=Upstream.weather(request).json())

    upstream.respond = weather_with_status
    response = client.get("/weather/Paris")
    only_request(upstream)
    assert response.status_code == 200, (
        f"the upstream answered {status} with a weather body and GET /weather/Paris answered "
        f"{response.status_code}: {response.text[:100]}"
    )
    assert response.json() == {"city": "Paris", "temp_c": 21.5, "source": "upstream"}, (
        f"GET /weather/Paris answered {response.json()}"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Answer with the city the client asked for (the path parameter), not the name the upstream "
    "spells in its body."
)
def test_answer_names_the_city_from_the_path(client, upstream):
    upstream.respond = lambda request: httpx.Response(
        200, json={"city": "Paris, FR", "current": {"temp_c": 20.0, "condition": "Sunny"}}
    )
    response = client.get("/weather/paris")
    only_request(upstream)
    assert response.status_code == 200, f"GET /weather/paris answered {response.status_code}"
    assert response.json().get("city") == "paris", (
        f"GET /weather/paris answered city {response.json().get('city')!r}: use the path's city"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Call the upstream relative to the client's base URL: "
    '`await client.get("/v1/current", params={"city": city})`.'
)
def test_upstream_call_is_get_v1_current_with_city_param(client, upstream, learner):
    client.get("/weather/Paris")
    request = only_request(upstream)
    expected_host = httpx.URL(learner_main(learner).WEATHER_URL).host
    assert request.method == "GET", f"the upstream request was {request.method}, expected GET"
    assert request.url.host == expected_host, (
        f"the upstream request went to host {request.url.host!r}, expected {expected_host!r}"
    )
    assert request.url.path == "/v1/current", (
        f"the upstream request went to path {request.url.path!r}, expected '/v1/current'"
    )
    assert request.url.params.multi_items() == [("city", "Paris")], (
        f"the upstream query was {str(request.url.query, 'ascii')!r}, expected city=Paris only"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    'Pasting the city into the URL (f"...?city={city}") lets `&` and `=` in the name create '
    'extra query parameters. Pass `params={"city": city}` and httpx encodes it.'
)
@pytest.mark.parametrize("city", ["Oslo&units=imperial", "São Paulo"])
def test_city_reaches_upstream_as_one_encoded_param(client, upstream, city):
    response = client.get(f"/weather/{city}")
    assert response.status_code == 200, (
        f"GET /weather/{city} answered {response.status_code}: {response.text[:200]}"
    )
    request = only_request(upstream)
    assert request.url.params.multi_items() == [("city", city)], (
        f"for the city {city!r} the upstream query was {str(request.url.query, 'ascii')!r}: "
        "it should carry the whole name as the single `city` parameter"
    )
    assert response.json()["city"] == city, f"the answer's city was {response.json()['city']!r}"


@pytest.mark.task(2)
@pytest.mark.hint("Declare the handler with `async def` and `await` the client's call.")
def test_weather_handler_is_a_coroutine_function(learner):
    routes = weather_routes(learner_main(learner).app)
    assert routes, "no GET /weather/{city} route is registered"
    for path, endpoint in routes:
        assert inspect.iscoroutinefunction(endpoint), (
            f"the handler of GET {path} ({endpoint.__name__}) is a plain def, not async def"
        )


@pytest.mark.task(2)
@pytest.mark.hint(
    "requests is a blocking client: inside async def it stalls the event loop. "
    "Use httpx.AsyncClient."
)
def test_requests_library_is_not_used(learner):
    assert weather_routes(learner_main(learner).app), (
        "no GET /weather/{city} route yet: nothing to check"
    )
    tree = ast.parse(learner.source("main.py"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            assert name.split(".")[0] != "requests", (
                f"main.py imports {name!r} (line {node.lineno}): use httpx.AsyncClient instead"
            )


# --- Task 3: error mapping -------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.hint("Check `response.status_code == 404` and raise HTTPException(status_code=404).")
def test_upstream_404_is_404(client, upstream):
    upstream.respond = lambda request: httpx.Response(404, json={"error": "no such city"})
    response = client.get("/weather/Atlantis")
    only_request(upstream)
    assert response.status_code == 404, (
        f"the upstream answered 404 and GET /weather/Atlantis answered {response.status_code}"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "An upstream server error is a Bad Gateway for your caller: check `response.is_error` (or "
    "status_code >= 500) after handling 404, and raise HTTPException(status_code=502)."
)
@pytest.mark.parametrize("status", [500, 503, 429])
def test_upstream_error_status_is_502(client, upstream, status):
    upstream.respond = lambda request: httpx.Response(status, json={"error": "oops"})
    response = client.get("/weather/Paris")
    only_request(upstream)
    assert response.status_code == 502, (
        f"the upstream answered {status} and GET /weather/Paris answered {response.status_code}"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "Every error status other than 404 is a 502, even when its body looks like a weather "
    "report: check `response.is_error` before reading the body."
)
@pytest.mark.parametrize("status", [429, 409, 501])
def test_error_status_with_a_weather_body_is_502(client, upstream, status):
    def weather_with_status(request):
        return httpx.Response(status, json=Upstream.weather(request).json())

    upstream.respond = weather_with_status
    response = client.get("/weather/Paris")
    only_request(upstream)
    assert response.status_code == 502, (
        f"the upstream answered {status} with a weather body and GET /weather/Paris answered "
        f"{response.status_code}"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "`response.json()` raises ValueError on a non-JSON body (json.JSONDecodeError, or "
    "UnicodeDecodeError for bytes that are not text: catch ValueError, their common base) and "
    "indexing raises KeyError or TypeError on the wrong shape (or validate with a Pydantic "
    "model). Turn these into a 502."
)
@pytest.mark.parametrize(
    "body",
    [
        "<html>Service Unavailable</html>",
        '{"city": "Paris"}',
        '{"city": "Paris", "current": null}',
        '{"city": "Paris", "current": {"temp_c": "warm"}}',
        "[1, 2, 3]",
        b"\xff\xfe{",
    ],
)
def test_bad_upstream_body_is_502(client, upstream, body):
    content = body if isinstance(body, bytes) else body.encode()
    upstream.respond = lambda request: httpx.Response(
        200, content=content, headers={"content-type": "application/json"}
    )
    response = client.get("/weather/Paris")
    only_request(upstream)
    assert response.status_code == 502, (
        f"the upstream answered 200 with {body!r} and GET /weather/Paris answered "
        f"{response.status_code}"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    'Numeric means a finite JSON number. `float(...)` turns the string "21.5" and true into '
    "floats, and Python's json reads NaN and 1e999 (infinity): check that temp_c is an int or "
    "float but not a bool, and finite (math.isfinite), or validate it with a Pydantic "
    "`Field(strict=True, allow_inf_nan=False)`."
)
@pytest.mark.parametrize(
    "temp_c",
    ['"21.5"', "true", "NaN", "1e999"],
)
def test_temp_c_that_is_not_a_finite_number_is_502(client, upstream, temp_c):
    body = '{"city": "Paris", "current": {"temp_c": ' + temp_c + ', "condition": "Sunny"}}'
    upstream.respond = lambda request: httpx.Response(
        200, content=body.encode(), headers={"content-type": "application/json"}
    )
    response = client.get("/weather/Paris")
    only_request(upstream)
    assert response.status_code == 502, (
        f"the upstream answered 200 with current.temp_c {temp_c}, which is not a finite JSON "
        f"number, and GET /weather/Paris answered {response.status_code}: {response.text[:100]}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Wrap the `await client.get(...)` in try/except httpx.TimeoutException (it covers connect, "
    "read, write and pool timeouts) and raise HTTPException(status_code=504)."
)
@pytest.mark.parametrize("error", ["ReadTimeout", "ConnectTimeout", "WriteTimeout", "PoolTimeout"])
def test_upstream_timeout_is_504(client, upstream, error):
    def time_out(request):
        raise getattr(httpx, error)("timed out", request=request)

    upstream.respond = time_out
    response = client.get("/weather/Paris")
    only_request(upstream)
    assert response.status_code == 504, (
        f"the upstream call raised httpx.{error} and GET /weather/Paris answered "
        f"{response.status_code}"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "A failed connection is an upstream problem too, and not only a refused one (ConnectError): "
    "a connection dropped mid-answer raises ReadError or RemoteProtocolError. Catch "
    "httpx.TransportError (after TimeoutException, its subclass) and raise "
    "HTTPException(status_code=502)."
)
@pytest.mark.parametrize("error", ["ConnectError", "ReadError", "RemoteProtocolError"])
def test_upstream_connection_error_is_502(client, upstream, error):
    def fail(request):
        raise getattr(httpx, error)("the connection failed", request=request)

    upstream.respond = fail
    response = client.get("/weather/Paris")
    only_request(upstream)
    assert response.status_code == 502, (
        f"the upstream call raised httpx.{error} (a TransportError) and GET /weather/Paris "
        f"answered {response.status_code}"
    )
