"""structlog for the app's own lines, and the same JSON for every record of `logging`."""

import logging
from typing import IO

import structlog

HANDLER_NAME = "json-lines"


def configure_logging(stream: IO[str], level: str | int = "INFO") -> None:
    shared = [
        structlog.contextvars.merge_contextvars,  # the request id bound by the middleware
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,  # safe: the cached logger writes through logging
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        # records of plain `logging` loggers go through the same steps
        foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = logging.StreamHandler(stream)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
