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

    def __str__(self):
        return str(self.name)


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    category: Mapped[Category] = relationship(back_populates="products")


class ProductAdmin(ModelView, model=Product):
    column_list = ["id", "name", "price", "category"]
    column_searchable_list = ["name"]
    column_sortable_list = ["name", "price"]
    column_formatters = {"price": lambda m, a: f"{m.price:.2f} EUR"}
    icon = "fa-solid fa-cart-shopping"


class CategoryAdmin(ModelView, model=Category):
    name = "Category"
    name_plural = "Categories"
    column_list = ["id", "name"]
    form_columns = ["name"]
    icon = "fa-solid fa-folder"


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

    Base.metadata.create_all(engine)
    admin = Admin(app=app, engine=engine, title="Shop back office")
    admin.add_model_view(CategoryAdmin)
    admin.add_model_view(ProductAdmin)

    return app


if __name__ == "__main__":
    import uvicorn
    from sqlalchemy import create_engine

    shop_engine = create_engine("sqlite:///shop.db", connect_args={"check_same_thread": False})
    Base.metadata.create_all(shop_engine)
    uvicorn.run(create_app(shop_engine))
