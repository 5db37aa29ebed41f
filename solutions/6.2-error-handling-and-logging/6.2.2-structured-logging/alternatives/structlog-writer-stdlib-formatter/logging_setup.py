import json
import logging
import time
from typing import IO

import structlog

_state: dict = {}


class StdlibJson(logging.Formatter):
    """Records of plain logging loggers, in the same shape as structlog's lines."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "event": record.getMessage(),
            "level": record.levelname,
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
            "logger": record.name,
        }
        data.update(structlog.contextvars.get_contextvars())
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, default=repr)


def configure_logging(stream: IO[str], level: str | int = "INFO") -> None:
    numeric = logging.getLevelName(level) if isinstance(level, str) else level
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.dict_tracebacks,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.WriteLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )
    root = logging.getLogger()
    old = _state.get("handler")
    if old is not None:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(StdlibJson())
    root.addHandler(handler)
    root.setLevel(numeric)
    _state["handler"] = handler
