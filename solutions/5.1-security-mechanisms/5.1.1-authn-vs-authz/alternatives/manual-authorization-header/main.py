"""GET /documents/{doc_id}: authentication first (401), then authorization (403)."""

from fastapi import FastAPI, Header, HTTPException

app = FastAPI()

# token -> who holds it and what they may do. Read at each request: a token removed from here
# is revoked from the next request on.
TOKENS: dict[str, dict] = {
    "tk_5xQ9vR2mLw8aTz3KpB7nYc4d": {"user": "alice", "permissions": []},
    "tk_Hj6uE1sWq0oPf9GkZ2xVb8rN": {"user": "bob", "permissions": []},
    "tk_Ld3Ty7Mc5Ra1Xe9Qn4Uw2Si6": {"user": "carol", "permissions": ["documents:read:any"]},
    "tk_Vp8Bk2Fz6Gj0Ho4Cy1Dm7Ex5": {
        "user": "dave",
        "permissions": ["documents:read:own", "documents:write:any"],
    },
}

DOCUMENTS: dict[int, dict] = {
    1: {"id": 1, "owner": "alice", "title": "Salary review 2026", "body": "Raise: 4 %"},
    2: {"id": 2, "owner": "bob", "title": "Sick leave", "body": "March 3 to March 7"},
    3: {"id": 3, "owner": "alice", "title": "Holiday plan", "body": "Lisbon in May"},
}


def _caller(authorization: str | None) -> dict:
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    holder = TOKENS.get(token) if scheme.lower() == "bearer" and token else None
    if holder is None:
        raise HTTPException(401, "Authentication required", headers={"WWW-Authenticate": "Bearer"})
    return holder


@app.get("/documents/{doc_id}")
async def read_document(doc_id: int, authorization: str | None = Header(default=None)) -> dict:
    caller = _caller(authorization)
    document = DOCUMENTS.get(doc_id)
    if document is None:
        raise HTTPException(404, "Not found")
    allowed = caller["user"] == document["owner"] or "documents:read:any" in caller["permissions"]
    if not allowed:
        raise HTTPException(403, "Forbidden")
    return document
