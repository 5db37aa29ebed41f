import re
from urllib.parse import urlsplit

import pytest

from grader.testing import client_for

TOKEN = "let-me-write"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ETAG_FORMAT = re.compile(r'^(W/)?"[^"]*"$')


@pytest.fixture(scope="module")
def shared_client(learner):
    # One import and one client for the whole suite (a client opened with `with` is several times
    # faster per request); every test creates the articles it needs, so tests never depend on
    # each other.
    with client_for(learner.require("main", "app").app) as client:
        yield client


@pytest.fixture
def client(shared_client):
    shared_client.cookies.clear()  # each test starts with an empty cookie jar
    yield shared_client
    shared_client.cookies.clear()


def create(client, title="Statelessness", body="Every request carries its own context."):
    """Setup for tasks 2-4: any 2xx with an id counts, so a wrong status only fails Task 1."""
    response = client.post("/articles", json={"title": title, "body": body}, headers=AUTH)
    assert 200 <= response.status_code < 300, (
        f"POST /articles with a valid token answered {response.status_code}: {response.text[:200]}"
    )
    article = response.json()
    assert isinstance(article, dict) and isinstance(article.get("id"), int), (
        f"POST /articles answered {article!r}: expected an object with an integer 'id'"
    )
    return article


def path_of(url):
    return urlsplit(url).path


def link(article, rel):
    """The href of `_links.<rel>` in a representation, with a clear failure if it is missing."""
    assert isinstance(article, dict), f"expected a JSON object, got {article!r}"
    links = article.get("_links")
    assert isinstance(links, dict), f"the article has no '_links' object (keys: {sorted(article)})"
    entry = links.get(rel)
    assert isinstance(entry, dict) and isinstance(entry.get("href"), str), (
        f"_links.{rel} is {entry!r}, expected {{'href': '...'}}"
    )
    return entry["href"]


def directives(cache_control):
    return {d.strip().lower() for d in (cache_control or "").split(",") if d.strip()}


def fetch(client, article_id, **headers):
    return client.get(f"/articles/{article_id}", headers=headers)


# --- Task 1: a uniform interface -------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Creating answers 201 Created with a Location header naming the new resource: "
    "status_code=201 on the decorator, and response.headers['Location'] = '/articles/<id>'."
)
def test_create_is_201_with_location(client):
    response = client.post("/articles", json={"title": "REST", "body": "Fielding"}, headers=AUTH)
    assert response.status_code == 201, (
        f"POST /articles answered {response.status_code}, not 201: {response.text[:200]}"
    )
    article = response.json()
    assert isinstance(article, dict) and isinstance(article.get("id"), int), (
        f"POST /articles answered {article!r}: expected an object with an integer 'id'"
    )
    assert (article.get("title"), article.get("body")) == ("REST", "Fielding"), (
        f"POST /articles answered {article!r}: title and body should be the ones sent"
    )
    location = response.headers.get("location")
    assert location, "POST /articles answered 201 without a Location header"
    assert path_of(location) == f"/articles/{article['id']}", (
        f"Location is {location!r}, expected /articles/{article['id']}"
    )
    fetched = client.get(location)
    assert fetched.status_code == 200, (
        f"GET {location} (the Location) answered {fetched.status_code}"
    )
    assert fetched.json().get("title") == "REST", f"GET {location} answered {fetched.json()!r}"


@pytest.mark.task(1)
def test_get_item_returns_the_article(client):
    article = create(client, title="Uniform interface", body="Same verbs everywhere.")
    response = fetch(client, article["id"])
    assert response.status_code == 200, (
        f"GET /articles/{article['id']} answered {response.status_code}"
    )
    got = response.json()
    assert (got.get("id"), got.get("title"), got.get("body")) == (
        article["id"],
        "Uniform interface",
        "Same verbs everywhere.",
    ), f"GET /articles/{article['id']} answered {got!r}"


