"""GET /documents/{doc_id} with HTTPBearer's own 401 for a missing token, and the whole access
decision in one dependency chain: caller -> document -> permission."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

app = FastAPI()

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


@dataclass(frozen=True)
class Principal:
    name: str
    permissions: frozenset[str]

    def can(self, permission: str) -> bool:
        return permission in self.permissions


def authenticate(
    credentials: Annotated[HTTPAuthorizationCredentials, Security(HTTPBearer())],
) -> Principal:
    # HTTPBearer() already answered 401 + WWW-Authenticate: Bearer when there was no token.
    holder = TOKENS.get(credentials.credentials)
    if holder is None:
        raise HTTPException(401, "Invalid token", headers={"WWW-Authenticate": "Bearer"})
    return Principal(holder["user"], frozenset(holder["permissions"]))


def readable_document(doc_id: int, caller: Annotated[Principal, Depends(authenticate)]) -> dict:
    document = DOCUMENTS.get(doc_id)
    if document is None:
        raise HTTPException(404, "No such document")
    if document["owner"] == caller.name or caller.can("documents:read:any"):
        return document
    raise HTTPException(403, "Forbidden")


@app.get("/documents/{doc_id}")
async def read_document(document: Annotated[dict, Depends(readable_document)]) -> dict:
    return document
