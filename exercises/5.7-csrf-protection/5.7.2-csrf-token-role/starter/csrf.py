"""CSRF tokens that the server does not need to store: signed, bound to a session, expiring."""

import hashlib  # noqa: F401
import hmac  # noqa: F401
import secrets  # noqa: F401


def generate_csrf_token(session_id: str, secret: bytes, now: int) -> str:
    """A new token for this session, issued at `now` (Unix seconds), signed with `secret`."""
    # TODO: Task 1 - a timestamp, a nonce from `secrets`, and an HMAC-SHA256 (keyed with
    #       `secret`) over the session id, the timestamp and the nonce, all in URL-safe text;
    #       the session id itself stays out of the token
    raise NotImplementedError


def validate_csrf_token(
    token: str, session_id: str, secret: bytes, now: int, max_age: int = 3600
) -> bool:
    """True only for a token made by generate_csrf_token for this session with this secret,
    at most `max_age` seconds before `now`. Never raises."""
    # TODO: Task 2 - recompute the signature and check the age; False for anything else
    # TODO: Task 3 - compare the signatures with hmac.compare_digest
    raise NotImplementedError
