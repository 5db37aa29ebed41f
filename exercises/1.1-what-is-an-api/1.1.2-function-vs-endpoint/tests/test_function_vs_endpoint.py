import json
from datetime import timedelta

import httpx
import pytest

from grader.testing import client_for

PARSE = "/durations/parse"
BASE_URL = "http://durations.test"

# text -> (total seconds, canonical ISO 8601 form)
VALID = {
    "1h30m": (5400, "PT1H30M"),
    "45s": (45, "PT45S"),
    "2d": (172800, "P2D"),
    "90m": (5400, "PT1H30M"),
    "1d2h3m4s": (93784, "P1DT2H3M4S"),
    "0s": (0, "PT0S"),
}


def durations(learner, *names):
    """durations.py, failing the test with one line when it lacks one of `names`."""
    return learner.require("durations", *names)


@pytest.fixture(scope="module")
def client(learner):
    # A real HTTP client sees a 500, not the server's exception: raise_server_exceptions=False.
    # `with` keeps one event loop for the whole module: much faster than one per request.
    with client_for(durations(learner, "app").app) as test_client:
        yield test_client


def describe(response):
    return f"{response.status_code} {response.text[:200]}"


class Upstream:
    """A fake durations service behind httpx.MockTransport; records what the client sends."""

    def __init__(self, respond):
        self.respond = respond
        self.requests: list[httpx.Request] = []

    def handler(self, request):
        self.requests.append(request)
        return self.respond(request)

    def client(self):
        return httpx.Client(transport=httpx.MockTransport(self.handler), base_url=BASE_URL)


class BareResponse:
    """Only what the prompt allows: `status_code` and `json()`."""

    def __init__(self, response):
        self.status_code = response.status_code
        self._response = response

    def json(self):
        return self._response.json()


class BareClient:
    """Only what the prompt allows: `post(url, json=...)`. Forwards to the real app."""

    def __init__(self, inner):
        self._inner = inner

    def post(self, url, **kwargs):
        assert "json" in kwargs, (
            f"parse_via_api called client.post({url!r}) with {sorted(kwargs)}: send the body "
            "as json={'text': text}"
        )
        return BareResponse(self._inner.post(url, json=kwargs["json"]))


def call_client(learner, client, text):
    return durations(learner, "parse_via_api").parse_via_api(client, text)


def expect_raises(learner, client, text, error_name):
    """Call parse_via_api and check that it raises the named exception (and say what it did)."""
    error = getattr(durations(learner, error_name), error_name)
    try:
        result = call_client(learner, client, text)
    except error:
        return
    except Exception as exc:  # the message says what was raised instead
        pytest.fail(
            f"parse_via_api(client, {text!r}) raised {type(exc).__name__}: {exc}; "
            f"expected {error_name}"
        )
    pytest.fail(f"parse_via_api(client, {text!r}) returned {result!r}; expected {error_name}")


# --- Task 1: the function --------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize("text", ["1h30m", "45s", "2d", "90m", "1d2h3m4s", "0s"])
def test_parse_duration_returns_a_timedelta(learner, text):
    parse_duration = durations(learner, "parse_duration").parse_duration
    result = parse_duration(text)
    expected = timedelta(seconds=VALID[text][0])
    assert isinstance(result, timedelta), (
        f"parse_duration({text!r}) returned {result!r}, not a datetime.timedelta"
    )
    assert result == expected, (
        f"parse_duration({text!r}) returned {result!r}, expected {expected!r}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Match the whole text, e.g. re.fullmatch(r'(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?"
    "(?:([0-9]+)s)?', text), and raise ValueError when it does not match or matches nothing at "
    "all (the empty text). Every number needs a unit, and the units come in the order d, h, m, s."
)
@pytest.mark.parametrize(
    "text",
    ["", "10x", "abc", "5", "1.5h", "-5s", "30m1h", "1h1h"],
    ids=["empty", "10x", "abc", "5", "1.5h", "-5s", "30m1h", "1h1h"],
)
def test_parse_duration_rejects_bad_text_with_value_error(learner, text):
    parse_duration = durations(learner, "parse_duration").parse_duration
    try:
        result = parse_duration(text)
    except ValueError:
        return
    except Exception as exc:  # the message says what was raised instead
        pytest.fail(f"parse_duration({text!r}) raised {type(exc).__name__}, not ValueError")
    pytest.fail(f"parse_duration({text!r}) returned {result!r}; expected a ValueError")


