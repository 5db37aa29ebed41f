"""GET /documents/{doc_id}: authentication first (401), then authorization (403)."""

from fastapi import FastAPI, HTTPException
from fastapi.security import HTTPBearer  # noqa: F401  (Task 1)

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


@app.get("/documents/{doc_id}")
def read_document(doc_id: int) -> dict:
    # TODO: Task 1 - who is calling? No valid Bearer token: 401 with WWW-Authenticate: Bearer
    # TODO: Task 2 - may they read it? The owner or documents:read:any, else 403
    # TODO: Task 3 - in the right order, and without telling a refused caller anything
    document = DOCUMENTS.get(doc_id)
    if document is None:
        raise HTTPException(status_code=404, detail="Document not found")
    return document