@pytest.mark.task(1)
def test_list_contains_created_articles(client):
    first, second = create(client, title="one"), create(client, title="two")
    response = client.get("/articles")
    assert response.status_code == 200, f"GET /articles answered {response.status_code}"
    listed = response.json()
    assert isinstance(listed, list), f"GET /articles answered {listed!r}, not a JSON list"
    ids = {item.get("id") for item in listed if isinstance(item, dict)}
    assert {first["id"], second["id"]} <= ids, (
        f"GET /articles lists the ids {sorted(i for i in ids if isinstance(i, int))}, "
        f"missing {first['id']} or {second['id']}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_put_replaces_the_article(client):
    article = create(client, title="draft", body="old")
    response = client.put(
        f"/articles/{article['id']}", json={"title": "final", "body": "new"}, headers=AUTH
    )
    assert response.status_code == 200, (
        f"PUT /articles/{article['id']} answered {response.status_code}: {response.text[:200]}"
    )
    assert response.json().get("title") == "final", f"PUT answered {response.json()!r}"
    got = fetch(client, article["id"]).json()
    assert (got.get("title"), got.get("body")) == ("final", "new"), (
        f"after PUT, GET /articles/{article['id']} answered {got!r}"
    )


@pytest.mark.task(1)
@pytest.mark.hint("PUT sends the whole new representation: a body without 'body' is a 422.")
def test_put_needs_the_whole_representation(client):
    article = create(client)
    response = client.put(f"/articles/{article['id']}", json={"title": "only"}, headers=AUTH)
    assert response.status_code == 422, (
        f"PUT /articles/{article['id']} with only a title answered {response.status_code}, not 422"
    )


@pytest.mark.task(1)
@pytest.mark.hint("POST /articles needs a JSON body with a string title and body; else 422.")
def test_invalid_article_is_422(client):
    response = client.post("/articles", json={"title": "no body"}, headers=AUTH)
    assert response.status_code == 422, (
        f"POST /articles without 'body' answered {response.status_code}, not 422"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "DELETE answers 204 No Content with an empty body (status_code=204, return None); "
    "the resource is then gone: GET and a second DELETE answer 404."
)
def test_delete_is_204_then_404(client):
    article = create(client)
    url = f"/articles/{article['id']}"
    response = client.delete(url, headers=AUTH)
    assert response.status_code == 204, f"DELETE {url} answered {response.status_code}, not 204"
    assert response.content == b"", f"DELETE {url} answered 204 with a body: {response.text[:100]}"
    assert client.get(url).status_code == 404, f"GET {url} after DELETE did not answer 404"
    again = client.delete(url, headers=AUTH)
    assert again.status_code == 404, f"a second DELETE {url} answered {again.status_code}, not 404"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "An id is never handed out twice, even after a DELETE: len(_articles) + 1 gives a new "
    "article the id of one still stored (and the POST silently replaces it), max(ids) + 1 the id "
    "of the one just deleted. Take the next id from the starter's counter, next(_ids)."
)
def test_ids_are_never_reused(client):
    first, second = create(client, title="first"), create(client, title="second")
    assert first["id"] != second["id"], f"two POSTs both created the id {first['id']}"
    deleted = client.delete(f"/articles/{first['id']}", headers=AUTH)
    assert deleted.status_code == 204, (
        f"DELETE /articles/{first['id']} answered {deleted.status_code}"
    )
    third = create(client, title="third")
    assert third["id"] not in (first["id"], second["id"]), (
        f"after articles {first['id']} and {second['id']} were created and {first['id']} deleted, "
        f"a new article got the id {third['id']} again"
    )
    kept = fetch(client, second["id"])
    assert kept.status_code == 200 and kept.json().get("title") == "second", (
        f"after a DELETE and a POST, GET /articles/{second['id']} answered {kept.status_code} "
        f"{kept.text[:200]}, not the article 'second'"
    )
    deleted = client.delete(f"/articles/{third['id']}", headers=AUTH)
    assert deleted.status_code == 204, (
        f"DELETE /articles/{third['id']} answered {deleted.status_code}"
    )
    fourth = create(client, title="fourth")
    assert fourth["id"] not in (first["id"], second["id"], third["id"]), (
        f"after the newest article ({third['id']}) was deleted, the next POST got the id "
        f"{fourth['id']}, which an article had before"
    )
    listed = {
        item.get("id"): item.get("title")
        for item in client.get("/articles").json()
        if isinstance(item, dict)
    }
    observed = {i: listed.get(i) for i in (first["id"], second["id"], third["id"], fourth["id"])}
    expected = {
        first["id"]: None,
        second["id"]: "second",
        third["id"]: None,
        fourth["id"]: "fourth",
    }
    assert observed == expected, f"GET /articles lists these of the four ids: {observed}"


@pytest.mark.task(1)
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_article_is_404(client, method):
    body = {"title": "t", "body": "b"} if method == "PUT" else None
    response = client.request(method, "/articles/987654", json=body, headers=AUTH)
    assert response.status_code == 404, (
        f"{method} /articles/987654 (no such article) answered {response.status_code}, not 404"
    )


