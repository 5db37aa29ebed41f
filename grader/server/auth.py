"""Who is asking: the signed-in teacher (a signed session cookie), or a student (a bearer
token). Forms that change something carry a CSRF token bound to the session."""

from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request

CSRF_FIELD = "csrf"


class NotSignedIn(Exception):
    """A page asked for without a teacher's session: pages redirect, the API answers 401."""


def is_teacher(request: Request) -> bool:
    return request.session.get("teacher") is True


def require_teacher(request: Request) -> None:
    """Dependency of every teacher page and download."""
    if not is_teacher(request):
        raise NotSignedIn()


def password_ok(given: str, expected: str) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def csrf_token(request: Request) -> str:
    """This session's CSRF token, made on first use."""
    token = request.session.get(CSRF_FIELD)
    if not token:
        token = secrets.token_urlsafe(24)
        request.session[CSRF_FIELD] = token
    return token


def check_csrf(request: Request, given: str | None) -> None:
    expected = request.session.get(CSRF_FIELD)
    if not expected or not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(403, "The form is stale or did not come from this site: reload it.")


def bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            401,
            "A student token is needed: pass --token (ask your teacher for one).",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token.strip()
