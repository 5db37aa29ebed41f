"""A tiny bank whose pages use a cookie session, protected against CSRF.

Layers: a token kept in the session and sent twice (hidden field + cookie), an Origin/Referer
check, SameSite and Secure cookies, and no state change on GET."""

import html
import secrets
from typing import Annotated
from urllib.parse import urlsplit

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

CSRF_COOKIE = "csrftoken"
CSRF_FIELD = "csrf_token"
SESSION_KEY = "csrf"  # where the session keeps its copy of the token

app = FastAPI(title="Tiny bank")
# HttpOnly (SessionMiddleware always sets it), SameSite=Lax, and Secure: https only.
app.add_middleware(SessionMiddleware, secret_key=SECRET_KEY, same_site="lax", https_only=True)


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
    request.session.clear()  # every login starts a new session: no token survives it
    request.session["user"] = username
    return {"user": username}


@app.post("/logout")
def logout(request: Request) -> dict:
    request.session.clear()
    return {"user": None}


@app.get("/balance")
def balance(user: Annotated[str, Depends(current_user)]) -> dict:
    return {"user": user, "balance": BALANCES[user]}


def session_token(request: Request) -> str:
    """This session's CSRF token, made once per session."""
    token = request.session.get(SESSION_KEY)
    if token is None:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


@app.get("/form", response_class=HTMLResponse)
def transfer_form(request: Request, user: Annotated[str, Depends(current_user)]) -> HTMLResponse:
    token = session_token(request)
    page = f"""<!doctype html>
<title>Send money</title>
<p>Signed in as {html.escape(user)}.</p>
<form method="post" action="/transfer">
  <input type="hidden" name="{CSRF_FIELD}" value="{html.escape(token)}">
  <label>To <input name="to"></label>
  <label>Amount <input name="amount" type="number" min="1"></label>
  <button>Send</button>
</form>
"""
    response = HTMLResponse(page)
    response.set_cookie(CSRF_COOKIE, token, path="/", secure=True, httponly=True, samesite="strict")
    return response


def move_money(user: str, to: str, amount: int) -> dict:
    if to not in BALANCES or to == user:
        raise HTTPException(status_code=404, detail="No such account")
    if amount > BALANCES[user]:
        raise HTTPException(status_code=400, detail="Insufficient funds")
    BALANCES[user] -= amount
    BALANCES[to] += amount
    return {"from": user, "to": to, "amount": amount, "balance": BALANCES[user]}


def csrf_failed() -> HTTPException:
    return HTTPException(status_code=403, detail="CSRF check failed")


def same_origin(request: Request) -> bool:
    """Origin when the browser sent one, else the Referer's origin; neither: no opinion."""
    origin = request.headers.get("origin")
    if origin is not None:
        return origin == TRUSTED_ORIGIN
    referer = request.headers.get("referer")
    if referer is not None:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}" == TRUSTED_ORIGIN
    return True


def require_csrf(request: Request, csrf_token: Annotated[str | None, Form()] = None) -> None:
    if not same_origin(request):
        raise csrf_failed()
    cookie = request.cookies.get(CSRF_COOKIE)
    issued = request.session.get(SESSION_KEY)
    if not csrf_token or not cookie or not issued:
        raise csrf_failed()
    # bytes: compare_digest refuses str that is not ASCII
    field_matches_cookie = secrets.compare_digest(csrf_token.encode(), cookie.encode())
    cookie_is_this_sessions = secrets.compare_digest(cookie.encode(), issued.encode())
    if not (field_matches_cookie and cookie_is_this_sessions):
        raise csrf_failed()


@app.post("/transfer", dependencies=[Depends(require_csrf)])
def transfer(
    user: Annotated[str, Depends(current_user)],
    to: Annotated[str, Form()],
    amount: Annotated[int, Form(gt=0)],
) -> dict:
    return move_money(user, to, amount)


# No GET /transfer: a GET never changes state. SameSite=Lax still sends the session cookie on a
# top-level GET navigation, and tokens are checked on unsafe methods only.