@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("method", "where"),
    [("PATCH", "item"), ("POST", "item"), ("DELETE", "collection")],
)
@pytest.mark.hint(
    "Register only the operations the API supports; FastAPI answers any other method on a known "
    "path with 405 Method Not Allowed and an Allow header. A catch-all route breaks that."
)
def test_unsupported_method_is_405_with_allow(client, method, where):
    url = "/articles" if where == "collection" else f"/articles/{create(client)['id']}"
    response = client.request(method, url, headers=AUTH)
    assert response.status_code == 405, f"{method} {url} answered {response.status_code}, not 405"
    allow = {m.strip().upper() for m in response.headers.get("allow", "").split(",") if m.strip()}
    assert allow, f"{method} {url} answered 405 without an Allow header"
    assert method not in allow, f"{method} {url} answered 405 but Allow lists {sorted(allow)}"


# --- Task 2: hypermedia links ----------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Pydantic ignores fields whose name starts with '_': name the field `links` and give it "
    "serialization_alias='_links' (FastAPI serializes response models by alias)."
)
def test_item_has_self_and_collection_links(client):
    article = create(client)
    got = fetch(client, article["id"]).json()
    self_href, collection_href = link(got, "self"), link(got, "collection")
    assert path_of(self_href) == f"/articles/{article['id']}", (
        f"_links.self.href is {self_href!r}, expected /articles/{article['id']}"
    )
    assert path_of(collection_href) == "/articles", (
        f"_links.collection.href is {collection_href!r}, expected /articles"
    )


@pytest.mark.task(2)
@pytest.mark.hint("A client must be able to follow _links.self.href with a GET, unchanged.")
def test_links_can_be_followed(client):
    article = create(client, title="follow me")
    got = fetch(client, article["id"]).json()
    response = client.get(link(got, "self"))
    assert response.status_code == 200, (
        f"GET {link(got, 'self')} (_links.self.href) answered {response.status_code}"
    )
    assert response.json().get("title") == "follow me", f"following self gave {response.json()!r}"
    listed = client.get(link(got, "collection"))
    assert listed.status_code == 200, (
        f"GET {link(got, 'collection')} (_links.collection.href) answered {listed.status_code}"
    )
    assert article["id"] in {item.get("id") for item in listed.json()}, (
        "following _links.collection.href gave a list without the article"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Every representation of an article carries _links: the answers to POST and PUT, and each "
    "item of GET /articles, not only GET /articles/{id}."
)
def test_every_representation_has_links(client):
    created = create(client)
    expected = f"/articles/{created['id']}"
    assert path_of(link(created, "self")) == expected, (
        f"the POST answer's _links.self.href is {link(created, 'self')!r}"
    )
    replaced = client.put(expected, json={"title": "t", "body": "b"}, headers=AUTH).json()
    assert path_of(link(replaced, "self")) == expected, (
        f"the PUT answer's _links.self.href is {link(replaced, 'self')!r}"
    )
    listed = [i for i in client.get("/articles").json() if i.get("id") == created["id"]]
    assert listed, f"GET /articles does not list article {created['id']}"
    assert path_of(link(listed[0], "self")) == expected, (
        f"the list item's _links.self.href is {link(listed[0], 'self')!r}"
    )


# --- Task 3: stateless -----------------------------------------------------------------------


@pytest.mark.task(3)
def test_reads_need_no_token(client):
    article = create(client)
    for url in ("/articles", f"/articles/{article['id']}"):
        response = client.get(url)
        assert response.status_code == 200, (
            f"GET {url} without an Authorization header answered {response.status_code}"
        )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
@pytest.mark.hint(
    "Protect every write with a dependency: dependencies=[Depends(require_token)], where "
    "require_token uses fastapi.security.HTTPBearer. A missing header answers 401 with "
    "WWW-Authenticate: Bearer."
)
def test_write_without_token_is_401(client, method):
    article = create(client)
    url = "/articles" if method == "POST" else f"/articles/{article['id']}"
    body = None if method == "DELETE" else {"title": "anonymous", "body": "edit"}
    client.cookies.clear()  # this test is about the header alone; test_every_write_... is not
    response = client.request(method, url, json=body)
    assert response.status_code == 401, (
        f"{method} {url} without a token answered {response.status_code}, not 401"
    )
    assert response.headers.get("www-authenticate", "").lower().startswith("bearer"), (
        f"the 401 has WWW-Authenticate {response.headers.get('www-authenticate')!r}, not Bearer"
    )
    got = fetch(client, article["id"]).json()
    assert got.get("title") != "anonymous", "the rejected write changed the article anyway"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
