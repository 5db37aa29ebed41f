import logging

MASK = "ak_***"


class RedactSecretsFilter(logging.Filter):
    """Replaces every API key in a record's message with ak_***, and keeps the record."""

    # TODO: Task 3 - replace each key ("ak_" then letters, digits, "_", "-" or ".") of the
    #       message, its %-arguments filled in (record.getMessage()), with MASK; keep the record
    def filter(self, record: logging.LogRecord) -> bool:
        return True
