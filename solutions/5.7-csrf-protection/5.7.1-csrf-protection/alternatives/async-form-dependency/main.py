"""An async dependency that reads the form itself; the token kept in the session."""

import secrets
from typing import Annotated
from urllib.parse import urlparse

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse
from starlette.middleware.sessions import SessionMiddleware

SECRET_KEY = "dev-only-7f3a9c2e5b8d1f4a6c0e9b2d7a5f3c1e"
TRUSTED_ORIGIN = "https://testserver"

USERS = {"alice": "wonderland", "bob": "builder"}
BALANCES = {"alice": 100, "bob": 100}

app = FastAPI(title="Tiny bank")
app.add_middleware(SessionMiddleware, secret_key=SECRET_KEY, same_site="lax", https_only=True)


def current_user(request: Request) -> str:
    user = request.session.get("user")
    if user is None:
        raise HTTPException(status_code=401, detail="Not logged in")
    return user


@app.post("/login")
def login(request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()]):
    expected = USERS.get(username)
    if expected is None or not secrets.compare_digest(password.encode(), expected.encode()):
        raise HTTPException(status_code=401, detail="Wrong username or password")
    request.session.clear()
    request.session["user"] = username
    return {"user": username}


@app.post("/logout")
def logout(request: Request):
    request.session.clear()
    return {"user": None}


@app.get("/balance")
def balance(user: Annotated[str, Depends(current_user)]):
    return {"user": user, "balance": BALANCES[user]}


@app.get("/form", response_class=HTMLResponse)
def transfer_form(request: Request, user: Annotated[str, Depends(current_user)]):
    if "csrf_token" not in request.session:
        request.session["csrf_token"] = secrets.token_hex(32)
    token = request.session["csrf_token"]
    html = f"""<!doctype html>
<title>Send money</title>
<p>Signed in as {user}.</p>
<form method="post" action="/transfer">
  <input type="hidden" name="csrf_token" value="{token}" />
  <label>To <input name="to"></label>
  <label>Amount <input name="amount" type="number" min="1"></label>
  <button>Send</button>
</form>
"""
    resp = HTMLResponse(html)
    resp.set_cookie("csrftoken", token, secure=True, samesite="strict")
    return resp


def move_money(user: str, to: str, amount: int) -> dict:
    if to not in BALANCES or to == user:
        raise HTTPException(status_code=404, detail="No such account")
    if amount > BALANCES[user]:
        raise HTTPException(status_code=400, detail="Insufficient funds")
    BALANCES[user] -= amount
    BALANCES[to] += amount
    return {"from": user, "to": to, "amount": amount, "balance": BALANCES[user]}


def origin_of(url: str) -> str:
    p = urlparse(url)
    return f"{p.scheme}://{p.netloc}"


async def check_csrf(request: Request):
    fail = HTTPException(status_code=403, detail="CSRF check failed")
    origin = request.headers.get("origin")
    referer = request.headers.get("referer")
    if origin is not None and origin != TRUSTED_ORIGIN:
        raise fail
    if origin is None and referer is not None and origin_of(referer) != TRUSTED_ORIGIN:
        raise fail
    form = await request.form()
    field = form.get("csrf_token")
    cookie = request.cookies.get("csrftoken")
    mine = request.session.get("csrf_token")
    if not isinstance(field, str) or not field or not cookie or not mine:
        raise fail
    if not secrets.compare_digest(field.encode(), cookie.encode()):
        raise fail
    if not secrets.compare_digest(cookie.encode(), mine.encode()):
        raise fail


@app.post("/transfer", dependencies=[Depends(check_csrf)])
def transfer(
    user: Annotated[str, Depends(current_user)],
    to: Annotated[str, Form()],
    amount: Annotated[int, Form(gt=0)],
):
    return move_money(user, to, amount)
