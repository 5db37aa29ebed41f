"""A tiny bank whose pages use a cookie session. As given, any site can move Alice's money."""

import secrets
from typing import Annotated

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse
from starlette.middleware.sessions import SessionMiddleware

# Signs the session cookie (Starlette's SessionMiddleware uses itsdangerous): a browser can
# send its session back, never edit it.
SECRET_KEY = "dev-only-7f3a9c2e5b8d1f4a6c0e9b2d7a5f3c1e"

# The one origin (scheme://host[:port]) this site's own pages are served from.
TRUSTED_ORIGIN = "https://testserver"

USERS = {"alice": "wonderland", "bob": "builder"}
BALANCES = {"alice": 100, "bob": 100}

app = FastAPI(title="Tiny bank")
# TODO: Task 4 - the session cookie: HttpOnly (already), SameSite=Lax, Secure
app.add_middleware(SessionMiddleware, secret_key=SECRET_KEY)


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
    request.session.clear()  # every login starts a new session
    request.session["user"] = username
    return {"user": username}


@app.post("/logout")
def logout(request: Request) -> dict:
    request.session.clear()
    return {"user": None}


@app.get("/balance")
def balance(user: Annotated[str, Depends(current_user)]) -> dict:
    return {"user": user, "balance": BALANCES[user]}


# TODO: Task 1 - put a CSRF token in a hidden field named csrf_token, and in a cookie csrftoken
@app.get("/form", response_class=HTMLResponse)
def transfer_form(user: Annotated[str, Depends(current_user)]) -> str:
    return f"""<!doctype html>
<title>Send money</title>
<p>Signed in as {user}.</p>
<form method="post" action="/transfer">
  <label>To <input name="to"></label>
  <label>Amount <input name="amount" type="number" min="1"></label>
  <button>Send</button>
</form>
"""


def move_money(user: str, to: str, amount: int) -> dict:
    if to not in BALANCES or to == user:
        raise HTTPException(status_code=404, detail="No such account")
    if amount > BALANCES[user]:
        raise HTTPException(status_code=400, detail="Insufficient funds")
    BALANCES[user] -= amount
    BALANCES[to] += amount
    return {"from": user, "to": to, "amount": amount, "balance": BALANCES[user]}


# TODO: Task 2 - refuse a request whose csrf_token field is missing, differs from the cookie,
#       or was not issued to this session: 403 {"detail": "CSRF check failed"}
# TODO: Task 3 - refuse a request whose Origin (or, without Origin, Referer) is foreign
@app.post("/transfer")
def transfer(
    user: Annotated[str, Depends(current_user)],
    to: Annotated[str, Form()],
    amount: Annotated[int, Form(gt=0)],
) -> dict:
    return move_money(user, to, amount)


# TODO: Task 4 - a GET must never move money
@app.get("/transfer")
def transfer_link(user: Annotated[str, Depends(current_user)], to: str, amount: int) -> dict:
    """One-click transfer links for e-mails."""
    return move_money(user, to, amount)
