import logging
import re

MASK = "ak_***"
_KEY = re.compile(r"\bak_[\w.-]+", re.ASCII)


class RedactSecretsFilter(logging.Filter):
    """Replaces every API key in a record's message with ak_***, and keeps the record."""

    def __init__(self, name: str = "") -> None:
        super().__init__(name)

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if "ak_" in text:
            record.msg = _KEY.sub(lambda _match: MASK, text)
            record.args = ()
        return True
