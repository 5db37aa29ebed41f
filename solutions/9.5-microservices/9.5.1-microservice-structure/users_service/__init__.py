"""The users service: owns the users and their database."""

from .app import create_app

__all__ = ["create_app"]
