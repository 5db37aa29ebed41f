from decimal import Decimal

from fastapi import FastAPI
from sqladmin import Admin, ModelView  # noqa: F401  (you will need both)
from sqlalchemy import Engine, ForeignKey, Numeric, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, sessionmaker


class Base(DeclarativeBase):
    pass


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    products: Mapped[list["Product"]] = relationship(back_populates="category")

    # TODO: Task 2 - str(category) is the category's name (the admin shows related rows by str)


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    category: Mapped[Category] = relationship(back_populates="products")


# TODO: Task 2 - ProductAdmin(ModelView, model=Product): list id, name, price, category
# TODO: Task 2 - CategoryAdmin(ModelView, model=Category): list id, name; plural "Categories"


def create_app(engine: Engine) -> FastAPI:
    app = FastAPI(title="Shop")
    sessions = sessionmaker(bind=engine, expire_on_commit=False)

    @app.get("/api/products")
    def list_products() -> list[dict]:
        with sessions() as session:
            products = session.scalars(select(Product).order_by(Product.id)).all()
            return [
                {"id": p.id, "name": p.name, "price": str(p.price), "category": p.category.name}
                for p in products
            ]

    # TODO: Task 1 - mount Admin(app, engine) at /admin and add both views

    return app


if __name__ == "__main__":
    import uvicorn
    from sqlalchemy import create_engine

    shop_engine = create_engine("sqlite:///shop.db", connect_args={"check_same_thread": False})
    Base.metadata.create_all(shop_engine)
    uvicorn.run(create_app(shop_engine))
