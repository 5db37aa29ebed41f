import os
import random
import re
import secrets
from base64 import urlsafe_b64encode
from urllib.parse import urljoin

import pytest

from grader.testing import client_for

CODE = re.compile(r"[A-Za-z0-9]{6,8}")
DOCS = "https://docs.example.com/guide/intro"
UNKNOWN = "Zz9Yy8X"


@pytest.fixture(scope="module")
def app(learner):
    return learner.require("main", "app").app


@pytest.fixture(scope="module")
def client(app):
    # `with` keeps one event loop for the whole module: much faster than one per request.
    with client_for(app) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def empty_store(learner):
    main = learner.require("main", "reset_store")
    assert callable(main.reset_store), "main.py: `reset_store` is not a function"
    main.reset_store()


def describe(response):
    return f"{response.status_code} {response.text[:200]}"


def create(client, url=DOCS):
    """POST /links; any 2xx counts here, so a wrong status only fails Task 1's own test."""
    response = client.post("/links", json={"url": url})
    assert 200 <= response.status_code < 300, f"POST /links {url!r} answered {describe(response)}"
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("code"), str), (
        f"POST /links {url!r} answered {body!r}: expected an object with a string 'code'"
    )
    return body


def stats(client, code):
    response = client.get(f"/links/{code}/stats")
    assert response.status_code == 200, f"GET /links/{code}/stats answered {describe(response)}"
    return response.json()


def clicks(client, code):
    body = stats(client, code)
    assert isinstance(body, dict) and "clicks" in body, (
        f"GET /links/{code}/stats answered {body!r}: expected an object with 'clicks'"
    )
    return body["clicks"]


def follow(client, code):
    """Task 2: GET /{code} must be a 307 redirect."""
    response = client.get(f"/{code}")
    assert response.status_code == 307, (
        f"GET /{code} answered {describe(response)}, expected a 307 redirect"
    )
    return response


def click(client, code):
    """Task 3: counts clicks behind any redirect, so a wrong 3xx fails only Task 2."""
    response = client.get(f"/{code}")
    assert 300 <= response.status_code < 400, (
        f"GET /{code} answered {describe(response)}, expected a redirect"
    )


# --- Task 1: creating links ------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Declare status_code=201 on the route and answer code, url and short_url. The short URL is "
    "the service's own base URL plus the code: str(request.base_url) + code, or "
    "request.url_for('<the redirect handler>', code=code)."
)
def test_create_answers_201_with_code_url_and_short_url(client):
    response = client.post("/links", json={"url": DOCS})
    assert response.status_code == 201, f"POST /links answered {describe(response)}, not 201"
    body = response.json()
    assert isinstance(body, dict) and {"code", "url", "short_url"} <= set(body), (
        f"POST /links answered {body!r}: expected the keys code, url and short_url"
    )
    code = body["code"]
    assert isinstance(code, str) and CODE.fullmatch(code), (
        f"POST /links answered code={code!r}: expected 6 to 8 letters or digits"
    )
    assert body["url"] == DOCS, f"POST /links {DOCS!r} answered url={body['url']!r}"
    assert body["short_url"] == f"http://testserver/{code}", (
        f"POST /links (to http://testserver) answered short_url={body['short_url']!r}, "
        f"expected 'http://testserver/{code}'"
    )
    # Random codes drawn from a wider alphabet are wrong only now and then: look at enough of
    # them that such a generator fails every time, not one run in four.
    more = [create(client, f"https://example.com/format/{n}")["code"] for n in range(49)]
    bad = [other for other in more if not CODE.fullmatch(other)]
    assert not bad, f"POST /links answered codes that are not 6 to 8 letters or digits: {bad[:3]}"


