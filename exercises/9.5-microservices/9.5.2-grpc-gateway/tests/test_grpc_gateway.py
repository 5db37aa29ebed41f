"""Hidden tests for 9.5.2.

Every server runs in this process on a `unix:` socket in a short folder under /tmp (socket paths
are limited to about 100 bytes); every server and channel is stopped or closed in teardown. The
slow servicer never sleeps: it holds the call until gRPC ends it (its deadline passes), which the
gateway's lowered DEADLINE_SECONDS makes quick.
"""

import shutil
import tempfile
import threading
from concurrent import futures

import grpc
import pytest

STOCK = {"A-100": 12, "B-200": 0, "C-7": 250}
HOLD_BACKSTOP = 2.0  # seconds a held call waits at most when the gateway sets no deadline


@pytest.fixture
def address():
    """`address(name)`: a fresh `unix:` address; the folder is removed after the test."""
    folder = tempfile.mkdtemp(prefix="inv", dir="/tmp")
    names = iter(range(100))
    yield lambda: f"unix:{folder}/s{next(names)}.sock"
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def grpc_resources():
    """Servers and channels to stop and close after the test, whatever happened."""
    servers, channels = [], []
    yield servers, channels
    for channel in channels:
        channel.close()
    for server in servers:
        server.stop(None).wait(5)


@pytest.fixture
def pb(learner):
    return (
        learner.require("inventory_pb2", "StockRequest", "StockReply"),
        learner.require("inventory_pb2_grpc", "InventoryStub", "InventoryServicer"),
    )


@pytest.fixture
def stub_for(pb, grpc_resources):
    """`stub_for(address)`: an InventoryStub on a channel closed after the test."""
    _, pb_grpc = pb

    def make(addr):
        channel = grpc.insecure_channel(addr)
        grpc_resources[1].append(channel)
        return pb_grpc.InventoryStub(channel)

    return make


@pytest.fixture
def learner_server(learner, address, grpc_resources):
    """The learner's `serve`, started on a fresh address: (address, server)."""
    inventory_server = learner.require("inventory_server", "serve")
    addr = address()
    server = inventory_server.serve(addr, dict(STOCK))
    assert server is not None, "serve(address, stock) returned None, not the started grpc.Server"
    grpc_resources[0].append(server)
    return addr, server


@pytest.fixture
def own_server(pb, address, grpc_resources):
    """`own_server(servicer)`: our own servicer, started on a fresh address."""
    _, pb_grpc = pb

    def start(servicer):
        addr = address()
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        pb_grpc.add_InventoryServicer_to_server(servicer, server)
        server.add_insecure_port(addr)
        server.start()
        grpc_resources[0].append(server)
        return addr

    return start


@pytest.fixture
def gateway_with(learner, app_client, overrides, stub_for):
    """`gateway_with(address)`: a client of the learner's gateway whose get_inventory_stub
    hands out a stub on `address`."""
    gateway = learner.require("gateway", "app", "get_inventory_stub")

    def make(addr):
        stub = stub_for(addr)
        overrides(gateway.app, {gateway.get_inventory_stub: lambda: stub})
        return app_client(gateway.app)

    return make


def servicer_class(pb, behaviour):
    """A test servicer whose GetStock runs `behaviour(request, context)`."""
    _, pb_grpc = pb

    class TestInventory(pb_grpc.InventoryServicer):
        def GetStock(self, request, context):
            return behaviour(request, context)

    return TestInventory()


def check(response, path, status):
    assert response.status_code == status, (
        f"GET {path} answered {response.status_code}, expected {status}: {response.text[:300]}"
    )


