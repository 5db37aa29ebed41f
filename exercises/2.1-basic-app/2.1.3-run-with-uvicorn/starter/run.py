"""Start the app defined in main.py with Uvicorn.

Usage: python run.py [--host HOST] [--port PORT] [--reload]
"""

import argparse

import uvicorn


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    # TODO: Task 1 - --host (default $APP_HOST, else 127.0.0.1), --port (1-65535, default
    # $APP_PORT, else 8000) and --reload; a bad port exits like any argparse error
    raise NotImplementedError


def main(argv: list[str] | None = None) -> None:
    # TODO: Task 2 - parse argv, then call uvicorn.run("main:app", host=..., port=..., reload=...)
    raise NotImplementedError


# TODO: Task 3 - call main() only when this file is run as a script
