# ALTERNATIVE: SELECT before INSERT, a unique Index as the backstop, APIRouter
from fastapi import APIRouter, Depends, FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict, constr
from sqlalchemy import Index, String, create_engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

engine = create_engine("sqlite:///./library.db", connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(engine)


class Base(DeclarativeBase):
    pass


class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    author: Mapped[str] = mapped_column(String(100), nullable=False)
    __table_args__ = (Index("ix_title_author", "title", "author", unique=True),)


class BookCreate(BaseModel):
    title: constr(min_length=1, max_length=200)
    author: constr(min_length=1, max_length=100)


class BookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    author: str


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


router = APIRouter(prefix="/books", tags=["books"])


@router.post("", status_code=201)
def create_book(data: BookCreate, db: Session = Depends(get_db)) -> BookRead:
    exists = db.execute(
        select(Book.id).where(Book.title == data.title, Book.author == data.author)
    ).first()
    if exists:
        raise HTTPException(409, "duplicate book")
    book = Book(title=data.title, author=data.author)
    db.add(book)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise HTTPException(409, "duplicate book")
    db.refresh(book)
    return BookRead.model_validate(book)


app = FastAPI()
app.include_router(router)
