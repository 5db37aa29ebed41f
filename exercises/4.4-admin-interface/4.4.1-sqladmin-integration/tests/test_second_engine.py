"""Hidden tests for 4.4.1: the admin reads through the engine given to create_app. These tests
build apps of their own, apart from the module-wide app of test_sqladmin_integration.py:
sqladmin binds a view class to the Admin that added it last."""

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session


@pytest.fixture
def main(learner):
    return learner.require("main", "Base", "Category", "Product", "create_app")


def seed(main, engine, category_name, product_name):
    with Session(engine) as session:
        category = main.Category(name=category_name)
        session.add(main.Product(name=product_name, price=Decimal("7.00"), category=category))
        session.commit()


def product_list(client):
    response = client.get("/admin/product/list")
    assert response.status_code == 200, f"GET /admin/product/list answered {response.status_code}"
    return response.text


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Give the admin the engine that create_app receives: `Admin(app, engine)`. An engine or an "
    "app made at module level serves one database for ever."
)
def test_an_app_on_another_engine_shows_that_engines_rows(main, db_engine, app_client):
    first_engine = db_engine(main.Base.metadata)
    seed(main, first_engine, "Garden", "Rake")
    first = main.create_app(first_engine)
    text = product_list(app_client(first))
    assert "Rake" in text, "the product list does not show the stored product Rake"

    other_engine = db_engine(main.Base.metadata)
    seed(main, other_engine, "Tools", "Trowel")
    other = main.create_app(other_engine)
    assert other is not first, "create_app returned the same app object for two engines"
    text = product_list(app_client(other))
    assert "Trowel" in text and "Rake" not in text, (
        "the product list of an app built on a second engine does not show that engine's rows "
        f"(Trowel shown: {'Trowel' in text}, Rake shown: {'Rake' in text})"
    )
