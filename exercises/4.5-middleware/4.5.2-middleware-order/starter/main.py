from fastapi import FastAPI


# TODO: Task 1 - three middlewares, Logging, Timing and Auth: each appends "<Name>>" to the
#       trace on the way in and "<<Name>" on the way out. They must run on the request in the
#       order Logging -> Timing -> Auth (Logging outermost), like a Django MIDDLEWARE list.
# TODO: Task 2 - Auth answers 401 {"detail": "Not authenticated"} when the request has no
#       X-Token header, without calling the rest of the app.


def build_app(trace: list[str]) -> FastAPI:
    app = FastAPI()

    @app.get("/hello")
    def hello() -> dict:
        trace.append("endpoint")
        return {"message": "hello"}

    # TODO: add the three middlewares, each appending to `trace`.
    return app
