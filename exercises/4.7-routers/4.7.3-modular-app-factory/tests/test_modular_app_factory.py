"""Hidden tests for 4.7.3.

Apps come from the learner's create_app, or are bare FastAPI() apps that include one module's
router; the catalog service is replaced with a CatalogService of the tests' own through the
kit's `overrides` fixture. The import rule of the cart is checked with `ast`, as the prompt
announces.
"""

import ast

import pytest
from fastapi import FastAPI

DEFAULTS = {"tea": 450, "mug": 1200, "teapot": 3500}
PEN = ("pen", "Fountain pen", 125)
INK = ("ink", "Ink bottle", 990)


@pytest.fixture
def catalog(learner):
    return learner.require(
        "modules.catalog", "router", "init", "get_catalog_service", "CatalogService", "Product"
    )


@pytest.fixture
def cart(learner):
    return learner.require("modules.cart", "router")


@pytest.fixture
def factory(learner, catalog, cart):
    return learner.require("app_factory", "create_app")


def service(catalog, *products):
    """A CatalogService of the tests' own, holding (sku, name, price_cents) products."""
    return catalog.CatalogService(
        [catalog.Product(sku=sku, name=name, price_cents=price) for sku, name, price in products]
    )


def bare(*routers):
    app = FastAPI()
    for router in routers:
        app.include_router(router)
    return app


def said(response):
    return f"{response.status_code} {response.text[:200]}"


def quote(client, *items):
    return client.post(
        "/cart/quote", json={"items": [{"sku": sku, "quantity": qty} for sku, qty in items]}
    )


def operations(app):
    """{(path, method): operation} of the app's OpenAPI document."""
    return {
        (path, method): operation
        for path, item in app.openapi().get("paths", {}).items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    }


def skus_and_prices(response):
    return {p.get("sku"): p.get("price_cents") for p in response.json()}


def added_product(client, sku="kettle"):
    product = {"sku": sku, "name": "Kettle", "price_cents": 2900}
    response = client.post("/catalog/products", json=product)
    assert response.status_code == 201, f"POST /catalog/products answered {said(response)}"
    return product


# --- Task 1: each app gets its own catalog ---------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "init(app) stores a new CatalogService(DEFAULT_PRODUCTS) on app.state (e.g. "
    "app.state.catalog), and get_catalog_service(request) returns request.app.state.catalog."
)
def test_init_gives_the_default_products(catalog, app_client):
    app = bare(catalog.router)
    catalog.init(app)
    response = app_client(app).get("/catalog/products")
    assert response.status_code == 200, (
        f"on a FastAPI() that includes catalog.router after catalog.init(app), "
        f"GET /catalog/products answered {said(response)}"
    )
    assert skus_and_prices(response) == DEFAULTS, (
        f"after catalog.init(app), GET /catalog/products lists {skus_and_prices(response)}, "
        f"expected the default products {DEFAULTS}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "get_catalog_service must return the service stored on the app, the same object on every "
    "request; building a new CatalogService in it forgets every product added."
)
def test_a_product_added_stays_in_that_app(catalog, app_client):
    app = bare(catalog.router)
    catalog.init(app)
    client = app_client(app)
    product = added_product(client)
    response = client.get(f"/catalog/products/{product['sku']}")
    assert response.status_code == 200 and response.json() == product, (
        f"after POST /catalog/products of {product}, GET /catalog/products/{product['sku']} "
        f"on the same app answered {said(response)}"
    )


@pytest.mark.task(1)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Each init(app) must build a new CatalogService, stored on that app; a module-level "
    "service, or one that shares a mutable dict of defaults, is shared by every app."
)
def test_each_app_has_its_own_catalog(catalog, app_client):
    first, before = bare(catalog.router), bare(catalog.router)
    catalog.init(first)
    catalog.init(before)
    product = added_product(app_client(first))
    after = bare(catalog.router)
    catalog.init(after)
    for label, app in (("set up before", before), ("set up after", after)):
        response = app_client(app).get(f"/catalog/products/{product['sku']}")
        assert response.status_code == 404, (
            f"a product added through one app is seen by another app {label} the addition: "
            f"GET /catalog/products/{product['sku']} answered {said(response)}"
        )
        listed = skus_and_prices(app_client(app).get("/catalog/products"))
        assert listed == DEFAULTS, f"another app ({label}) lists {listed}, expected {DEFAULTS}"


