"""The live view of batches: every `grade batch` writing into the gradebook (on this machine or
another, local or on a broker) as a page that follows it while it runs.

The page is drawn by the server; `static/batch.js`, shipped with the project, polls
`/api/batches/{id}` and redraws it in place. Teachers only, like every page."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from ..batch_progress import BatchProgress, batches, progress
from ..gradebook import Gradebook
from .auth import require_teacher


def batch_routes(
    gradebook: Gradebook, page: Callable[..., HTMLResponse], interval: float
) -> APIRouter:
    """`interval`: seconds between the page's looks at a running batch."""
    router = APIRouter(dependencies=[Depends(require_teacher)])

    def found(batch_id: int) -> BatchProgress:
        batch = progress(gradebook, batch_id)
        if batch is None:
            raise HTTPException(404, f"no batch {batch_id} in this gradebook")
        return batch

    @router.get("/batches", response_class=HTMLResponse)
    def batch_list(request: Request) -> HTMLResponse:
        return page(request, "batches.html", batches=batches(gradebook, limit=50))

    @router.get("/batches/{batch_id}", response_class=HTMLResponse)
    def batch_page(request: Request, batch_id: int) -> HTMLResponse:
        return page(request, "batch.html", batch=found(batch_id), interval=int(interval * 1000))

    @router.get("/api/batches")
    def batch_list_json() -> list[dict]:
        return [b.to_dict() for b in batches(gradebook, limit=50)]

    @router.get("/api/batches/{batch_id}")
    def batch_json(batch_id: int) -> dict:
        return found(batch_id).to_dict()

    return router


def running(gradebook: Gradebook) -> list[BatchProgress]:
    """Batches still running, for the overview's banner."""
    return [b for b in batches(gradebook, limit=10) if b.state == "running"]
