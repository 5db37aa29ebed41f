"""CSRF tokens that the server does not need to store: signed, bound to a session, expiring.

A token is `<issued>.<nonce>.<signature>`: the issue time in decimal Unix seconds, 16 random
bytes, and an HMAC-SHA256 over (session id, issued, nonce), all base64url without padding.
The session id is signed but never written into the token."""

import base64
import hashlib
import hmac
import json
import re
import secrets

ISSUED = re.compile(r"0|[1-9][0-9]{0,11}")  # as str(now) writes it: no leading 0, sign, "_"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _signature(session_id: str, secret: bytes, issued: int, nonce: str) -> str:
    # JSON keeps the three parts apart, whatever characters the session id holds.
    message = json.dumps([session_id, issued, nonce]).encode()
    return _b64(hmac.new(secret, message, hashlib.sha256).digest())


def generate_csrf_token(session_id: str, secret: bytes, now: int) -> str:
    """A new token for this session, issued at `now` (Unix seconds), signed with `secret`."""
    nonce = secrets.token_urlsafe(16)
    return f"{now}.{nonce}.{_signature(session_id, secret, now, nonce)}"


def validate_csrf_token(
    token: str, session_id: str, secret: bytes, now: int, max_age: int = 3600
) -> bool:
    """True only for a token made by generate_csrf_token for this session with this secret,
    at most `max_age` seconds before `now`. Never raises."""
    try:
        issued_text, nonce, signature = token.split(".")
        if not ISSUED.fullmatch(issued_text):
            return False
        issued = int(issued_text)
        expected = _signature(session_id, secret, issued, nonce)
        # bytes: compare_digest raises TypeError for a str that is not ASCII
        if not hmac.compare_digest(signature.encode(), expected.encode()):
            return False
        return issued <= now and now - issued <= max_age
    except Exception:  # a token is attacker input: whatever it is, the answer is False
        return False