# --- Task 2: the cart router -----------------------------------------------------------------


@pytest.fixture
def cart_alone(catalog, cart, app_client, overrides):
    """A FastAPI() with cart.router only, the catalog service overridden with PEN and INK."""
    app = bare(cart.router)
    overrides(app, {catalog.get_catalog_service: lambda: service(catalog, PEN, INK)})
    return app_client(app)


@pytest.mark.task(2)
@pytest.mark.points(4)
@pytest.mark.hint(
    "Take the service as a parameter of the route: "
    "`catalog: Annotated[CatalogService, Depends(get_catalog_service)]`, with "
    "get_catalog_service imported from modules.catalog. Then an override of that dependency "
    "reaches the cart, and the cart needs nothing else of the catalog."
)
def test_cart_alone_prices_with_the_overridden_service(cart_alone):
    response = quote(cart_alone, ("pen", 3), ("ink", 1))
    expected = {
        "lines": [
            {
                "sku": "pen",
                "name": "Fountain pen",
                "quantity": 3,
                "unit_price_cents": 125,
                "line_total_cents": 375,
            },
            {
                "sku": "ink",
                "name": "Ink bottle",
                "quantity": 1,
                "unit_price_cents": 990,
                "line_total_cents": 990,
            },
        ],
        "total_cents": 1365,
    }
    assert response.status_code == 200, (
        "on a FastAPI() with cart.router only and get_catalog_service overridden, "
        f"POST /cart/quote answered {said(response)}"
    )
    assert response.json() == expected, (
        f"POST /cart/quote for 3 pens (125) and 1 ink (990) answered {response.json()}, "
        f"expected {expected}"
    )


@pytest.mark.task(2)
def test_lines_follow_the_request_order(cart_alone):
    response = quote(cart_alone, ("ink", 2), ("pen", 1), ("ink", 1))
    skus = [line.get("sku") for line in response.json().get("lines", [])]
    assert response.status_code == 200 and skus == ["ink", "pen", "ink"], (
        f"POST /cart/quote for ink, pen, ink answered {said(response)}: lines {skus}"
    )
    assert response.json().get("total_cents") == 2 * 990 + 125 + 990, (
        f"the total is {response.json().get('total_cents')}, expected {2 * 990 + 125 + 990}"
    )


