from fastapi import APIRouter, HTTPException

ORDERS = [
    {"id": 1, "user_id": 1, "total_cents": 1250},
    {"id": 2, "user_id": 1, "total_cents": 499},
    {"id": 3, "user_id": 2, "total_cents": 7600},
    {"id": 4, "user_id": 3, "total_cents": 2300},
]

router = APIRouter()


@router.get("/")
def list_orders() -> list[dict]:
    return ORDERS


@router.get("/{order_id}")
def read_order(order_id: int) -> dict:
    for order in ORDERS:
        if order["id"] == order_id:
            return order
    raise HTTPException(status_code=404, detail="Order not found")
