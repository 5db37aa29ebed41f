"""Hidden tests for 4.4.1: sqladmin mounted on the app built by create_app(engine), with a
Product and a Category view, and a product created through the admin's form.

Pages are checked only for stable strings (row names, menu names and links, input names, option
texts), never for whole HTML, so that a sqladmin upgrade does not break the suite.

sqladmin binds a view class to the Admin that added it last, and each Admin compiles its own
templates (the costliest part of this suite): the module builds one app, `shop`, and only its
last test builds a second one, on an engine of its own, after every test that uses `shop`."""

import html
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqladmin import Admin
from sqlalchemy import Engine, select

from grader.testing import client_for, fresh_scalars, memory_engine

MODELS = ("Base", "Category", "Product")


@pytest.fixture(scope="module")
def main(learner):
    return learner.require("main", *MODELS, "create_app")


def seed(main, engine, rows):
    """rows: {category name: [(product name, price), ...]}; returns {category name: id}."""
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        categories = {}
        for category_name, products in rows.items():
            category = main.Category(name=category_name)
            session.add(category)
            for product_name, price in products:
                session.add(main.Product(name=product_name, price=price, category=category))
            categories[category_name] = category
        session.commit()
        return {name: category.id for name, category in categories.items()}


@pytest.fixture(scope="module")
def other_shop(main):
    """`other_shop()`: a second app, built at the first call (so after the pages of `shop` a test
    reads first), on an engine of its own: Tools (Trowel)."""
    built = []

    def build():
        if not built:
            engine = memory_engine(main.Base.metadata)
            seed(main, engine, {"Tools": [("Trowel", Decimal("7.00"))]})
            app = main.create_app(engine)
            built.append(SimpleNamespace(engine=engine, app=app, client=client_for(app)))
        return built[0]

    yield build
    for other in built:
        other.engine.dispose()


@pytest.fixture(scope="module")
def shop(main):
    """The app of this module: Garden (Rake, Shears) and Kitchen (Whisk). sqladmin binds a view
    class to the Admin that added it last, so only the module's last test builds another app."""
    engine = memory_engine(main.Base.metadata)
    ids = seed(
        main,
        engine,
        {
            "Garden": [("Rake", Decimal("12.50")), ("Shears", Decimal("24.00"))],
            "Kitchen": [("Whisk", Decimal("3.20"))],
        },
    )
    app = main.create_app(engine)
    yield SimpleNamespace(engine=engine, app=app, client=client_for(app), category_ids=ids)
    engine.dispose()


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, f"GET {path} answered {response.status_code}" + (
        f" (Location: {response.headers['location']})" if "location" in response.headers else ""
    )
    return response.text


def names(columns):
    """A column_list as column names, whether it holds model attributes or strings."""
    return [item if isinstance(item, str) else getattr(item, "key", repr(item)) for item in columns]


def select_options(text, name):
    """{option text: value} of the <select name="..."> of a page, or None without one."""
    match = re.search(
        rf'<select\b[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</select>', text, re.DOTALL
    )
    if match is None:
        return None
    options = re.findall(
        r'<option\b[^>]*\bvalue="([^"]*)"[^>]*>(.*?)</option>', match[1], re.DOTALL
    )
    return {html.unescape(label).strip(): value for value, label in options}


def input_names(text):
    return set(re.findall(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', text))


# --- Task 1: the admin is mounted by create_app ---------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Inside create_app: `admin = Admin(app, engine)`, then `admin.add_view(ProductAdmin)` and "
    "`admin.add_view(CategoryAdmin)`. Admin mounts itself at /admin (its default base_url)."
)
def test_admin_index_is_200_and_links_both_lists(shop):
    text = page(shop.client, "/admin/")
    for link in ("/admin/product/list", "/admin/category/list"):
        assert f'{link}"' in text, f"the page GET /admin/ has no link to {link}"


@pytest.mark.task(1)
@pytest.mark.hint(
    "Create the Admin inside create_app, not at module level; the engine comes from the caller "
    "(the `if __name__ == '__main__':` block makes one only when you run the file)."
)
def test_importing_main_creates_no_engine_and_no_admin(main):
    found = sorted(name for name, value in vars(main).items() if isinstance(value, (Engine, Admin)))
    assert not found, f"after importing main.py, {found} already hold(s) an Engine or an Admin"


# --- Task 2: the two views -------------------------------------------------------------------


@pytest.mark.task(2)
def test_view_identities(learner):
    main = learner.require("main", "Product", "Category", "ProductAdmin", "CategoryAdmin")
    got = (
        getattr(main.ProductAdmin, "identity", None),
        getattr(main.CategoryAdmin, "identity", None),
    )
    assert got == ("product", "category"), (
        f"ProductAdmin and CategoryAdmin have the identities {got}, "
        "expected ('product', 'category')"
    )
    models = (getattr(main.ProductAdmin, "model", None), getattr(main.CategoryAdmin, "model", None))
    assert models == (main.Product, main.Category), (
        f"ProductAdmin and CategoryAdmin are views of {models}"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "`column_list = [Product.id, Product.name, Product.price, Product.category]`: without it "
    "the list page shows only the primary key."
)
def test_product_column_list(learner):
    main = learner.require("main", "ProductAdmin")
    got = names(getattr(main.ProductAdmin, "column_list", []))
    assert got == ["id", "name", "price", "category"], (
        f"ProductAdmin.column_list names {got}, expected ['id', 'name', 'price', 'category']"
    )


@pytest.mark.task(2)
def test_category_column_list(learner):
    main = learner.require("main", "CategoryAdmin")
    got = names(getattr(main.CategoryAdmin, "column_list", []))
    assert got == ["id", "name"], f"CategoryAdmin.column_list names {got}, expected ['id', 'name']"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The list shows the columns of column_list, and a related object as str(obj): give "
    "Category a `__str__` that returns self.name."
)
def test_product_list_shows_names_and_category_names(shop):
    text = page(shop.client, "/admin/product/list")
    missing = [name for name in ("Rake", "Shears", "Whisk") if name not in text]
    assert not missing, f"the page /admin/product/list does not show the products {missing}"
    missing = [name for name in ("Garden", "Kitchen") if name not in text]
    assert not missing, f"the page /admin/product/list does not show the category names {missing}"


