"""Hidden tests for 5.1.1: GET /documents/{doc_id}, 401 before 404, 403 after authentication.

The tests find each user's token in the learner's `TOKENS` (the starter's values), and add or
remove tokens on that dict with monkeypatch, which puts it back afterwards. Every refusal test
first shows that the genuine request of the same shape is let in, so that an app refusing
everything cannot pass it; a refusal that lets a stranger in or hands out a document weighs as
much as a whole task.
"""

import base64
import re

import pytest

UNKNOWN = "tk_0000000000000000000000000"


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "TOKENS", "DOCUMENTS")


class Api:
    def __init__(self, main, client):
        self.main = main
        self.client = client

    def token(self, user):
        for token, holder in self.main.TOKENS.items():
            if holder.get("user") == user:
                return token
        pytest.fail(f"TOKENS holds no token for {user!r}: keep the starter's values")

    def get(self, doc_id, token=None, headers=None, **options):
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.get(f"/documents/{doc_id}", headers=headers, **options)

    def reads(self, user, doc_id, token=None):
        token = self.token(user) if token is None else token
        response = self.get(doc_id, token)
        expected = self.main.DOCUMENTS[doc_id]
        assert response.status_code == 200 and response.json() == expected, (
            f"GET /documents/{doc_id} with {user}'s valid token answered {said(response)}, "
            f"expected 200 {expected}"
        )

    def answers(self, status, doc_id, what, token=None, headers=None, **options):
        response = self.get(doc_id, token, headers, **options)
        assert response.status_code == status, (
            f"GET /documents/{doc_id} {what} answered {said(response)}, expected {status}"
        )
        return response


@pytest.fixture
def api(main, app_client):
    return Api(main, app_client(main.app))


def said(response):
    return f"{response.status_code} {response.text[:200]}"


def challenge_of(response):
    return response.headers.get("www-authenticate", "")


# --- Task 1: authentication -------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.hint(
    "Read the header with `bearer = HTTPBearer(auto_error=False)` in a dependency, look "
    "`credentials.credentials` up in TOKENS, and let the handler run for a known token."
)
@pytest.mark.parametrize(("user", "doc_id"), [("alice", 1), ("bob", 2), ("carol", 1)])
def test_valid_token_is_let_in(api, user, doc_id):
    api.reads(user, doc_id)


@pytest.mark.task(1)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Only `Authorization: Bearer <token>` counts. HTTPBearer(auto_error=False) returns None "
    "for no header, an empty token and any other scheme: answer those with "
    "HTTPException(401, headers={'WWW-Authenticate': 'Bearer'}). Never read a token from the "
    "query string or another scheme."
)
def test_request_without_bearer_credentials_is_401(api):
    alice = api.token("alice")
    api.reads("alice", 1)
    basic = base64.b64encode(f"alice:{alice}".encode()).decode()
    cases = [
        ("without an Authorization header", {}, {}),
        ("with 'Authorization: Bearer' and no token", {"Authorization": "Bearer"}, {}),
        (
            "with alice's token as 'Basic <base64 of alice:token>'",
            {"Authorization": f"Basic {basic}"},
            {},
        ),
        ("with alice's token as 'Token <token>'", {"Authorization": f"Token {alice}"}, {}),
        ("with alice's token in the query string (?token=...)", {}, {"token": alice}),
        ("with alice's token as the whole header (no scheme)", {"Authorization": alice}, {}),
    ]
    for what, headers, params in cases:
        api.answers(401, 1, what, headers=headers, params=params)


@pytest.mark.task(1)
@pytest.mark.points(8)
@pytest.mark.hint(
    "A token is valid when it is exactly a key of TOKENS: `TOKENS.get(token)`. No "
    "startswith, no lower(), no lookup by user name."
)
def test_token_not_in_tokens_is_401(api):
    alice = api.token("alice")
    api.reads("alice", 1)
    cases = [
        ("an unknown token", UNKNOWN),
        ("a prefix of alice's token", alice[:-4]),
        ("alice's token with characters added", alice + "x"),
        ("alice's token in upper case", alice.upper()),
        ("alice's token in lower case", alice.lower()),
        ("the user name 'alice' as the token", "alice"),
    ]
    for what, token in cases:
        api.answers(401, 1, f"with {what} as the Bearer token", token=token)


@pytest.mark.task(1)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Look the token up in TOKENS at each request, inside the dependency: a copy made at import "
    "(a set of tokens, a dict by user) keeps a revoked token working."
)
def test_revoked_token_is_401_from_the_next_request(api, monkeypatch):
    alice = api.token("alice")
    api.reads("alice", 1)
    monkeypatch.delitem(api.main.TOKENS, alice)
    api.answers(401, 1, "with alice's token after it was removed from TOKENS", token=alice)


@pytest.mark.task(1)
@pytest.mark.hint("Read TOKENS at each request, not a copy made when the module loads.")
def test_token_added_to_tokens_works_from_the_next_request(api, monkeypatch):
    new = "tk_NewlyIssued9Q3w7Ej2Rt5Yu1"
    api.answers(401, 3, "with a token not (yet) in TOKENS", token=new)
    monkeypatch.setitem(api.main.TOKENS, new, {"user": "alice", "permissions": []})
    api.reads("alice", 3, token=new)


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Every 401 says how to authenticate: HTTPException(401, detail=..., "
    "headers={'WWW-Authenticate': 'Bearer'}), for a missing token and for an unknown one."
)
@pytest.mark.parametrize("kind", ["missing", "unknown"])
def test_401_carries_www_authenticate_bearer(api, kind):
    token = None if kind == "missing" else UNKNOWN
    response = api.answers(401, 1, f"with a {kind} token", token=token)
    assert challenge_of(response).lower().startswith("bearer"), (
        f"GET /documents/1 with a {kind} token answered 401 with WWW-Authenticate "
        f"{challenge_of(response)!r}, expected 'Bearer'"
    )
    assert "detail" in response.json(), f"the 401 body is {response.text[:200]}"


