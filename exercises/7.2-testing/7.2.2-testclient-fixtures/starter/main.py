"""The shop's item service. Don't change it: your fixtures go in conftest.py."""

from collections.abc import Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

engine = create_engine("sqlite:///./shop.db")  # the real database: never used by the tests
SessionLocal = sessionmaker(bind=engine)


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class ItemIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str


def get_db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.started = True  # where a real app would open pools, load models, warm caches
    yield
    app.state.started = False


app = FastAPI(title="Shop", lifespan=lifespan)


@app.post("/items", status_code=201, response_model=ItemOut)
def create_item(payload: ItemIn, db: Annotated[Session, Depends(get_db)]) -> Item:
    item = Item(name=payload.name)
    db.add(item)
    db.commit()
    db.refresh(item)
    return item


@app.get("/items", response_model=list[ItemOut])
def list_items(db: Annotated[Session, Depends(get_db)]) -> list[Item]:
    return list(db.scalars(select(Item).order_by(Item.id)))


@app.get("/health")
def health() -> dict:
    return {"started": getattr(app.state, "started", False)}
