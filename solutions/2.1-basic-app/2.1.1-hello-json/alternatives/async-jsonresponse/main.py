# ALTERNATIVE: async handlers on an APIRouter returning JSONResponse objects
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse

router = APIRouter()


@router.get("/")
async def root() -> JSONResponse:
    return JSONResponse({"message": "Hello, World"})


@router.get("/hello/{name}")
async def hello(name: str) -> JSONResponse:
    return JSONResponse({"message": "Hello, " + name})


app = FastAPI()
app.include_router(router)
