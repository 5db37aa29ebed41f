import base64
import binascii
import re

# The scheme, one space, then a token of the base64 alphabet with its padding.
_BASIC = re.compile(r"(?i:basic) ([A-Za-z0-9+/]*={0,2})")


def decode_basic(header: str) -> tuple[str, str]:
    match = _BASIC.fullmatch(header)
    if match is None or not match.group(1):
        raise ValueError(f"not Basic credentials: {header[:20]!r}")
    try:
        text = base64.b64decode(match.group(1), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError("undecodable Basic credentials") from exc
    if ":" not in text:
        raise ValueError("no ':' in the Basic credentials")
    username, password = text.split(":", 1)
    return username, password