@pytest.mark.task(2)
def test_category_list_shows_names(shop):
    text = page(shop.client, "/admin/category/list")
    missing = [name for name in ("Garden", "Kitchen") if name not in text]
    assert not missing, f"the page /admin/category/list does not show {missing}"


@pytest.mark.task(2)
@pytest.mark.hint('sqladmin adds an "s" to the class name; set `name_plural = "Categories"`.')
def test_categories_are_named_categories(shop):
    menu = re.findall(r">\s*(Categor[^<]*?)\s*<", page(shop.client, "/admin/"))
    assert menu == ["Categories"], f"the admin menu names the categories {menu}"
    title = re.findall(r">\s*(Categor[^<]*?)\s*<", page(shop.client, "/admin/category/list"))
    assert "Categories" in title and not set(title) - {"Categories"}, (
        f"the page /admin/category/list names the categories {sorted(set(title))}"
    )


@pytest.mark.task(2)
def test_str_of_a_category_is_its_name(main):
    category = main.Category(name="Pantry")
    assert str(category) == "Pantry", f"str(Category(name='Pantry')) is {str(category)!r}"


# --- Task 3: create a product from the admin -------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.hint(
    "The form is built from the model: leave the relationship `category` in it (not the column "
    "category_id, which sqladmin leaves out), and give Category a __str__ for the option texts."
)
def test_create_form_has_name_price_and_category_select(shop):
    text = page(shop.client, "/admin/product/create")
    fields = input_names(text)
    missing = sorted({"name", "price", "category"} - fields)
    assert not missing, f"the form at /admin/product/create has no input named {missing}"
    options = select_options(text, "category")
    expected = {name: str(id_) for name, id_ in shop.category_ids.items()}
    got = {label: value for label, value in (options or {}).items() if label}
    assert got == expected, (
        f'the select "category" offers {got} (option text: value), expected {expected}'
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "With the two views added and the form left as sqladmin builds it from the model (including "
    "the relationship `category`), a valid POST stores the row and redirects to the list."
)
def test_form_post_creates_the_product(main, shop):
    garden = shop.category_ids["Garden"]
    response = shop.client.post(
        "/admin/product/create",
        data={"name": "Hoe", "price": "4.50", "category": str(garden), "save": "Save"},
    )
    location = response.headers.get("location", "")
    assert response.status_code == 302, (
        f"POST /admin/product/create answered {response.status_code}, not 302"
    )
    assert location.split("?")[0].endswith("/admin/product/list"), (
        f"POST /admin/product/create redirected to {location!r}, not to /admin/product/list"
    )
    stored = [
        (product.name, product.price, product.category_id)
        for product in fresh_scalars(
            shop.engine, select(main.Product).where(main.Product.name == "Hoe")
        )
    ]
    assert stored == [("Hoe", Decimal("4.50"), garden)], (
        f"after the POST, the products named Hoe are {stored} (name, price, category_id)"
    )


# --- Last: another app on another engine (after it, `shop` is no longer served) ---------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Give the admin the engine that create_app receives: `Admin(app, engine)`, and build a new "
    "`FastAPI()` on every call. An engine or an app made at module level serves one database for "
    "ever, and an app cached per engine is not rebuilt by the next call."
)
def test_an_app_on_another_engine_shows_that_engines_rows(main, shop, other_shop):
    text = page(shop.client, "/admin/product/list")
    assert "Rake" in text, "the product list does not show the stored product Rake"

    other = other_shop()
    assert other.app is not shop.app, "create_app returned the same app object for two engines"
    text = page(other.client, "/admin/product/list")
    assert "Trowel" in text and "Rake" not in text, (
        "the product list of an app built on a second engine does not show that engine's rows "
        f"(Trowel shown: {'Trowel' in text}, Rake shown: {'Rake' in text})"
    )

    # A third app on the same engine as the second (its views serve the same rows from now on).
    again = main.create_app(other.engine)
    assert again is not other.app, (
        "create_app returned the same app object when called twice with one engine: it must "
        "build a new FastAPI app on every call"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "Keep the starter's GET /api/products: add the admin to the app, don't replace it; each app "
    "that create_app builds reads the engine it was given."
)
def test_the_json_api_still_answers(shop, other_shop):
    for app, expected, absent in [
        (shop, {"Rake", "Shears", "Whisk"}, set()),
        (other_shop(), {"Trowel"}, {"Rake", "Shears", "Whisk"}),
    ]:
        response = app.client.get("/api/products")
        assert response.status_code == 200, f"GET /api/products answered {response.status_code}"
        body = response.json()
        got = (
            {item.get("name") for item in body if isinstance(item, dict)}
            if isinstance(body, list)
            else set()
        )
        assert expected <= got and not got & absent, (
            f"GET /api/products answered {body!r} on the app built on the engine of"
            f" {sorted(expected)}"
        )