@pytest.mark.hint(
    "Check the token before the write, not after it: a dependency on the route "
    "(dependencies=[Depends(require_token)]) runs before the handler's body, so a rejected "
    "request creates, replaces and deletes nothing."
)
def test_rejected_write_changes_nothing(client, method):
    article = create(client, title="kept", body="as it was")
    url = "/articles" if method == "POST" else f"/articles/{article['id']}"
    body = None if method == "DELETE" else {"title": "intruder", "body": "was here"}
    before = client.get("/articles").json()
    response = client.request(
        method, url, json=body, headers={"Authorization": "Bearer wrong-token"}
    )
    assert response.status_code == 401, (
        f"{method} {url} with a wrong token answered {response.status_code}, not 401"
    )
    after = client.get("/articles").json()
    assert after == before, (
        f"{method} {url} was answered 401 but changed the collection: "
        f"{len(before)} articles before, {len(after)} after"
    )
    got = fetch(client, article["id"])
    assert got.status_code == 200 and got.json().get("title") == "kept", (
        f"after the rejected {method} {url}, GET /articles/{article['id']} answered "
        f"{got.status_code} {got.text[:200]}"
    )


@pytest.mark.task(3)
@pytest.mark.parametrize(
    "authorization",
    ["Bearer wrong-token", "Basic bGV0LW1lLXdyaXRl", "let-me-write", "Bearer"],
    ids=["wrong-token", "basic-scheme", "no-scheme", "empty-bearer"],
)
@pytest.mark.hint(
    "Compare the bearer credentials with API_TOKEN and raise HTTPException(401, ..., "
    "headers={'WWW-Authenticate': 'Bearer'}) when they differ."
)
def test_bad_credentials_are_401(client, authorization):
    response = client.post(
        "/articles", json={"title": "t", "body": "b"}, headers={"Authorization": authorization}
    )
    assert response.status_code == 401, (
        f"POST /articles with Authorization {authorization!r} answered {response.status_code}"
    )
    assert response.headers.get("www-authenticate", "").lower().startswith("bearer"), (
        f"the 401 has WWW-Authenticate {response.headers.get('www-authenticate')!r}, not Bearer"
    )


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Stateless means the server remembers nothing about the client between requests: no "
    "session, no cookie, no 'already authenticated' flag. Check the token on every write."
)
def test_every_write_needs_the_token(client):
    article = create(client)  # an authorized write, from this very client
    url = f"/articles/{article['id']}"
    attempts = {
        "POST /articles": client.post("/articles", json={"title": "t", "body": "b"}),
        f"PUT {url}": client.put(url, json={"title": "t", "body": "b"}),
        f"DELETE {url}": client.delete(url),
    }
    codes = {what: response.status_code for what, response in attempts.items()}
    assert all(code == 401 for code in codes.values()), (
        f"right after an authorized write, the same client without a token got {codes}; "
        "every write must answer 401"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint("A REST server keeps no session: no response may carry Set-Cookie.")
def test_no_cookies_are_set(client):
    article = create(client)
    url = f"/articles/{article['id']}"
    responses = [
        client.get("/articles"),
        client.get(url),
        client.put(url, json={"title": "t", "body": "b"}, headers=AUTH),
        client.post("/articles", json={"title": "t", "body": "b"}),
        client.delete(url, headers=AUTH),
    ]
    with_cookies = [
        f"{r.request.method} {r.request.url.path}" for r in responses if "set-cookie" in r.headers
    ]
    assert not with_cookies and not client.cookies, (
        f"these responses set a cookie: {with_cookies or list(client.cookies)}"
    )


# --- Task 4: cacheable -----------------------------------------------------------------------


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "GET /articles/{id} sets two headers: ETag (a quoted string computed from the article, "
    "e.g. '\"' + sha256(...).hexdigest() + '\"') and Cache-Control: max-age=60."
)
def test_get_item_sends_etag_and_cache_control(client):
    article = create(client)
    response = fetch(client, article["id"])
    assert response.status_code == 200, (
        f"GET /articles/{article['id']} answered {response.status_code}"
    )
    etag = response.headers.get("etag")
    assert etag, "GET /articles/{id} answered without an ETag header"
    assert ETAG_FORMAT.match(etag), f'the ETag {etag!r} is not a quoted string such as "abc123"'
    cache = directives(response.headers.get("cache-control"))
    assert "max-age=60" in cache, (
        f"Cache-Control is {response.headers.get('cache-control')!r}, it needs max-age=60"
    )
    assert not cache & {"no-store", "no-cache"}, (
        f"Cache-Control {response.headers.get('cache-control')!r} forbids the caching it announces"
    )


