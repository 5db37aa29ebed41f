"""Exceptions for authentication and authorization failures."""


class AuthError(Exception):
    """The request's bearer token is missing or not valid."""

    status_code = 401
    code = "invalid_token"
    message = "The bearer token is missing or not valid"

    def __init__(self, message: str | None = None) -> None:
        if message is not None:
            self.message = message
        super().__init__(self.message)


class TokenExpired(AuthError):
    """The bearer token was valid once but has expired."""

    code = "token_expired"
    message = "The bearer token has expired"


class InsufficientScope(AuthError):
    """The token is valid but lacks a scope the route needs."""

    status_code = 403
    code = "insufficient_scope"
    message = "The bearer token lacks a required scope"
