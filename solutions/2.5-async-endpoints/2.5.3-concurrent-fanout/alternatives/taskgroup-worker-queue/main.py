# ALTERNATIVE: TaskGroup with failure-catching wrappers; batch as 3 queue workers
import asyncio
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query
from pydantic import BaseModel

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


LIMIT = asyncio.Semaphore(3)  # module-level: shared by all requests


class Dashboard(BaseModel):
    user_id: int
    profile: dict
    orders: list | None
    recommendations: list | None
    errors: list[str]


_FAILED = object()


async def safely(coro):
    try:
        return await coro
    except Exception:
        return _FAILED


@app.get("/dashboard/{user_id}", response_model=Dashboard)
async def dashboard(user_id: int, services: ServicesDep):
    async with asyncio.TaskGroup() as tg:
        p = tg.create_task(safely(services.get_profile(user_id)))
        o = tg.create_task(safely(services.get_orders(user_id)))
        r = tg.create_task(safely(services.get_recommendations(user_id)))
    if p.result() is _FAILED:
        raise HTTPException(502)
    errors = []
    result = {"user_id": user_id, "profile": p.result()}
    for name, task in (("orders", o), ("recommendations", r)):
        if task.result() is _FAILED:
            errors.append(name)
            result[name] = None
        else:
            result[name] = task.result()
    result["errors"] = errors
    return result


@app.get("/batch")
async def batch(services: ServicesDep, ids: list[int] = Query(min_length=1)):
    queue: asyncio.Queue = asyncio.Queue()
    for index, item_id in enumerate(ids):
        queue.put_nowait((index, item_id))
    results: list = [None] * len(ids)
    failed = False

    async def worker():
        nonlocal failed
        while not queue.empty() and not failed:
            index, item_id = queue.get_nowait()
            async with LIMIT:
                try:
                    results[index] = await services.get_item(item_id)
                except Exception:
                    failed = True

    await asyncio.gather(*(worker() for _ in range(3)))
    if failed:
        raise HTTPException(status_code=502, detail="batch failed")
    return {"items": results}