# --- Task 1: the inventory server -----------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize("sku", ["A-100", "B-200", "C-7"])
def test_server_answers_the_stock_of_a_known_sku(pb, learner_server, stub_for, sku):
    pb2, _ = pb
    addr, _ = learner_server
    try:
        reply = stub_for(addr).GetStock(pb2.StockRequest(sku=sku), timeout=5)
    except grpc.RpcError as exc:
        pytest.fail(f"GetStock({sku!r}) failed with {exc.code()}: {exc.details()}")
    assert (reply.sku, reply.quantity) == (sku, STOCK[sku]), (
        f"GetStock({sku!r}) answered sku={reply.sku!r} quantity={reply.quantity},"
        f" expected sku={sku!r} quantity={STOCK[sku]}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "End the call with `context.abort(grpc.StatusCode.NOT_FOUND, '...')`: a reply of 0 looks "
    "like an empty shelf, and an unhandled KeyError reaches the client as UNKNOWN."
)
def test_server_aborts_with_not_found_for_an_unknown_sku(pb, learner_server, stub_for):
    pb2, _ = pb
    addr, _ = learner_server
    try:
        reply = stub_for(addr).GetStock(pb2.StockRequest(sku="NOPE-1"), timeout=5)
    except grpc.RpcError as exc:
        assert exc.code() == grpc.StatusCode.NOT_FOUND, (
            f"GetStock('NOPE-1') failed with {exc.code()}, expected NOT_FOUND"
        )
    else:
        pytest.fail(f"GetStock('NOPE-1') answered a reply ({reply}), expected NOT_FOUND")


