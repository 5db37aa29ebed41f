"""Reports built in the background: in-process with BackgroundTasks, or durably via a job table."""

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pydantic import BaseModel, Field
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from jobs import Base

engine = create_engine("sqlite:///./jobs.db", connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)

REPORTS: list[dict] = []


def build_report(payload: dict) -> None:
    """The slow work (here it only records the report it built)."""
    REPORTS.append(payload)


def get_report_builder() -> Callable[[dict], None]:
    return build_report


def get_db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    Base.metadata.create_all(engine)
    yield
    engine.dispose()


app = FastAPI(title="Reports", lifespan=lifespan)


class ReportIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


@app.post("/reports", status_code=202)
def report_in_process(body: ReportIn):
    # TODO (Task 1): get the builder from get_report_builder and run it in the background.
    return {"status": "scheduled"}


# TODO (Task 2): POST /reports/durable
