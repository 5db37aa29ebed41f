"""JSON lines for every `logging` record, with the request id of the request being handled."""

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Any

# Set by the middleware for the time of a request. A ContextVar (not a global) keeps two
# concurrent requests apart: each asyncio task, and each threadpool call FastAPI makes for a
# `def` endpoint, sees the value of its own request.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# Attributes every LogRecord has: whatever else a record holds came from `extra=`.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line: a traceback goes inside a field."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id is not None:
            line["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class JsonLinesHandler(logging.StreamHandler):
    """The handler configure_logging installs, so that a second call can find and replace it."""


def configure_logging(stream: IO[str], level: str | int = "INFO") -> None:
    """Write every record of `level` or above, from any logger, to `stream` as JSON lines.
    Calling it again replaces the previous handler: lines go to the new stream only, once."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, JsonLinesHandler):
            root.removeHandler(handler)
    handler = JsonLinesHandler(stream)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
