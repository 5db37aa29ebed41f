import asyncio
from typing import Annotated, Any

from fastapi import Depends, FastAPI

app = FastAPI()


class Services:
    """Downstream services; each call takes a while (the demo sleeps 0.2 s)."""

    async def get_profile(self, user_id: int) -> dict[str, Any]:
        await asyncio.sleep(0.2)
        return {"id": user_id, "name": f"User {user_id}"}

    async def get_orders(self, user_id: int) -> list[dict[str, Any]]:
        await asyncio.sleep(0.2)
        return [{"id": 1000 + user_id, "total": 42.5}]

    async def get_recommendations(self, user_id: int) -> list[dict[str, Any]]:
        await asyncio.sleep(0.2)
        return [{"item_id": 7, "score": 0.93}]

    async def get_item(self, item_id: int) -> dict[str, Any]:
        await asyncio.sleep(0.2)
        return {"id": item_id, "name": f"Item {item_id}"}


def get_services() -> Services:
    return Services()


ServicesDep = Annotated[Services, Depends(get_services)]


# TODO: Task 1 - GET /dashboard/{user_id}: await get_profile, get_orders and
#       get_recommendations of the injected Services *concurrently* and answer
#       {"user_id": ..., "profile": ..., "orders": ..., "recommendations": ..., "errors": []}.


# TODO: Task 2 - a failing orders/recommendations call becomes null and its name goes
#       into "errors"; a failing profile call answers 502.


# TODO: Task 3 - GET /batch?ids=1&ids=2...: fetch every item with get_item, at most 3
#       in flight at once, and answer {"items": [...]} in the order of ids.
