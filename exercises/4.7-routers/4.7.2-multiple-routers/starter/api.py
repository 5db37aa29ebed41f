"""Version 1 of the API: where each router is mounted, and with what."""

from fastapi import APIRouter

# TODO: Task 3 - api_v1 carries the prefix /api/v1 and includes the users router at /users,
#       the orders router at /orders and the admin router at /admin
api_v1 = APIRouter()
