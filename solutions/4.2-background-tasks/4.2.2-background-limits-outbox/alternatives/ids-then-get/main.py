from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager

from fastapi import BackgroundTasks, Depends, FastAPI
from jobs import Base, Job
from pydantic import BaseModel, Field
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine("sqlite:///./jobs.db", connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)

REPORTS: list[dict] = []


def build_report(payload: dict) -> None:
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
def report_in_process(
    body: ReportIn,
    bg: BackgroundTasks,
    builder: Callable[[dict], None] = Depends(get_report_builder),
):
    bg.add_task(builder, payload=body.model_dump())
    return {"status": "scheduled"}


@app.post("/reports/durable", status_code=202)
def report_durable(body: ReportIn, db: Session = Depends(get_db)):
    job = Job(payload=body.model_dump())
    db.add(job)
    db.commit()
    db.refresh(job)
    return {"job_id": job.id}
