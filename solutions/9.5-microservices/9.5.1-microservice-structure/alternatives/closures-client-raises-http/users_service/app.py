from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import String, create_engine, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


def create_app(database_url: str = "sqlite:///./users.db") -> FastAPI:
    engine = create_engine(database_url, connect_args={"check_same_thread": False})
    SessionLocal = sessionmaker(engine)

    def get_session():
        session = SessionLocal()
        try:
            yield session
        finally:
            session.close()

    @asynccontextmanager
    async def lifespan(app):
        Base.metadata.create_all(engine)
        yield

    app = FastAPI(lifespan=lifespan)

    @app.post("/users", status_code=201)
    def create(user_in: UserIn, session: Session = Depends(get_session)):
        user = User(name=user_in.name)
        session.add(user)
        session.commit()
        session.refresh(user)
        return {"id": user.id, "name": user.name}

    @app.get("/users/{user_id}")
    def read(user_id: int, session: Session = Depends(get_session)):
        user = session.get(User, user_id)
        if user is None:
            raise HTTPException(404)
        return {"id": user.id, "name": user.name}

    @app.get("/health")
    def health():
        return {"status": "ok"}

    @app.get("/ready")
    def ready(session: Session = Depends(get_session)):
        try:
            session.execute(text("SELECT 1"))
            return {"status": "ready"}
        except Exception:
            return JSONResponse(status_code=503, content={"status": "not ready"})

    return app
