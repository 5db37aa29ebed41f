"""GET /documents/{doc_id}: authentication first (401), then authorization (403)."""

from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

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

READ_ANY = "documents:read:any"

bearer = HTTPBearer(auto_error=False)


def get_current_user(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> dict:
    """Authentication: who is calling? No answer means 401, whatever is asked for."""
    holder = TOKENS.get(credentials.credentials) if credentials is not None else None
    if holder is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Not authenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return holder


CurrentUser = Annotated[dict, Depends(get_current_user)]


@app.get("/documents/{doc_id}")
def read_document(doc_id: int, user: CurrentUser) -> dict:
    # The dependency has already authenticated the caller: only now look the document up.
    document = DOCUMENTS.get(doc_id)
    if document is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Document not found")
    # Authorization: may this caller read this document?
    if document["owner"] != user["user"] and READ_ANY not in user["permissions"]:
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN, detail="Not allowed to read this document"
        )
    return document
