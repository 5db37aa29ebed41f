"""A tiny bank protected against CSRF with signed double-submit tokens.

Nothing but a random session id is kept in the session: each token is a fresh nonce signed
(itsdangerous) with a key salted by that id, so it is valid for this session only, and every
login (a new id) retires all the tokens of the one before."""

import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse
from itsdangerous import Signer
from starlette.middleware.sessions import SessionMiddleware

SECRET_KEY = "dev-only-7f3a9c2e5b8d1f4a6c0e9b2d7a5f3c1e"
TRUSTED_ORIGIN = "https://testserver"

USERS = {"alice": "wonderland", "bob": "builder"}
BALANCES = {"alice": 100, "bob": 100}

app = FastAPI(title="Tiny bank")
app.add_middleware(
    SessionMiddleware,
    secret_key=SECRET_KEY,
    session_cookie="session",
    same_site="lax",
    https_only=True,
)


def current_user(request: Request) -> str:
    user = request.session.get("user")
    if user is None:
        raise HTTPException(status_code=401, detail="Not logged in")
    return user


@app.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> dict:
    expected = USERS.get(username)
    if expected is None or not secrets.compare_digest(password.encode(), expected.encode()):
        raise HTTPException(status_code=401, detail="Wrong username or password")
    request.session.clear()
    request.session["user"] = username
    request.session["sid"] = secrets.token_urlsafe(24)  # new id: old tokens stop working
    return {"user": username}


@app.post("/logout")
def logout(request: Request) -> dict:
    request.session.clear()
    return {"user": None}


@app.get("/balance")
def balance(user: Annotated[str, Depends(current_user)]) -> dict:
    return {"user": user, "balance": BALANCES[user]}


def signer_for(request: Request) -> Signer | None:
    sid = request.session.get("sid")
    return None if sid is None else Signer(SECRET_KEY, salt=f"csrf-token:{sid}")


@app.get("/form", response_class=HTMLResponse)
def transfer_form(request: Request, user: Annotated[str, Depends(current_user)]):
    token = signer_for(request).sign(secrets.token_urlsafe(32)).decode()
    response = HTMLResponse(
        "<!doctype html><title>Send money</title>"
        f"<p>Signed in as {user}.</p>"
        "<form method='post' action='/transfer'>"
        f"<input value='{token}' type='hidden' name='csrf_token'>"
        "<input name='to'><input name='amount' type='number'><button>Send</button>"
        "</form>"
    )
    response.set_cookie("csrftoken", token, secure=True, samesite="strict")  # path="/" default
    return response


def move_money(user: str, to: str, amount: int) -> dict:
    if to not in BALANCES or to == user:
        raise HTTPException(status_code=404, detail="No such account")
    if amount > BALANCES[user]:
        raise HTTPException(status_code=400, detail="Insufficient funds")
    BALANCES[user] -= amount
    BALANCES[to] += amount
    return {"from": user, "to": to, "amount": amount, "balance": BALANCES[user]}


class CSRFGuard:
    """A dependency that refuses forged POSTs with 403."""

    def __call__(self, request: Request, csrf_token: Annotated[str, Form()] = "") -> None:
        if not self.from_our_site(request) or not self.token_ok(request, csrf_token):
            raise HTTPException(status_code=403, detail="CSRF check failed")

    @staticmethod
    def from_our_site(request: Request) -> bool:
        if "origin" in request.headers:
            return request.headers["origin"] == TRUSTED_ORIGIN
        if "referer" in request.headers:
            url = urlsplit(request.headers["referer"])
            return f"{url.scheme}://{url.netloc}" == TRUSTED_ORIGIN
        return True

    @staticmethod
    def token_ok(request: Request, field: str) -> bool:
        cookie = request.cookies.get("csrftoken", "")
        signer = signer_for(request)
        if not field or not cookie or signer is None:
            return False
        same = secrets.compare_digest(field.encode(), cookie.encode())
        return same and signer.validate(cookie)


@app.post("/transfer")
def transfer(
    _: Annotated[None, Depends(CSRFGuard())],
    user: Annotated[str, Depends(current_user)],
    to: Annotated[str, Form()],
    amount: Annotated[int, Form(gt=0)],
) -> dict:
    return move_money(user, to, amount)