# --- Task 2: authorization --------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.hint(
    "After authentication, compare the document's owner with the caller's user and answer "
    "the document as stored in DOCUMENTS."
)
@pytest.mark.parametrize(("user", "doc_id"), [("alice", 1), ("alice", 3), ("bob", 2)])
def test_owner_reads_own_document(api, user, doc_id):
    api.reads(user, doc_id)


@pytest.mark.task(2)
@pytest.mark.hint(
    "A caller whose permissions contain 'documents:read:any' reads every document, not only "
    "their own."
)
@pytest.mark.parametrize("doc_id", [1, 2, 3])
def test_read_any_permission_reads_every_document(api, doc_id):
    api.reads("carol", doc_id)


@pytest.mark.task(2)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Being authenticated is not being allowed: when the document's owner is not the caller "
    "and the caller lacks 'documents:read:any', raise HTTPException(403)."
)
def test_non_owner_without_permission_is_403(api):
    api.reads("alice", 1)
    for user, doc_id in [("alice", 2), ("bob", 1), ("bob", 3)]:
        owner = api.main.DOCUMENTS[doc_id]["owner"]
        response = api.answers(
            403, doc_id, f"with {user}'s token ({owner} owns it)", token=api.token(user)
        )
        assert "detail" in response.json(), f"the 403 body is {response.text[:200]}"


@pytest.mark.task(2)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Check for the exact permission: `'documents:read:any' in permissions` on the list. A "
    "prefix or substring test lets 'documents:read:own' or 'documents:read:anyone' in."
)
def test_other_permissions_grant_nothing(api, monkeypatch):
    api.reads("carol", 2)
    api.answers(
        403,
        1,
        "with dave's token (documents:read:own, documents:write:any)",
        token=api.token("dave"),
    )
    for i, permission in enumerate(
        ["documents:read", "documents:read:anyone", "documents:read:own", "documents:*"]
    ):
        token = f"tk_AddedForThisTest{i}xYz123456"
        monkeypatch.setitem(
            api.main.TOKENS, token, {"user": f"erin{i}", "permissions": [permission]}
        )
        api.answers(403, 2, f"with a token whose only permission is {permission!r}", token=token)


# --- Task 3: the order, and nothing given away ------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Authenticate before looking the document up: a dependency on the handler (or the first "
    "line of it) answers 401 before DOCUMENTS is read, so a stranger cannot probe which ids "
    "exist."
)
def test_anonymous_request_is_401_even_for_a_missing_document(api):
    for what, token in [("without a token", None), ("with an unknown token", UNKNOWN)]:
        for doc_id in (999, 1):
            api.answers(401, doc_id, what, token=token)


@pytest.mark.task(3)
@pytest.mark.hint(
    "Once the caller is authenticated, a document id missing from DOCUMENTS answers "
    "HTTPException(404), before the ownership check (nobody owns a missing document)."
)
@pytest.mark.parametrize("user", ["alice", "carol", "dave"])
def test_authenticated_request_for_a_missing_document_is_404(api, user):
    response = api.answers(404, 999, f"with {user}'s valid token", token=api.token(user))
    assert "detail" in response.json(), f"the 404 body is {response.text[:200]}"


@pytest.mark.task(3)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Refusals say only what went wrong: detail='Not authenticated' or 'Not allowed to read "
    "this document', never the token that was sent, never the document's owner, title or body."
)
def test_refusals_repeat_neither_the_token_nor_the_document(api):
    document = api.main.DOCUMENTS[2]
    alice = api.token("alice")
    cases = [
        (401, "with an unknown token", UNKNOWN),
        (401, "with a prefix of alice's token", alice[:-4]),
        (403, "with alice's token (bob owns it)", alice),
    ]
    for status, what, token in cases:
        response = api.answers(status, 2, what, token=token)
        text = response.text + " " + " ".join(f"{k}: {v}" for k, v in response.headers.items())
        owner = document["owner"]
        assert not re.search(rf"\b{re.escape(owner)}\b", text, re.IGNORECASE), (
            f"GET /documents/2 {what} answered {status} and names the document's owner "
            f"({owner!r}): {said(response)}"
        )
        for name, secret in [
            ("the token sent", token),
            ("its title", document["title"]),
            ("its body", document["body"]),
        ]:
            assert secret not in text, (
                f"GET /documents/2 {what} answered {status} and repeats {name} ({secret!r}): "
                f"{said(response)}"
            )


@pytest.mark.task(3)
@pytest.mark.hint(
    "Read DOCUMENTS at each request, not a copy made when the module loads: a document added "
    "to it is served from the next request on, and one removed from it answers 404."
)
def test_documents_added_or_removed_count_from_the_next_request(api, monkeypatch):
    api.reads("alice", 3)
    added = {"id": 42, "owner": "bob", "title": "Expense report", "body": "Taxi: 31 EUR"}
    monkeypatch.setitem(api.main.DOCUMENTS, 42, added)
    api.reads("bob", 42)
    api.answers(
        403, 42, "with alice's token (bob owns the added document)", token=api.token("alice")
    )
    monkeypatch.delitem(api.main.DOCUMENTS, 3)
    api.answers(404, 3, "with alice's token after document 3 was removed", token=api.token("alice"))