@pytest.mark.task(1)
@pytest.mark.hint(
    "The units are lower case and a duration has no spaces, line breaks or signs: do not "
    "lower() or strip() the text or remove spaces from it before matching, and do not use "
    "re.IGNORECASE. '1H30M', '1h 30m' and '45s\\n' are not durations. re.match(r'^...$') lets "
    "a trailing line break through ($ also matches just before it): use re.fullmatch."
)
@pytest.mark.parametrize(
    "text",
    ["1H30M", "2D", "1h 30m", " 45s", "45s ", "+5s", "45s\n", "1h30m\n"],
    ids=[
        "upper-case",
        "upper-case-day",
        "inner-space",
        "leading-space",
        "trailing-space",
        "plus",
        "trailing-newline",
        "trailing-newline-1h30m",
    ],
)
def test_parse_duration_rejects_upper_case_spaces_and_signs(learner, text):
    parse_duration = durations(learner, "parse_duration").parse_duration
    try:
        result = parse_duration(text)
    except ValueError:
        return
    except Exception as exc:  # the message says what was raised instead
        pytest.fail(f"parse_duration({text!r}) raised {type(exc).__name__}, not ValueError")
    pytest.fail(f"parse_duration({text!r}) returned {result!r}; expected a ValueError")


@pytest.mark.task(1)
@pytest.mark.hint(
    "The digits of a duration are ASCII 0-9, but \\d also matches every other Unicode digit "
    "(Arabic-Indic '\u0661', full-width '\uff11'), and int() converts them: write [0-9] in the "
    "pattern."
)
@pytest.mark.parametrize(
    "text",
    ["\u0661h", "\uff11h", "1h\u0663\u0660m", "\uff14\uff15s"],
    ids=["arabic-indic", "full-width", "arabic-indic-minutes", "full-width-45s"],
)
def test_parse_duration_rejects_digits_other_than_ascii(learner, text):
    parse_duration = durations(learner, "parse_duration").parse_duration
    try:
        result = parse_duration(text)
    except ValueError:
        return
    except Exception as exc:  # the message says what was raised instead
        pytest.fail(f"parse_duration({text!r}) raised {type(exc).__name__}, not ValueError")
    pytest.fail(f"parse_duration({text!r}) returned {result!r}; expected a ValueError")


@pytest.mark.task(1)
@pytest.mark.hint(
    "timedelta(days=10**11) raises OverflowError, which is not a ValueError. Catch it and raise "
    "ValueError: a duration too large to represent is bad input like any other."
)
def test_parse_duration_too_large_is_value_error(learner):
    parse_duration = durations(learner, "parse_duration").parse_duration
    with pytest.raises(ValueError):
        parse_duration("99999999999d")


# --- Task 2: the endpoint --------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A timedelta is not JSON. Send `seconds` as an int (int(d.total_seconds()), not the float "
    "total_seconds()) and `iso` as the canonical ISO 8601 string (str(d) is Python's '1:30:00')."
)
@pytest.mark.parametrize("text", ["1h30m", "45s", "2d", "90m", "1d2h3m4s", "0s"])
def test_endpoint_answers_int_seconds_and_iso(client, text):
    seconds, iso = VALID[text]
    response = client.post(PARSE, json={"text": text})
    assert response.status_code == 200, f"POST {PARSE} {text!r} answered {describe(response)}"
    body = response.json()
    assert isinstance(body, dict), f"POST {PARSE} {text!r} answered {body!r}, not an object"
    got = body.get("seconds")
    assert type(got) is int, (
        f"POST {PARSE} {text!r} answered seconds={got!r}: expected the JSON integer {seconds}"
    )
    assert got == seconds, f"POST {PARSE} {text!r} answered seconds={got}, expected {seconds}"
    assert body.get("iso") == iso, (
        f"POST {PARSE} {text!r} answered iso={body.get('iso')!r}, expected {iso!r}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Exceptions do not travel over HTTP. Catch the ValueError in the endpoint and raise "
    "HTTPException(status_code=400, detail={'code': 'invalid_duration', 'input': text}); an "
    "uncaught exception is a 500, which tells the client the server is broken."
)
@pytest.mark.parametrize(
    "text", ["", "10x", "abc", "99999999999d"], ids=["empty", "10x", "abc", "too-large"]
)
def test_endpoint_bad_text_is_400_with_code(client, text):
    response = client.post(PARSE, json={"text": text})
    assert response.status_code == 400, (
        f"POST {PARSE} {text!r} answered {describe(response)}, expected 400"
    )
    expected = {"detail": {"code": "invalid_duration", "input": text}}
    assert response.json() == expected, (
        f"POST {PARSE} {text!r} answered {response.json()!r}, expected {expected!r}"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Take the body as a Pydantic model with `text: str`: FastAPI answers 422 by itself when "
    "the field is missing or is not a string."
)
@pytest.mark.parametrize("body", [{}, {"text": 5400}, {"txt": "1h"}])
def test_endpoint_malformed_body_is_422(client, body):
    response = client.post(PARSE, json=body)
    assert response.status_code == 422, (
        f"POST {PARSE} with {body!r} answered {describe(response)}, expected 422"
    )


