from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from pydantic import BaseModel, constr
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from users_service.models import User, UsersBase

router = APIRouter()


class NewUser(BaseModel):
    name: constr(min_length=1, max_length=100)


def _session(request: Request) -> Session:
    return Session(request.app.state.engine)


@router.post("/users", status_code=201)
def add_user(new: NewUser, request: Request):
    with _session(request) as session, session.begin():
        user = User(name=new.name)
        session.add(user)
        session.flush()
        return {"id": user.id, "name": user.name}


@router.get("/users/{user_id}")
def get_user(user_id: int, request: Request):
    with _session(request) as session:
        user = session.get(User, user_id)
        if not user:
            raise HTTPException(404, "no such user")
        return {"id": user.id, "name": user.name}


@router.get("/health")
def health():
    return {"status": "ok"}


@router.get("/ready")
def ready(request: Request, response: Response):
    try:
        with _session(request) as session:
            session.execute(select(1))
    except Exception:
        response.status_code = 503
        return {"status": "not ready"}
    return {"status": "ready"}


def create_app(database_url: str) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app):
        UsersBase.metadata.create_all(app.state.engine)
        yield

    app = FastAPI(lifespan=lifespan)
    app.state.engine = create_engine(database_url, connect_args={"check_same_thread": False})
    app.include_router(router)
    return app
