import base64  # noqa: F401
import binascii  # noqa: F401


def decode_basic(header: str) -> tuple[str, str]:
    """Task 1: the (username, password) inside an `Authorization: Basic ...` value;
    ValueError for anything that is not Basic credentials."""
    raise NotImplementedError
