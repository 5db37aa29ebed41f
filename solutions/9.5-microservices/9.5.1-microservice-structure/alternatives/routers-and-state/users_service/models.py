from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UsersBase(DeclarativeBase):
    pass


class User(UsersBase):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str]
