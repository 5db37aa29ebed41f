"""Exceptions for authentication and authorization failures."""


class AuthError(Exception):
    """The request's bearer token is missing or not valid."""

    # TODO: status_code, code and a default message; an optional message in __init__


class TokenExpired(AuthError):
    """The bearer token was valid once but has expired."""

    # TODO


class InsufficientScope(AuthError):
    """The token is valid but lacks a scope the route needs."""

    # TODO
