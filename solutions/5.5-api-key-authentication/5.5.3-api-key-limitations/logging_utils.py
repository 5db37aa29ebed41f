import logging
import re

# A key: "ak_" and then letters, digits, "_", "-" or "." (the prefix, the dot, the secret).
KEY = re.compile(r"ak_[A-Za-z0-9_.\-]+")
MASK = "ak_***"


class RedactSecretsFilter(logging.Filter):
    """Replaces every API key in a record's message with ak_***, and keeps the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()  # the message with its %-arguments filled in
        redacted = KEY.sub(MASK, message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
