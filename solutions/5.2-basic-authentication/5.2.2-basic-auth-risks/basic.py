import base64
import binascii


def decode_basic(header: str) -> tuple[str, str]:
    """The (username, password) inside an `Authorization: Basic ...` value.

    Anyone who sees the header can do this: Basic credentials are encoded, not encrypted."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic" or not token:
        raise ValueError("not Basic credentials")
    try:
        raw = base64.b64decode(token, validate=True)  # only the base64 alphabet, right padding
    except binascii.Error as exc:
        raise ValueError("the credentials are not valid base64") from exc
    text = raw.decode("utf-8")  # RFC 7617, charset="UTF-8"; UnicodeDecodeError is a ValueError
    username, colon, password = text.partition(":")  # a password may hold ':', a username not
    if not colon:
        raise ValueError("the credentials have no ':' between username and password")
    return username, password
