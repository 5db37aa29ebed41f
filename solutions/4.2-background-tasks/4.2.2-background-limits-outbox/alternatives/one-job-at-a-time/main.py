"""Response models, an explicit 202, and a refresh to read the server-side defaults."""

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from fastapi import BackgroundTasks, Depends, FastAPI, status
from jobs import Base, Job
from pydantic import BaseModel, Field
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine("sqlite:///./jobs.db", connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine)


def build_report(payload: dict) -> None:
    print("building report", payload["name"])


def get_report_builder() -> Callable[[dict], None]:
    return build_report


def get_db() -> Iterator[Session]:
    session = SessionLocal()
    try:
        yield session
    finally:
        session.close()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    Base.metadata.create_all(engine)
    yield


app = FastAPI(lifespan=lifespan)


class ReportIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class Scheduled(BaseModel):
    status: Literal["scheduled"] = "scheduled"


class Queued(BaseModel):
    job_id: int


@app.post("/reports", status_code=status.HTTP_202_ACCEPTED)
async def report_in_process(
    body: ReportIn,
    tasks: BackgroundTasks,
    build: Annotated[Callable[[dict], None], Depends(get_report_builder)],
) -> Scheduled:
    tasks.add_task(build, {"name": body.name})
    return Scheduled()


@app.post("/reports/durable", status_code=status.HTTP_202_ACCEPTED)
def report_durable(body: ReportIn, db: Annotated[Session, Depends(get_db)]) -> Queued:
    job = Job(payload={"name": body.name})
    db.add(job)
    db.commit()
    db.refresh(job)
    return Queued(job_id=job.id)
