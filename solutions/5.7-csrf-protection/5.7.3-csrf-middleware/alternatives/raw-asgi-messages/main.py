"""A notes API used two ways: by its own single-page app (a cookie session) and by programs
(a bearer token). Only the first kind is open to CSRF."""

import secrets
from contextlib import asynccontextmanager
from typing import Annotated

from csrf_middleware import CSRFMiddleware
from fastapi import Depends, FastAPI, Form, HTTPException, Request, WebSocket
from pydantic import BaseModel

SESSIONS = {"sess-alice-0a9f3c": "alice"}  # session id (cookie `session`) -> user
API_TOKENS = {"tok-bob-7d2e1b": "bob"}  # bearer token (for programs) -> user
NOTES: list[dict] = []


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.ready = True
    yield
    app.state.ready = False


app = FastAPI(title="Notes", lifespan=lifespan)
app.add_middleware(CSRFMiddleware, exempt_paths=["/webhooks/stripe"], cookie_name="csrftoken")


def current_user(request: Request) -> str:
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        for token, user in API_TOKENS.items():
            if secrets.compare_digest(credential.encode(), token.encode()):
                return user
    session = request.cookies.get("session", "")
    for session_id, user in SESSIONS.items():
        if secrets.compare_digest(session.encode(), session_id.encode()):
            return user
    raise HTTPException(status_code=401, detail="Not authenticated")


class NoteIn(BaseModel):
    text: str


def add_note(text: str, author: str) -> dict:
    note = {"id": len(NOTES) + 1, "text": text, "author": author}
    NOTES.append(note)
    return note


@app.get("/api/notes")
def list_notes(user: Annotated[str, Depends(current_user)]) -> list[dict]:
    return [note for note in NOTES if note["author"] == user]


@app.post("/api/notes", status_code=201)
def create_note(note: NoteIn, user: Annotated[str, Depends(current_user)]) -> dict:
    return add_note(note.text, user)


@app.post("/api/notes/form", status_code=201)
def create_note_from_form(
    text: Annotated[str, Form()], user: Annotated[str, Depends(current_user)]
) -> dict:
    return add_note(text, user)


@app.delete("/api/notes/{note_id}", status_code=204)
def delete_note(note_id: int, user: Annotated[str, Depends(current_user)]) -> None:
    for note in NOTES:
        if note["id"] == note_id and note["author"] == user:
            NOTES.remove(note)
            return
    raise HTTPException(status_code=404, detail="No such note")


@app.post("/webhooks/stripe")
async def stripe_webhook(request: Request) -> dict:
    # Stripe's servers send no cookies and no CSRF token; a real webhook checks the
    # Stripe-Signature header instead (left out here).
    event = await request.json()
    return {"received": event.get("type")}


@app.get("/health")
def health(request: Request) -> dict:
    return {"ready": getattr(request.app.state, "ready", False)}


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(await websocket.receive_text())
    await websocket.close()