@pytest.mark.task(1)
@pytest.mark.hint(
    "201 Created comes with a Location header naming what was created: set "
    "response.headers['Location'] = short_url (take a `response: Response` parameter)."
)
def test_create_sets_location_to_the_short_url(client):
    response = client.post("/links", json={"url": DOCS})
    assert 200 <= response.status_code < 300, f"POST /links answered {describe(response)}"
    location = response.headers.get("location")
    assert location, "POST /links answered without a Location header"
    code = response.json().get("code")
    expected = f"http://testserver/{code}"
    assert urljoin("http://testserver/links", location) == expected, (
        f"POST /links answered Location: {location!r}, expected {expected!r}"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "Do not hard-code the host: a service reached as https://sho.rt must hand out "
    "https://sho.rt/<code>. Build it from the request (request.base_url or request.url_for)."
)
def test_short_url_uses_the_host_the_client_called(app, app_client):
    other = app_client(app, lifespan=True, base_url="https://sho.rt")
    body = create(other)
    assert body.get("short_url") == f"https://sho.rt/{body['code']}", (
        f"POST https://sho.rt/links answered short_url={body.get('short_url')!r}, "
        f"expected 'https://sho.rt/{body['code']}'"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Type the field as pydantic's HttpUrl: FastAPI then answers 422 for text that is not an "
    "absolute http(s) URL. A plain str would happily redirect people to 'javascript:...'."
)
@pytest.mark.parametrize(
    "payload",
    [
        {"url": "not-a-url"},
        {"url": "ftp://files.example.com/report.pdf"},
        {"url": "javascript:alert(1)"},
        {"url": ""},
        {},
    ],
    ids=["not-a-url", "ftp", "javascript", "empty", "missing"],
)
def test_invalid_url_is_422(client, payload):
    response = client.post("/links", json=payload)
    assert response.status_code == 422, (
        f"POST /links {payload!r} answered {describe(response)}, expected 422"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Codes must never collide: a second link must not overwrite the first. Draw random "
    "characters from A-Z, a-z and 0-9 (secrets.choice) and retry while the code is taken; "
    "timestamps and truncated hashes repeat."
)
def test_fifty_links_get_fifty_unique_codes(client):
    urls = [f"https://example.com/page/{n}" for n in range(50)]
    codes = [create(client, url)["code"] for url in urls]
    bad = [code for code in codes if not CODE.fullmatch(code)]
    assert not bad, f"these codes are not 6 to 8 letters or digits: {bad[:5]}"
    assert len(set(codes)) == 50, f"50 links got only {len(set(codes))} different codes"
    for url, code in zip(urls[::7], codes[::7], strict=True):
        got = stats(client, code).get("url")
        assert got == url, f"the link {code!r} was created for {url!r} but now points to {got!r}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Each POST creates a new link, even for a URL you have seen before: draw a fresh random "
    "code every time, and draw again while it is taken. A code derived from the URL (a hash) "
    "gives the same URL the same code, so the second link replaces the first and its clicks "
    "are lost; reusing the old link is not creating one either."
)
def test_same_url_shortened_twice_gives_two_links(client):
    first = create(client, DOCS)["code"]
    click(client, first)
    click(client, first)
    second = create(client, DOCS)["code"]
    assert second != first, (
        f"POST /links with the same url twice answered the code {first!r} both times: each POST "
        "creates a new link with a code of its own"
    )
    counts = (clicks(client, first), clicks(client, second))
    assert counts == (2, 0), (
        f"after 2 redirects of the first link, shortening the same URL again left the clicks "
        f"(first, second) at {counts}, expected (2, 0)"
    )
    for code in (first, second):
        location = client.get(f"/{code}").headers.get("location")
        assert location == DOCS, f"GET /{code} redirected to {location!r}, expected {DOCS!r}"


class RepeatingRandom:
    """The random sources a code generator draws from (the functions of `random` and `secrets`,
    os.urandom and so uuid4), all fed by one seeded generator that `rewind()` sets back: the
    next link then draws the very values the previous one drew, as a random source may."""

    def __init__(self, seed=113):
        self.rng = random.Random(seed)
        self.start = self.rng.getstate()

    def rewind(self):
        self.rng.setstate(self.start)

    def token_bytes(self, nbytes=None):
        return self.rng.randbytes(32 if nbytes is None else nbytes)

    def token_hex(self, nbytes=None):
        return self.token_bytes(nbytes).hex()

    def token_urlsafe(self, nbytes=None):
        return urlsafe_b64encode(self.token_bytes(nbytes)).rstrip(b"=").decode("ascii")

    def install(self, monkeypatch, module):
        rng = self.rng
        fakes = {
            (random, "choice"): rng.choice,
            (random, "choices"): rng.choices,
            (random, "sample"): rng.sample,
            (random, "shuffle"): rng.shuffle,
            (random, "randint"): rng.randint,
            (random, "randrange"): rng.randrange,
            (random, "random"): rng.random,
            (random, "getrandbits"): rng.getrandbits,
            (random, "randbytes"): rng.randbytes,
            (secrets, "choice"): rng.choice,
            (secrets, "randbelow"): rng.randrange,
            (secrets, "randbits"): rng.getrandbits,
            (secrets, "token_bytes"): self.token_bytes,
            (secrets, "token_hex"): self.token_hex,
            (secrets, "token_urlsafe"): self.token_urlsafe,
            (os, "urandom"): rng.randbytes,
        }
        originals = {id(getattr(owner, name)): fake for (owner, name), fake in fakes.items()}
        for (owner, name), fake in fakes.items():
            monkeypatch.setattr(owner, name, fake)
        # `from secrets import choice` in main.py: that name is patched too.
        for name, value in list(vars(module).items()):
            if id(value) in originals and callable(value):
                monkeypatch.setattr(module, name, originals[id(value)])


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A random code can come up again. Before storing a link, check that its code is free and "
    "draw again while it is taken (while code in links: ...): a new link must never replace an "
    "old one. A counter-based code never repeats at all."
)
def test_a_code_drawn_again_does_not_replace_a_link(learner, client, monkeypatch):
    main = learner.require("main", "app")
    source = RepeatingRandom()
    source.install(monkeypatch, main)
    first = create(client, "https://example.com/first")["code"]
    click(client, first)
    source.rewind()  # the next link draws the same random values as the first one
    second = create(client, "https://example.com/second")["code"]
    assert second != first, (
        f"two links got the same code {first!r} when the random source repeated itself: check "
        "that a drawn code is free and draw again while it is taken"
    )
    for code, url, expected_clicks in (
        (first, "https://example.com/first", 1),
        (second, "https://example.com/second", 0),
    ):
        body = stats(client, code)
        assert (body.get("url"), body.get("clicks")) == (url, expected_clicks), (
            f"after creating a second link, GET /links/{code}/stats answered {body!r}, "
            f"expected url={url!r} and clicks={expected_clicks}"
        )


