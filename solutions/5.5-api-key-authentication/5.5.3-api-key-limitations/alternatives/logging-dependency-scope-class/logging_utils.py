import logging
import re

MASK = "ak_***"
KEY_RE = re.compile(r"ak_[-.\w]+", re.ASCII)


class RedactSecretsFilter(logging.Filter):
    """Replaces every API key in a record's message with ak_***, and keeps the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = str(record.msg) % record.args if record.args else str(record.msg)
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = KEY_RE.sub(MASK, message)
        record.args = ()
        return True
