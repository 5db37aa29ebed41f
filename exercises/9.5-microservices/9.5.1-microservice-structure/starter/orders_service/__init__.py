"""The orders service: owns the orders; asks the users service about users over HTTP only."""

from .app import create_app
from .users_client import UsersClient

__all__ = ["UsersClient", "create_app"]