# --- Task 2: the gateway --------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("sku", ["A-100", "B-200"])
def test_gateway_answers_the_stock(learner_server, gateway_with, sku):
    addr, _ = learner_server
    response = gateway_with(addr).get(f"/stock/{sku}")
    check(response, f"/stock/{sku}", 200)
    assert response.json() == {"sku": sku, "quantity": STOCK[sku]}, (
        f"GET /stock/{sku} answered {response.json()}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_gateway_answers_404_for_an_unknown_sku(learner_server, gateway_with):
    addr, _ = learner_server
    check(gateway_with(addr).get("/stock/NOPE-1"), "/stock/NOPE-1", 404)


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "When the server is down, the call raises grpc.RpcError with code UNAVAILABLE: answer 503."
)
def test_gateway_answers_503_when_the_server_is_stopped(
    learner, learner_server, gateway_with, monkeypatch
):
    gateway = learner.require("gateway", "app", "DEADLINE_SECONDS")
    # A generous deadline: on a busy machine, failing to reconnect must not look like a timeout.
    monkeypatch.setattr(gateway, "DEADLINE_SECONDS", 3.0)
    addr, server = learner_server
    client = gateway_with(addr)
    check(client.get("/stock/A-100"), "/stock/A-100 (server running)", 200)
    server.stop(None).wait(5)
    check(client.get("/stock/A-100"), "/stock/A-100 (server stopped)", 503)


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Pass `timeout=DEADLINE_SECONDS` to the stub call, reading the module constant inside the "
    "handler; DEADLINE_EXCEEDED is a gateway timeout: 504."
)
def test_a_slow_server_gives_504_at_the_deadline(
    learner, pb, own_server, gateway_with, monkeypatch
):
    gateway = learner.require("gateway", "app", "DEADLINE_SECONDS")
    seen = []

    def hold(request, context):
        seen.append(context.time_remaining())
        ended = threading.Event()
        # ended.set runs when gRPC ends the call (deadline, cancel); add_callback answers False
        # when the call has already ended, as it can with a deadline this short.
        if context.add_callback(ended.set):
            ended.wait(HOLD_BACKSTOP)
        pb2, _ = pb
        return pb2.StockReply(sku=request.sku, quantity=1)

    addr = own_server(servicer_class(pb, hold))
    monkeypatch.setattr(gateway, "DEADLINE_SECONDS", 0.01)
    response = gateway_with(addr).get("/stock/A-100")
    check(response, "/stock/A-100 (the server holds the call)", 504)
    # On a very busy machine the call may time out before it reaches the server (seen == []).
    assert all(left is not None and left <= 0.1 for left in seen), (
        f"with DEADLINE_SECONDS set to 0.01 the server saw {seen[0]} s left before the"
        " deadline: the call must use the constant's value at request time"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_every_call_has_a_one_second_deadline(learner, pb, own_server, gateway_with):
    gateway = learner.require("gateway", "app", "DEADLINE_SECONDS")
    pb2, _ = pb
    seen = []

    def answer(request, context):
        seen.append(context.time_remaining())
        return pb2.StockReply(sku=request.sku, quantity=3)

    addr = own_server(servicer_class(pb, answer))
    response = gateway_with(addr).get("/stock/A-100")
    check(response, "/stock/A-100", 200)
    assert gateway.DEADLINE_SECONDS == 1.0, (
        f"DEADLINE_SECONDS is {gateway.DEADLINE_SECONDS!r}, expected 1.0"
    )
    left = seen[0] if seen else None
    assert left is not None and 0.2 < left <= 1.1, (
        f"the server saw {left} s left before the call's deadline, expected a deadline of 1 s"
        " (a call without `timeout=` has none)"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Build the body from the reply, `reply.sku` and `reply.quantity`: the server owns the SKU's "
    "spelling, and the path is only what the client asked for."
)
def test_gateway_answers_the_replys_sku_not_the_path(pb, own_server, gateway_with):
    pb2, _ = pb

    def normalise(request, context):
        return pb2.StockReply(sku=request.sku.upper(), quantity=5)

    addr = own_server(servicer_class(pb, normalise))
    response = gateway_with(addr).get("/stock/a-100")
    check(response, "/stock/a-100", 200)
    assert response.json() == {"sku": "A-100", "quantity": 5}, (
        "the server replied sku='A-100' quantity=5 to a request for 'a-100', and GET /stock/a-100"
        f" answered {response.json()}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Map the three codes the prompt names, and answer 502 (Bad Gateway) for every other "
    "grpc.RpcError instead of letting it become a 500."
)
@pytest.mark.parametrize("failure", ["abort-internal", "abort-permission", "raise"])
def test_other_grpc_errors_give_502(pb, own_server, gateway_with, failure):
    def fail(request, context):
        if failure == "abort-internal":
            context.abort(grpc.StatusCode.INTERNAL, "disk on fire")
        if failure == "abort-permission":
            context.abort(grpc.StatusCode.PERMISSION_DENIED, "no")
        raise RuntimeError("bug in the inventory service")

    addr = own_server(servicer_class(pb, fail))
    check(gateway_with(addr).get("/stock/A-100"), f"/stock/A-100 ({failure})", 502)


@pytest.mark.task(2)
def test_get_inventory_stub_connects_to_inventory_address(
    learner, learner_server, app_client, monkeypatch
):
    gateway = learner.require("gateway", "app", "get_inventory_stub", "INVENTORY_ADDRESS")
    addr, _ = learner_server
    monkeypatch.setattr(gateway, "INVENTORY_ADDRESS", addr)
    response = app_client(gateway.app).get("/stock/C-7")
    check(response, f"/stock/C-7 (INVENTORY_ADDRESS set to {addr})", 200)
    assert response.json() == {"sku": "C-7", "quantity": 250}, (
        f"GET /stock/C-7 answered {response.json()}"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Read INVENTORY_ADDRESS each time get_inventory_stub runs: open a channel per request, or "
    "keep one per address, never one channel to whatever address the first request saw."
)
def test_get_inventory_stub_follows_a_new_inventory_address(
    learner, pb, own_server, app_client, monkeypatch
):
    gateway = learner.require("gateway", "app", "get_inventory_stub", "INVENTORY_ADDRESS")
    pb2, _ = pb

    def answering(quantity):
        return servicer_class(
            pb, lambda request, context: pb2.StockReply(sku=request.sku, quantity=quantity)
        )

    first, second = own_server(answering(11)), own_server(answering(22))
    client = app_client(gateway.app)
    for addr, quantity in [(first, 11), (second, 22)]:
        monkeypatch.setattr(gateway, "INVENTORY_ADDRESS", addr)
        response = client.get("/stock/A-100")
        check(response, f"/stock/A-100 (INVENTORY_ADDRESS set to {addr})", 200)
        assert response.json() == {"sku": "A-100", "quantity": quantity}, (
            f"with INVENTORY_ADDRESS changed to the server that answers {quantity}, GET"
            f" /stock/A-100 answered {response.json()}: the gateway must reach the address the"
            " constant holds when the request is handled"
        )