@pytest.mark.task(2)
def test_empty_items_give_a_zero_quote(cart_alone):
    response = quote(cart_alone)
    assert response.status_code == 200 and response.json() == {"lines": [], "total_cents": 0}, (
        f'POST /cart/quote with {{"items": []}} answered {said(response)}'
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_unknown_sku_is_404_naming_it(cart_alone):
    response = quote(cart_alone, ("pen", 1), ("quill", 2))
    assert response.status_code == 404, (
        f"POST /cart/quote with the unknown sku 'quill' answered {said(response)}"
    )
    assert "quill" in str(response.json().get("detail")), (
        f"the 404's detail {response.json().get('detail')!r} does not name the sku 'quill'"
    )


@pytest.mark.task(2)
@pytest.mark.parametrize("quantity", [1, 100], ids=["one", "hundred"])
@pytest.mark.hint(
    "Both bounds of the quantity are allowed: `Field(ge=1, le=100)` accepts 1 and 100."
)
def test_quantity_at_its_bounds_is_priced(cart_alone, quantity):
    response = quote(cart_alone, ("pen", quantity))
    assert response.status_code == 200, (
        f"POST /cart/quote with {quantity} pen(s) answered {said(response)}, not 200"
    )
    assert response.json().get("total_cents") == 125 * quantity, (
        f"POST /cart/quote for {quantity} pen(s) at 125 answered {response.json()}, expected "
        f"a total of {125 * quantity}"
    )


@pytest.mark.task(2)
@pytest.mark.parametrize(
    "body",
    [
        {"items": [{"sku": "pen", "quantity": 0}]},
        {"items": [{"sku": "pen", "quantity": -1}]},
        {"items": [{"sku": "pen", "quantity": 101}]},
        {"items": [{"sku": "pen", "quantity": "two"}]},
        {"items": [{"sku": "pen"}]},
        {"items": [{"quantity": 1}]},
        {},
    ],
    ids=["zero", "negative", "over-100", "text", "no-quantity", "no-sku", "no-items"],
)
def test_invalid_quote_body_is_422(cart_alone, body):
    response = cart_alone.post("/cart/quote", json=body)
    assert response.status_code == 422, f"POST /cart/quote with {body} answered {said(response)}"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Ask for the service on every request with Depends(get_catalog_service); don't keep a "
    "service, a price list or a copy of the products from an earlier request or from import."
)
def test_prices_are_read_on_each_request(catalog, cart, app_client, overrides):
    app = bare(cart.router)
    client = app_client(app)
    overrides(app, {catalog.get_catalog_service: lambda: service(catalog, PEN)})
    first = quote(client, ("pen", 2))
    overrides(app, {catalog.get_catalog_service: lambda: service(catalog, ("pen", "Pen", 300))})
    second = quote(client, ("pen", 2))
    totals = [
        r.json().get("total_cents") if r.status_code == 200 else said(r) for r in (first, second)
    ]
    assert totals == [250, 600], (
        "with the catalog service switched between two requests (pen at 125, then at 300), "
        f"two quotes for 2 pens gave {totals}, expected [250, 600]"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_cart_router_carries_its_prefix_and_tag(cart):
    assert getattr(cart.router, "prefix", None) == "/cart", (
        f"cart.router has the prefix {getattr(cart.router, 'prefix', None)!r}, not '/cart': "
        'give it to APIRouter(prefix="/cart", ...) and declare the route as "/quote"'
    )
    ops = operations(bare(cart.router))
    found = {f"{method.upper()} {path}": op.get("tags") for (path, method), op in ops.items()}
    assert found == {"POST /cart/quote": ["cart"]}, (
        f"a FastAPI() that includes cart.router serves {found} (operation: tags), expected "
        "{'POST /cart/quote': ['cart']}"
    )


@pytest.mark.task(2)
def test_cart_has_no_init(cart):
    assert not hasattr(cart, "init"), (
        "modules.cart has an init: the cart keeps no state of its own, so it has none"
    )


def resolved_from(node, package):
    """The absolute module a `from ... import` statement names, or None above the top."""
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    if node.level - 1 > len(parts) - 1:
        return None
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(tree, package):
    """(module, names) of every import in the tree, relative imports resolved from `package`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom):
            module = resolved_from(node, package)
            if module is not None:
                yield module, [alias.name for alias in node.names]


def dotted(node, bound):
    """The module path an expression names (`_catalog.service` -> modules.catalog.service), when
    it starts from a name bound to a module; `getattr(x, "name")` counts as `x.name`."""
    if isinstance(node, ast.Name):
        return bound.get(node.id)
    if isinstance(node, ast.Attribute):
        base = dotted(node.value, bound)
        return f"{base}.{node.attr}" if base else None
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) >= 2
        and isinstance(node.args[1], ast.Constant)
        and isinstance(node.args[1].value, str)
    ):
        base = dotted(node.args[0], bound)
        return f"{base}.{node.args[1].value}" if base else None
    return None


def module_bindings(tree, package):
    """{name: module path} for the names of a file that stand for a module: the names its imports
    bind, and names assigned from them (`c = modules.catalog`)."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    bound[top] = top
        elif isinstance(node, ast.ImportFrom):
            module = resolved_from(node, package)
            for alias in node.names:
                if module is not None and alias.name != "*":
                    bound[alias.asname or alias.name] = f"{module}.{alias.name}".lstrip(".")
    assignments = [
        (target.id, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    ]
    for _ in range(len(assignments)):
        grown = {
            name: path
            for name, value in assignments
            if name not in bound and (path := dotted(value, bound))
        }
        if not grown:
            break
        bound.update(grown)
    return bound


def private_reads(tree, package, private):
    """(line, code, module) of every expression that reaches a private module of the catalog
    through the package or a parent of it (`catalog.service`, `modules.catalog.routes`,
    `getattr(catalog, "service")`); a function's own parameters shadow the file's names."""
    bound = module_bindings(tree, package)
    found = []

    def visit(node, scope):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            arguments = node.args
            for default in [*arguments.defaults, *arguments.kw_defaults]:
                if default is not None:
                    visit(default, scope)
            if not isinstance(node, ast.Lambda):
                for decorator in node.decorator_list:
                    visit(decorator, scope)
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
            every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
            for argument in every:
                if argument.annotation is not None:
                    visit(argument.annotation, scope)
            inner = {k: v for k, v in scope.items() if k not in {a.arg for a in every}}
            body = node.body if isinstance(node.body, list) else [node.body]
            for child in body:
                visit(child, inner)
            return
        if isinstance(node, (ast.Attribute, ast.Call)):
            path = dotted(node, scope)
            if path and path.startswith("modules.catalog."):
                first = path.removeprefix("modules.catalog.").split(".")[0]
                root = node
                while isinstance(root, ast.Attribute):
                    root = root.value
                via = bound.get(root.id, "") if isinstance(root, ast.Name) else ""
                if first in private and not via.startswith("modules.catalog."):
                    found.append((node.lineno, ast.unparse(node), f"modules.catalog.{first}"))
                    return
        for child in ast.iter_child_nodes(node):
            visit(child, scope)

    visit(tree, bound)
    return found


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Import from the package: `from modules.catalog import get_catalog_service` (or "
    "`from ..catalog import get_catalog_service`), which modules/catalog/__init__.py exports, "
    "and use only what it exports: `catalog.service.get_catalog_service`, reached through the "
    "package, is still the private module. modules.catalog.service and modules.catalog.routes "
    "are the catalog's private insides."
)
def test_cart_imports_catalog_only_through_its_package(learner, cart):
    folder = learner.path("modules/catalog")
    private = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    private |= {p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("_")}
    found = []
    for path in sorted(learner.path("modules/cart").rglob("*.py")):
        relative = path.relative_to(learner.folder).as_posix()
        package = relative.removesuffix(".py").replace("/", ".")
        if path.name != "__init__.py":
            package = package.rsplit(".", 1)[0]
        else:
            package = package.removesuffix(".__init__")
        tree = ast.parse(learner.source(relative))
        for module, names in imports_of(tree, package):
            if module.startswith("modules.catalog."):
                found.append(f"{relative} imports {module}")
            elif module == "modules.catalog" and private & set(names):
                found.append(f"{relative} imports {sorted(private & set(names))} from {module}")
        for line, code, module in private_reads(tree, package, private):
            found.append(f"{relative}, line {line}, reaches {module} through the package: {code}")
    assert not found, (
        "the cart reaches into the catalog's private modules: "
        + "; ".join(found)
        + " (use only what the package modules.catalog exports)"
    )


# --- Task 3: create_app ----------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "create_app() enables both modules by default: include each router, and call init(app) for "
    "the modules that have one (getattr(module, 'init', None)); the cart has none."
)
def test_default_app_has_both_modules(factory, app_client):
    client = app_client(factory.create_app())
    listed = client.get("/catalog/products")
    assert listed.status_code == 200 and skus_and_prices(listed) == DEFAULTS, (
        f"create_app(): GET /catalog/products answered {said(listed)}"
    )
    response = quote(client, ("tea", 2), ("teapot", 1))
    assert response.status_code == 200 and response.json().get("total_cents") == 4400, (
        f"create_app(): POST /cart/quote for 2 tea and 1 teapot answered {said(response)}, "
        "expected a total of 4400"
    )


@pytest.mark.task(3)
@pytest.mark.parametrize(
    "call",
    ["keyword", "reversed", "tuple", "generator"],
    ids=["keyword", "cart-first", "tuple", "generator"],
)
@pytest.mark.hint(
    "Accept any iterable of names and read it once: `names = list(modules)` first, then check "
    "and use that list (a generator is empty the second time it is read)."
)
def test_modules_by_keyword_in_any_order(factory, app_client, call):
    app = {
        "keyword": lambda: factory.create_app(modules=["catalog", "cart"]),
        "reversed": lambda: factory.create_app(["cart", "catalog"]),
        "tuple": lambda: factory.create_app(("catalog", "cart")),
        "generator": lambda: factory.create_app(name for name in ("catalog", "cart")),
    }[call]()
    client = app_client(app)
    response = quote(client, ("mug", 2))
    assert response.status_code == 200 and response.json().get("total_cents") == 2400, (
        f"an app from create_app ({call}) answered POST /cart/quote for 2 mugs with "
        f"{said(response)}"
    )


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Include only the routers of the modules asked for; a router included unconditionally "
    "(or at import, on a shared app) shows up in every app."
)
def test_catalog_only_app_has_no_cart(factory, app_client):
    app = factory.create_app(["catalog"])
    client = app_client(app)
    assert client.get("/catalog/products").status_code == 200, (
        "create_app(['catalog']): GET /catalog/products does not answer 200"
    )
    response = quote(client, ("tea", 1))
    assert response.status_code == 404, (
        f"create_app(['catalog']) answered POST /cart/quote with {said(response)}, not 404"
    )
    cart_ops = [
        f"{method.upper()} {path}"
        for (path, method), op in operations(app).items()
        if path.startswith("/cart") or "cart" in (op.get("tags") or [])
    ]
    assert not cart_ops, f"create_app(['catalog']) documents the cart's {cart_ops}"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.parametrize(
    ("modules", "unknown"),
    [
        (["payments"], "payments"),
        (["catalog", "search"], "search"),
        (["catalog.service"], "catalog.service"),
        (["Catalog"], "Catalog"),
        (["catalog", " cart"], " cart"),
    ],
    ids=["alone", "with-catalog", "a-submodule", "capitalised", "padded"],
)
@pytest.mark.hint(
    "Check every name against the known ones (catalog, cart) first, and "
    '`raise ValueError(f"unknown module: {name}")`. An importlib lookup raises '
    "ModuleNotFoundError, or finds modules that are not features at all."
)
def test_unknown_module_raises_value_error(factory, modules, unknown):
    with pytest.raises(ValueError) as raised:
        factory.create_app(modules)
        pytest.fail(f"create_app({modules}) raised nothing")
    assert unknown in str(raised.value), (
        f"create_app({modules}) raised ValueError({str(raised.value)!r}), which does not name "
        f"{unknown!r}"
    )


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Build the FastAPI() inside create_app, on every call, and let init(app) give each one its "
    "own catalog; a module-level app returned again is shared by everyone."
)
def test_each_call_builds_a_new_app(factory, app_client):
    first, second = factory.create_app(), factory.create_app()
    assert first is not second, "two calls of create_app() returned the same app"
    product = added_product(app_client(first))
    response = app_client(second).get(f"/catalog/products/{product['sku']}")
    assert response.status_code == 404, (
        "a product added through one app from create_app() is seen by another: "
        f"GET /catalog/products/{product['sku']} answered {said(response)}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.parametrize(
    ("modules", "expected"),
    [(["catalog"], ["catalog"]), (["catalog", "cart"], ["cart", "catalog"])],
    ids=["catalog-only", "both"],
)
@pytest.mark.hint(
    "Pass openapi_tags=[...] to FastAPI(...) with one {'name': ..., 'description': ...} per "
    "enabled module: keep each module's tag next to its router and collect the enabled ones."
)
def test_top_level_tags_describe_the_enabled_modules(factory, modules, expected):
    tags = factory.create_app(modules).openapi().get("tags")
    assert isinstance(tags, list), (
        f"create_app({modules}).openapi() has no top-level tags list (got {tags!r})"
    )
    names = sorted(str(tag.get("name")) for tag in tags if isinstance(tag, dict))
    assert names == expected and len(tags) == len(expected), (
        f"create_app({modules}).openapi()['tags'] is {tags}, expected one entry for each of "
        f"{expected}"
    )
    bare_tags = [tag for tag in tags if not str(tag.get("description") or "").strip()]
    assert not bare_tags, f"these top-level tags have no description: {bare_tags}"


@pytest.mark.task(3)
def test_operations_are_tagged_by_module(factory):
    found = {
        f"{method.upper()} {path}": op.get("tags")
        for (path, method), op in operations(factory.create_app()).items()
    }
    wrong = {
        name: tags
        for name, tags in found.items()
        if tags != (["cart"] if name.split()[1].startswith("/cart") else ["catalog"])
    }
    assert found and not wrong, f"create_app(): these operations have the wrong tags: {wrong}"


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_an_override_reaches_both_modules(factory, catalog, app_client, overrides):
    app = factory.create_app()
    overrides(app, {catalog.get_catalog_service: lambda: service(catalog, PEN)})
    client = app_client(app)
    listed = client.get("/catalog/products")
    assert listed.status_code == 200 and skus_and_prices(listed) == {"pen": 125}, (
        f"with get_catalog_service overridden on create_app(), GET /catalog/products answered "
        f"{said(listed)}"
    )
    response = quote(client, ("pen", 4))
    assert response.status_code == 200 and response.json().get("total_cents") == 500, (
        f"with get_catalog_service overridden on create_app(), POST /cart/quote for 4 pens "
        f"answered {said(response)}"
    )
