from fastapi import APIRouter

router = APIRouter()

# TODO: Task 1 - GET /health: {"status": "ok"}
