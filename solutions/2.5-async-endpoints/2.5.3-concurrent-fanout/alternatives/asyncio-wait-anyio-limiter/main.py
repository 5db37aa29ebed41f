# ALTERNATIVE: create_task + asyncio.wait; batch in an anyio task group with a limiter
import asyncio
from typing import Annotated, Any

import anyio
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


@app.get("/dashboard/{user_id}")
async def dashboard(user_id: int, services: ServicesDep):
    tasks = {
        "profile": asyncio.create_task(services.get_profile(user_id)),
        "orders": asyncio.create_task(services.get_orders(user_id)),
        "recommendations": asyncio.create_task(services.get_recommendations(user_id)),
    }
    await asyncio.wait(tasks.values())
    if tasks["profile"].exception() is not None:
        raise HTTPException(status_code=502, detail="profile unavailable")
    body = {"user_id": user_id, "profile": tasks["profile"].result(), "errors": []}
    for name in ("orders", "recommendations"):
        if tasks[name].exception() is not None:
            body[name] = None
            body["errors"].append(name)
        else:
            body[name] = tasks[name].result()
    return body


@app.get("/batch")
async def batch(ids: Annotated[list[int], Query()], services: ServicesDep):
    limiter = anyio.CapacityLimiter(3)
    results: dict[int, dict] = {}

    async def one(index: int, item_id: int):
        async with limiter:
            results[index] = await services.get_item(item_id)

    try:
        async with anyio.create_task_group() as tg:
            for index, item_id in enumerate(ids):
                tg.start_soon(one, index, item_id)
    except BaseException:
        raise HTTPException(status_code=502, detail="item failed") from None
    return {"items": [results[i] for i in range(len(ids))]}
