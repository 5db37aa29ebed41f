"""GET /me (Tasks 2 and 3): only a valid access token gets in."""

from fastapi import FastAPI

import auth  # noqa: F401  (SECRET_KEY, ALGORITHM, get_now...)

app = FastAPI()


@app.get("/me")
def me():
    # TODO: Task 2 - read the Bearer token, check it, answer {"sub": ...}
    # TODO: Task 3 - refuse every other token with 401 and WWW-Authenticate: Bearer
    raise NotImplementedError
