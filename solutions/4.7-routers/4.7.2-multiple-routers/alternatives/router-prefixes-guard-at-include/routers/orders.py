from fastapi import APIRouter, HTTPException

ORDERS = [
    {"id": 1, "user_id": 1, "total_cents": 1250},
    {"id": 2, "user_id": 1, "total_cents": 499},
    {"id": 3, "user_id": 2, "total_cents": 7600},
    {"id": 4, "user_id": 3, "total_cents": 2300},
]

router = APIRouter(prefix="/orders", tags=["orders"])


@router.get("/")
def get_orders():
    return ORDERS


@router.get("/{order_id}")
def get_order(order_id: int):
    for o in ORDERS:
        if o["id"] == order_id:
            return o
    raise HTTPException(status_code=404, detail="Order not found")
