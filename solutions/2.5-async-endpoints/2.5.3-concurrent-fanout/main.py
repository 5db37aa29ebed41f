import asyncio
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query

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

MAX_ITEMS_IN_FLIGHT = 3


@app.get("/dashboard/{user_id}")
async def dashboard(user_id: int, services: ServicesDep) -> dict[str, Any]:
    # All three calls start at once; return_exceptions=True hands back a failure as a value
    # instead of raising it, so one failing call neither aborts nor cancels the others.
    profile, orders, recommendations = await asyncio.gather(
        services.get_profile(user_id),
        services.get_orders(user_id),
        services.get_recommendations(user_id),
        return_exceptions=True,
    )
    if isinstance(profile, BaseException):
        raise HTTPException(status_code=502, detail="the profile service failed")

    optional = {"orders": orders, "recommendations": recommendations}
    errors = [name for name, value in optional.items() if isinstance(value, BaseException)]
    return {
        "user_id": user_id,
        "profile": profile,
        **{name: None if name in errors else value for name, value in optional.items()},
        "errors": errors,
    }


@app.get("/batch")
async def batch(ids: Annotated[list[int], Query()], services: ServicesDep) -> dict[str, Any]:
    limit = asyncio.Semaphore(MAX_ITEMS_IN_FLIGHT)  # per request: this batch's own budget

    async def fetch(item_id: int) -> dict[str, Any]:
        async with limit:
            return await services.get_item(item_id)

    # A batch is all-or-nothing: the TaskGroup cancels the remaining fetches on the first failure.
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(fetch(item_id)) for item_id in ids]
    except ExceptionGroup:
        raise HTTPException(status_code=502, detail="an item could not be fetched") from None
    return {"items": [task.result() for task in tasks]}
