"""Tokens as a base64url JSON payload (time, nonce) and a hex HMAC-SHA256, joined by a dot."""

import base64
import hashlib
import hmac
import json
import secrets


def _enc(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _dec(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, session_id: str, payload: str) -> str:
    msg = session_id.encode() + b"\x00" + payload.encode()
    return hmac.new(secret, msg, hashlib.sha256).hexdigest()


def generate_csrf_token(session_id: str, secret: bytes, now: int) -> str:
    payload = _enc(json.dumps({"t": now, "n": secrets.token_hex(16)}).encode())
    return payload + "." + _mac(secret, session_id, payload)


def validate_csrf_token(token, session_id, secret, now, max_age=3600) -> bool:
    try:
        payload, mac = token.split(".")
        expected = _mac(secret, session_id, payload)
        if not hmac.compare_digest(mac.encode(), expected.encode()):
            return False
        data = json.loads(_dec(payload))
        issued = data["t"]
        if type(issued) is not int:
            return False
        return now - issued <= max_age
    except Exception:
        return False
