# ALTERNATIVE: APP_PORT checked after parsing, uvicorn.main.run, app object unless reload
import argparse
import os
import sys

from uvicorn.main import run


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    env_port = os.environ.get("APP_PORT")
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default=os.environ.get("APP_HOST") or "127.0.0.1")
    parser.add_argument("--port", type=int)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args(argv)
    if args.port is None:
        if env_port is None:
            args.port = 8000
        elif env_port.isdigit():
            args.port = int(env_port)
        else:
            parser.error("APP_PORT must be a number")
    if not 1 <= args.port <= 65535:
        parser.error("port must be in 1..65535")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    app = "main:app" if args.reload else __import__("main").app
    run(app, host=args.host, port=args.port, reload=args.reload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
