"""The orders service: owns the orders; asks the users service about users over HTTP only."""

from .app import create_app
from .users_client import UsersClient, UsersUnavailable

__all__ = ["UsersClient", "UsersUnavailable", "create_app"]
