from fastapi import APIRouter, HTTPException

ORDERS = [
    {"id": 1, "user_id": 1, "total_cents": 1250},
    {"id": 2, "user_id": 1, "total_cents": 499},
    {"id": 3, "user_id": 2, "total_cents": 7600},
    {"id": 4, "user_id": 3, "total_cents": 2300},
]

router = APIRouter(prefix="/orders", tags=["orders"])


@router.get("/")
async def list_orders():
    return ORDERS


@router.get("/{order_id}")
async def read_order(order_id: int):
    found = [order for order in ORDERS if order["id"] == order_id]
    if not found:
        raise HTTPException(404, "Order not found")
    return found[0]
