from fastapi import APIRouter

ORDERS = [
    {"id": 1, "user_id": 1, "total_cents": 1250},
    {"id": 2, "user_id": 1, "total_cents": 499},
    {"id": 3, "user_id": 2, "total_cents": 7600},
    {"id": 4, "user_id": 3, "total_cents": 2300},
]

router = APIRouter()

# TODO: Task 1 - GET /api/v1/orders/ (ORDERS) and GET /api/v1/orders/{order_id} (the order, or
#       404 {"detail": "Order not found"}), declared relative to the router's prefix
