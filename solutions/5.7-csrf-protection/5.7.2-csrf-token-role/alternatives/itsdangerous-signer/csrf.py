"""CSRF tokens signed with itsdangerous (HMAC-SHA256), laid out `<nonce>.<issued hex>.<sig>`."""

import hashlib
import re
import secrets

from itsdangerous import Signer

NONCE = re.compile(r"[0-9a-f]{32}")
ISSUED = re.compile(r"[0-9a-f]{1,12}")
# 32 bytes in base64url are 43 characters; the last one holds 4 bits and 2 zero bits, so it
# is one of the 16 below. itsdangerous decodes the signature and ignores those spare bits:
# without this check, three other spellings of the last character would validate too.
SIGNATURE = re.compile(r"[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]")


def _signer(secret: bytes) -> Signer:
    # SHA-256, not itsdangerous's SHA-1 default; the key is derived from the secret by HMAC.
    return Signer(secret, salt="csrf-token", digest_method=hashlib.sha256, key_derivation="hmac")


def _message(session_id: str, issued_hex: str, nonce: str) -> bytes:
    return "\n".join([nonce, issued_hex, session_id]).encode()


def generate_csrf_token(session_id: str, secret: bytes, now: int) -> str:
    nonce = secrets.token_hex(16)
    issued_hex = format(now, "x")
    signature = _signer(secret).get_signature(_message(session_id, issued_hex, nonce))
    return f"{nonce}.{issued_hex}.{signature.decode('ascii')}"


def validate_csrf_token(
    token: str, session_id: str, secret: bytes, now: int, max_age: int = 3600
) -> bool:
    parts = token.split(".")
    if len(parts) != 3:
        return False
    nonce, issued_hex, signature = parts
    if not (NONCE.fullmatch(nonce) and ISSUED.fullmatch(issued_hex)):
        return False
    if not SIGNATURE.fullmatch(signature):
        return False
    try:
        # verify_signature compares with hmac.compare_digest, and says False for bad base64
        good = _signer(secret).verify_signature(
            _message(session_id, issued_hex, nonce), signature.encode("utf-8")
        )
    except Exception:
        return False
    return good and 0 <= now - int(issued_hex, 16) <= max_age