@pytest.mark.task(1)
@pytest.mark.hint("reset_store() must empty the store: afterwards, every old code is unknown.")
def test_reset_store_forgets_every_link(learner, client):
    code = create(client)["code"]
    learner.require("main", "reset_store").reset_store()
    response = client.get(f"/links/{code}/stats")
    assert response.status_code == 404, (
        f"after reset_store(), GET /links/{code}/stats answered {describe(response)}, not 404"
    )


# --- Task 2: following links -----------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Return RedirectResponse(url, status_code=307). 307 is temporary, so browsers keep asking "
    "the shortener (and every click is counted); 301 is cached by browsers, which then skip "
    "the shortener, and 302 lets a client change the method."
)
@pytest.mark.parametrize(
    "url",
    [DOCS, "https://example.com/search?q=fast+api&page=2", "http://localhost:8000/health"],
    ids=["path", "query", "port"],
)
def test_code_redirects_with_307_to_the_url(client, url):
    code = create(client, url)["code"]
    response = follow(client, code)
    location = response.headers.get("location")
    assert location == url, f"GET /{code} redirected to {location!r}, expected {url!r}"


@pytest.mark.task(2)
@pytest.mark.hint(
    "HttpUrl normalizes a bare host by adding a slash: https://example.com becomes "
    "https://example.com/. Redirect to the URL you stored."
)
def test_bare_host_url_redirects_there(client):
    code = create(client, "https://example.com")["code"]
    location = follow(client, code).headers.get("location")
    assert location in ("https://example.com/", "https://example.com"), (
        f"GET /{code} redirected to {location!r}, expected 'https://example.com/'"
    )


@pytest.mark.task(2)
@pytest.mark.hint("An unknown code must raise HTTPException(status_code=404), not redirect.")
@pytest.mark.parametrize("code", ["Zz9Yy8X", "abc123", "00000000"])
def test_unknown_code_redirect_is_404(client, code):
    create(client)
    response = client.get(f"/{code}")
    assert response.status_code == 404, f"GET /{code} (unknown) answered {describe(response)}"


# --- Task 3: statistics ----------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.hint("GET /links/{code}/stats answers {'code', 'url', 'clicks'}; a new link has 0.")
def test_new_link_stats_have_zero_clicks(client):
    code = create(client)["code"]
    body = stats(client, code)
    assert isinstance(body, dict), f"GET /links/{code}/stats answered {body!r}, not an object"
    assert (body.get("code"), body.get("url"), body.get("clicks")) == (code, DOCS, 0), (
        f"GET /links/{code}/stats for a new link answered {body!r}, "
        f"expected code={code!r}, url={DOCS!r}, clicks=0"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint("Increment the link's click count in the redirect handler, once per request.")
def test_three_redirects_count_three_clicks(client):
    code = create(client)["code"]
    for _ in range(3):
        click(client, code)
    counted = clicks(client, code)
    assert counted == 3, f"after 3 redirects GET /links/{code}/stats answered clicks={counted!r}"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Only a redirect is a click. Reading the statistics must not change them: GET "
    "/links/{code}/stats only reads."
)
def test_reading_stats_is_not_a_click(client):
    code = create(client)["code"]
    seen = [clicks(client, code) for _ in range(3)]
    assert seen == [0, 0, 0], f"three reads of the stats of a new link answered clicks {seen}"
    click(client, code)
    counted = clicks(client, code)
    assert counted == 1, f"after one redirect and 4 stats reads, clicks={counted!r}, expected 1"


@pytest.mark.task(3)
@pytest.mark.hint("Count clicks per link: each link has its own counter.")
def test_clicks_are_counted_per_link(client):
    first = create(client, "https://example.com/first")["code"]
    second = create(client, "https://example.com/second")["code"]
    click(client, first)
    click(client, first)
    counts = (clicks(client, first), clicks(client, second))
    assert counts == (2, 0), (
        f"after 2 redirects of the first link only, the clicks are {counts}, expected (2, 0)"
    )


@pytest.mark.task(3)
@pytest.mark.hint("An unknown code has no statistics: answer 404.")
def test_unknown_code_stats_is_404(client):
    create(client)
    response = client.get(f"/links/{UNKNOWN}/stats")
    assert response.status_code == 404, (
        f"GET /links/{UNKNOWN}/stats (unknown) answered {describe(response)}"
    )
