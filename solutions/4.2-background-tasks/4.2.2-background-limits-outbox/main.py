"""Reports built in the background: in-process with BackgroundTasks, or durably via a job table."""

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI
from jobs import Base, Job
from pydantic import BaseModel, Field
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

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


Builder = Annotated[Callable[[dict], None], Depends(get_report_builder)]


@app.post("/reports", status_code=202)
def report_in_process(body: ReportIn, background_tasks: BackgroundTasks, builder: Builder):
    background_tasks.add_task(builder, body.model_dump())
    return {"status": "scheduled"}


@app.post("/reports/durable", status_code=202)
def report_durable(body: ReportIn, db: Annotated[Session, Depends(get_db)]):
    job = Job(payload=body.model_dump())
    db.add(job)
    db.commit()
    return {"job_id": job.id}
