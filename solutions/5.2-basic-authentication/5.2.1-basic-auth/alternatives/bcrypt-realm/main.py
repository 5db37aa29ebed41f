from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pwdlib import PasswordHash
from pwdlib.hashers.bcrypt import BcryptHasher

app = FastAPI(title="Members API")

# auto_error=False: a missing header gives None, and this module answers every 401 itself.
security = HTTPBasic(realm="members", auto_error=False)

password_hash = PasswordHash((BcryptHasher(),))

USERS: dict[str, str] = {}

# Made once at import: verifying against it costs what verifying a real user's hash costs.
DUMMY_HASH = password_hash.hash("no user has this password")

CHALLENGE = {"WWW-Authenticate": 'Basic realm="members"'}


def create_user(username: str, password: str) -> None:
    USERS[username] = password_hash.hash(password)


class Authenticator:
    """Checks Basic credentials against USERS; one answer for every kind of failure."""

    def refuse(self) -> HTTPException:
        return HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid credentials", CHALLENGE)

    def check(self, username: str, password: str) -> bool:
        known = username in USERS
        try:
            ok = password_hash.verify(password, USERS[username] if known else DUMMY_HASH)
        except ValueError:  # more than 72 bytes: bcrypt 5 refuses it
            ok = False
        return known and ok

    def __call__(
        self, credentials: Annotated[HTTPBasicCredentials | None, Depends(security)]
    ) -> str:
        if credentials is None:
            raise self.refuse()
        if not self.check(credentials.username, credentials.password):
            raise self.refuse()
        return credentials.username


authenticated = Authenticator()


@app.get("/users/me")
async def me(username: Annotated[str, Depends(authenticated)]):
    return {"username": username}
