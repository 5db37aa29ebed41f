# WRONG: --port uses type=int, so 0 or 70000 are accepted.
"""Start the app defined in main.py with Uvicorn.

Usage: python run.py [--host HOST] [--port PORT] [--reload]
"""

import argparse
import os

import uvicorn


def port_number(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an integer") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not between 1 and 65535")
    return port


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run the FastAPI app in main.py with Uvicorn.")
    parser.add_argument(
        "--host",
        default=os.environ.get("APP_HOST", "127.0.0.1"),
        help="interface to bind (default: $APP_HOST or 127.0.0.1)",
    )
    # A string default goes through `type=` too, so a bad $APP_PORT is a usage error as well.
    parser.add_argument(
        "--port",
        type=int,
        default=os.environ.get("APP_PORT", "8000"),
        help="port to listen on, 1-65535 (default: $APP_PORT or 8000)",
    )
    parser.add_argument("--reload", action="store_true", help="restart when the code changes")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    # An import string, not the app object: the reloader re-imports it in a child process.
    uvicorn.run("main:app", host=args.host, port=args.port, reload=args.reload)


if __name__ == "__main__":
    main()
