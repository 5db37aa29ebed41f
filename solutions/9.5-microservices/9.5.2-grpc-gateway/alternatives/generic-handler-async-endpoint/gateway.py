"""Alternative design: an async endpoint that runs the blocking call in a worker thread, a
channel cached per address, and a match statement for the status codes."""

import threading

import grpc
import inventory_pb2
import inventory_pb2_grpc
from fastapi import Depends, FastAPI, HTTPException
from starlette.concurrency import run_in_threadpool

INVENTORY_ADDRESS = "localhost:50051"
DEADLINE_SECONDS = 1.0

app = FastAPI()
_channels: dict[str, grpc.Channel] = {}
_lock = threading.Lock()


def get_inventory_stub():
    with _lock:
        channel = _channels.get(INVENTORY_ADDRESS)
        if channel is None:
            channel = _channels[INVENTORY_ADDRESS] = grpc.insecure_channel(INVENTORY_ADDRESS)
    return inventory_pb2_grpc.InventoryStub(channel)


def _http_status(code: grpc.StatusCode) -> int:
    match code:
        case grpc.StatusCode.NOT_FOUND:
            return 404
        case grpc.StatusCode.UNAVAILABLE:
            return 503
        case grpc.StatusCode.DEADLINE_EXCEEDED:
            return 504
        case _:
            return 502


@app.get("/stock/{sku}")
async def stock(sku: str, stub=Depends(get_inventory_stub)):
    request = inventory_pb2.StockRequest(sku=sku)
    try:
        reply, _call = await run_in_threadpool(
            stub.GetStock.with_call, request, timeout=DEADLINE_SECONDS
        )
    except grpc.RpcError as error:
        raise HTTPException(_http_status(error.code()), detail=error.code().name) from error
    return {"sku": reply.sku, "quantity": reply.quantity}
