"""The kit's clients answer exactly what TestClient answers, in one call per request."""

from __future__ import annotations

import asyncio
import threading

import pytest
from fastapi import BackgroundTasks, FastAPI, HTTPException, Request, WebSocket
from fastapi.responses import PlainTextResponse, StreamingResponse
from fastapi.testclient import TestClient
from pydantic import BaseModel

from grader import testing
from grader.kit_client import whole_requests


class Book(BaseModel):
    title: str


def make_app(log: list) -> FastAPI:
    app = FastAPI()

    @app.post("/books", status_code=201)
    def create(book: Book, tasks: BackgroundTasks, request: Request):
        tasks.add_task(log.append, book.title)
        return {"title": book.title, "query": str(request.query_params), "path": request.url.path}

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    @app.get("/missing")
    def missing():
        raise HTTPException(404, "no such thing", headers={"X-Why": "gone"})

    @app.get("/stream")
    def stream():
        return StreamingResponse(iter([b"a", b"b", b"c"]), media_type="text/plain")

    @app.api_route("/hello", methods=["GET", "HEAD"])
    def hello():
        return PlainTextResponse("hello", headers={"X-Hello": "1"})

    @app.get("/cookie")
    def cookie():
        response = PlainTextResponse("set")
        response.set_cookie("sid", "abc")
        return response

    @app.get("/who")
    def who(request: Request):
        return {"sid": request.cookies.get("sid"), "client": request.client.host}

    @app.get("/loop")
    async def loop():
        return {"loop": id(asyncio.get_running_loop())}

    @app.websocket("/ws")
    async def ws(socket: WebSocket):
        await socket.accept()
        await socket.send_text(await socket.receive_text() + "!")
        await socket.close()

    return app


REQUESTS = [
    ("POST", "/books?x=1&y=%20", {"json": {"title": "Dune"}}),
    ("POST", "/books", {"json": {"nope": 1}}),
    ("POST", "/books", {"content": b"not json", "headers": {"content-type": "application/json"}}),
    ("GET", "/boom", {}),
    ("GET", "/missing", {}),
    ("GET", "/stream", {}),
    ("GET", "/hello", {}),
    ("HEAD", "/hello", {}),
    ("GET", "/nowhere", {}),
    ("DELETE", "/hello", {}),
    ("GET", "/cookie", {}),
    ("GET", "/who", {}),
    ("POST", "/books", {"data": {"title": "x"}}),
]


def answers(client) -> list[tuple]:
    out = []
    for method, url, options in REQUESTS:
        response = client.request(method, url, **options)
        out.append((response.status_code, sorted(response.headers.items()), response.content))
    return out


def test_the_kit_client_answers_what_testclient_answers():
    plain_log: list = []
    kit_log: list = []
    plain = TestClient(make_app(plain_log), raise_server_exceptions=False, follow_redirects=False)
    kit = testing.client_for(make_app(kit_log))
    assert type(kit._transport).__name__ == "WholeRequestTransport"
    assert answers(kit) == answers(plain)
    assert kit_log == plain_log == ["Dune"]  # background tasks ran before the call returned
    upload = {"files": {"upload": ("a.txt", b"x")}}  # a streamed body: TestClient's own path
    assert kit.post("/books", **upload).status_code == plain.post("/books", **upload).status_code


def test_a_server_error_is_raised_when_asked():
    client = testing.client_for(make_app([]), raise_server_exceptions=True)
    with pytest.raises(RuntimeError, match="boom"):
        client.get("/boom")


def test_websockets_and_the_lifespan_still_work():
    with testing.client_for(make_app([])) as client:
        assert client.get("/hello").text == "hello"
        with client.websocket_connect("/ws") as socket:
            socket.send_text("hi")
            assert socket.receive_text() == "hi!"


def test_one_event_loop_serves_every_request_of_a_test_then_goes():
    client = testing.client_for(make_app([]))
    with testing.one_event_loop(client):
        loops = {client.get("/loop").json()["loop"] for _ in range(3)}
        assert len(loops) == 1 and client.portal is not None
        threads = [threading.Thread(target=client.get, args=("/loop",)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert client.portal is None
    assert client.get("/hello").status_code == 200  # a loop per request again


def test_any_testclient_can_be_switched_once_or_twice():
    client = TestClient(make_app([]))
    whole_requests(client)
    whole_requests(client)
    assert type(client._transport).__name__ == "WholeRequestTransport"
    assert client.get("/hello").text == "hello"


def test_requests_from_several_threads_are_in_flight_on_the_one_loop_at_once():
    app = FastAPI()
    released = asyncio.Event()

    @app.get("/wait")
    async def wait():
        await asyncio.wait_for(released.wait(), timeout=5)
        return {"loop": id(asyncio.get_running_loop())}

    @app.get("/release")
    async def release():
        released.set()
        return {"loop": id(asyncio.get_running_loop())}

    client = testing.client_for(app)
    with testing.one_event_loop(client):
        waited: list[dict] = []
        waiter = threading.Thread(target=lambda: waited.append(client.get("/wait").json()))
        waiter.start()
        released_on = client.get("/release").json()
        waiter.join(timeout=10)
    assert waited == [released_on]  # the waiting request ended once the other one ran


def test_one_module_client_serves_the_app_of_each_test_s_import():
    first, second = FastAPI(), FastAPI()
    first.get("/who")(lambda: "first")
    second.get("/who")(lambda: "second")
    current = testing.CurrentApp()
    with testing.looped_client(current) as client:
        current.app = first
        assert client.get("/who").json() == "first"
        current.app = second
        assert client.get("/who").json() == "second"
