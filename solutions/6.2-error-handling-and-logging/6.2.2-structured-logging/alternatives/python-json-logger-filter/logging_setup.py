"""python-json-logger writes the JSON; a Filter adds the request id."""

import logging
from contextvars import ContextVar
from typing import IO

from pythonjsonlogger.json import JsonFormatter

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


class RequestIdFilter(logging.Filter):
    """Runs in the code that logs, so it sees the ContextVar of that request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


_handler: logging.Handler | None = None


def configure_logging(stream: IO[str], level: str | int = "INFO") -> None:
    global _handler
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
    _handler = logging.StreamHandler(stream)
    _handler.addFilter(RequestIdFilter())
    _handler.setFormatter(
        JsonFormatter(
            "{message}{levelname}{name}",
            style="{",
            rename_fields={"message": "event", "levelname": "level", "name": "logger"},
            timestamp=True,
        )
    )
    root.addHandler(_handler)
    root.setLevel(level)
