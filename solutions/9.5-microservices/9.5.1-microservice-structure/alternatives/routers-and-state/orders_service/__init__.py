from orders_service.app import create_app
from orders_service.users_client import UsersClient

__all__ = ["UsersClient", "create_app"]