@pytest.mark.task(4)
def test_etag_is_stable_while_unchanged(client):
    article = create(client)
    first, second = fetch(client, article["id"]), fetch(client, article["id"])
    assert first.headers.get("etag") and first.headers.get("etag") == second.headers.get("etag"), (
        f"two GETs of an unchanged article gave the ETags {first.headers.get('etag')!r} and "
        f"{second.headers.get('etag')!r}"
    )


@pytest.mark.task(4)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Read the If-None-Match request header; when it matches the current ETag, return "
    "Response(status_code=304, headers=...) with no body instead of the article."
)
def test_matching_if_none_match_is_304_without_body(client):
    article = create(client)
    etag = fetch(client, article["id"]).headers.get("etag")
    assert etag, "GET /articles/{id} answered without an ETag header"
    response = fetch(client, article["id"], **{"If-None-Match": etag})
    assert response.status_code == 304, (
        f"GET with If-None-Match: {etag} (the current ETag) answered {response.status_code}, "
        "not 304 Not Modified"
    )
    assert response.content == b"", f"the 304 has a body: {response.text[:100]!r}"


@pytest.mark.task(4)
@pytest.mark.hint(
    "A 304 must repeat the ETag and Cache-Control it would have sent with a 200, so the "
    "cache can refresh its stored copy."
)
def test_304_repeats_etag_and_cache_control(client):
    article = create(client)
    etag = fetch(client, article["id"]).headers.get("etag")
    response = fetch(client, article["id"], **{"If-None-Match": etag or '"none"'})
    assert response.status_code == 304, f"a matching If-None-Match answered {response.status_code}"
    assert response.headers.get("etag") == etag, (
        f"the 304 carries ETag {response.headers.get('etag')!r}, expected {etag!r}"
    )
    assert "max-age=60" in directives(response.headers.get("cache-control")), (
        f"the 304 carries Cache-Control {response.headers.get('cache-control')!r}"
    )


@pytest.mark.task(4)
@pytest.mark.hint("An If-None-Match that names another ETag must get the full 200 answer.")
def test_non_matching_if_none_match_is_200(client):
    article = create(client, title="fresh")
    response = fetch(client, article["id"], **{"If-None-Match": '"some-other-version"'})
    assert response.status_code == 200, (
        f"GET with a non-matching If-None-Match answered {response.status_code}, not 200"
    )
    assert response.json().get("title") == "fresh", f"the 200 answered {response.json()!r}"


@pytest.mark.task(4)
@pytest.mark.points(3)
@pytest.mark.hint(
    "The ETag must change when the article changes: compute it from the content (a hash of "
    "title and body, or a version number bumped by PUT), never from the id alone."
)
@pytest.mark.parametrize(
    "replacement",
    [
        {"title": "v2", "body": "second"},
        {"title": "v1", "body": "second"},
        {"title": "v2", "body": "first"},
    ],
    ids=["both", "body-only", "title-only"],
)
def test_etag_changes_after_put(client, replacement):
    article = create(client, title="v1", body="first")
    url = f"/articles/{article['id']}"
    old = fetch(client, article["id"]).headers.get("etag")
    put = client.put(url, json=replacement, headers=AUTH)
    assert put.status_code == 200, f"PUT {url} answered {put.status_code}"
    new = fetch(client, article["id"]).headers.get("etag")
    assert new and new != old, (
        f"the ETag stayed {old!r} after a PUT replaced {{'title': 'v1', 'body': 'first'}}"
        f" with {replacement}"
    )
    response = fetch(client, article["id"], **{"If-None-Match": old or '"none"'})
    assert response.status_code == 200, (
        f"GET with the pre-PUT ETag answered {response.status_code}: a cache would keep "
        "serving the old article"
    )
    got = {key: response.json().get(key) for key in replacement}
    assert got == replacement, f"GET answered {response.json()!r}"