# --- Task 3: the client ----------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "parse_via_api posts {'text': text} to /durations/parse and turns the answer back into "
    "what the function returns: timedelta(seconds=response.json()['seconds']), not the dict."
)
@pytest.mark.parametrize("text", ["1h30m", "45s", "2d", "90m", "1d2h3m4s"])
def test_client_and_function_agree(learner, client, text):
    parse_duration = durations(learner, "parse_duration").parse_duration
    local = parse_duration(text)
    remote = call_client(learner, client, text)
    assert isinstance(remote, timedelta), (
        f"parse_via_api(client, {text!r}) returned {remote!r}, not a timedelta"
    )
    assert remote == local, (
        f"parse_via_api(client, {text!r}) returned {remote!r} but parse_duration returned {local!r}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A 400 means the service rejected the text: raise DurationError (a ValueError, like the "
    "function raises). Returning None hides the error, and the caller crashes later instead."
)
@pytest.mark.parametrize("text", ["", "10x", "abc"], ids=["empty", "10x", "abc"])
def test_client_raises_duration_error_on_bad_text(learner, client, text):
    expect_raises(learner, client, text, "DurationError")
    assert issubclass(durations(learner, "DurationError").DurationError, ValueError), (
        "DurationError must subclass ValueError, so callers handle it like the function's error"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "Use only client.post(...), response.status_code and response.json(): then any HTTP "
    "client works. raise_for_status(), .is_success or .text are not part of the interface."
)
def test_client_uses_only_post_status_code_and_json(learner, client):
    bare = BareClient(client)
    result = call_client(learner, bare, "1h30m")
    assert result == timedelta(hours=1, minutes=30), (
        f"parse_via_api(bare client, '1h30m') returned {result!r}"
    )
    expect_raises(learner, bare, "10x", "DurationError")


@pytest.mark.task(3)
@pytest.mark.hint(
    "The service is the source of truth: return what it answered. A client that parses the "
    "text itself is not calling the API at all."
)
def test_client_sends_the_request_and_trusts_the_answer(learner):
    upstream = Upstream(lambda request: httpx.Response(200, json={"seconds": 42, "iso": "PT42S"}))
    with upstream.client() as fake:
        result = call_client(learner, fake, "1h30m")
    assert len(upstream.requests) == 1, (
        f"parse_via_api sent {len(upstream.requests)} requests, expected exactly 1"
    )
    request = upstream.requests[0]
    assert (request.method, request.url.path) == ("POST", PARSE), (
        f"parse_via_api sent {request.method} {request.url.path}, expected POST {PARSE}"
    )
    assert json.loads(request.content or b"null") == {"text": "1h30m"}, (
        f"parse_via_api sent the body {request.content[:200]!r}, expected {{'text': '1h30m'}}"
    )
    assert result == timedelta(seconds=42), (
        f"the fake service answered 42 seconds and parse_via_api returned {result!r}"
    )


# --- Task 4: failures a function call does not have ------------------------------------------


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Check the status before reading the body: a 5xx answer (often not even JSON) means the "
    "service failed, not the input. Raise ApiUnavailable for status_code >= 500."
)
@pytest.mark.parametrize(
    ("status", "body"),
    [(503, "Service Unavailable"), (500, '{"detail": "Internal Server Error"}'), (502, "")],
    ids=["503-text-body", "500-json-body", "502-empty-body"],
)
def test_client_server_error_is_api_unavailable(learner, status, body):
    upstream = Upstream(lambda request: httpx.Response(status, text=body))
    with upstream.client() as fake:
        expect_raises(learner, fake, "1h30m", "ApiUnavailable")


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A network call can fail before any answer arrives: wrap client.post in "
    "try/except httpx.TransportError (connection refused, timeouts, ...) and raise "
    "ApiUnavailable from it."
)
@pytest.mark.parametrize("error", ["ConnectError", "ReadTimeout"])
def test_client_transport_error_is_api_unavailable(learner, error):
    def fail(request):
        raise getattr(httpx, error)("the service is down", request=request)

    with Upstream(fail).client() as fake:
        expect_raises(learner, fake, "1h30m", "ApiUnavailable")


@pytest.mark.task(4)
@pytest.mark.hint(
    "An outage is not the caller's bad input: ApiUnavailable must not be a ValueError, or code "
    "that catches ValueError to report a typo would report the outage as one."
)
def test_api_unavailable_is_not_a_value_error(learner):
    module = durations(learner, "ApiUnavailable", "DurationError")
    unavailable = module.ApiUnavailable
    assert isinstance(unavailable, type) and issubclass(unavailable, Exception), (
        "ApiUnavailable must be an exception class"
    )
    assert not issubclass(unavailable, ValueError), "ApiUnavailable subclasses ValueError"
    assert not issubclass(unavailable, module.DurationError), (
        "ApiUnavailable subclasses DurationError"
    )
