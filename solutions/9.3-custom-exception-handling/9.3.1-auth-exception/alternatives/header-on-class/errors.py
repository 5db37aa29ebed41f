"""Auth errors that know their own WWW-Authenticate header."""

from typing import ClassVar


class AuthError(Exception):
    status_code: ClassVar[int] = 401
    code: ClassVar[str] = "invalid_token"
    rfc6750_error: ClassVar[str] = "invalid_token"
    message: str = "Authentication failed"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or type(self).message
        super().__init__(self.message)

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": f'Bearer error="{self.rfc6750_error}"'}


class TokenExpired(AuthError):
    code = "token_expired"
    message = "Token expired"


class InsufficientScope(AuthError):
    status_code = 403
    code = "insufficient_scope"
    rfc6750_error = "insufficient_scope"
    message = "Missing scope"
