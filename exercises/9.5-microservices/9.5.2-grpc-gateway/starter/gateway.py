"""The gateway: a FastAPI app answering GET /stock/{sku} from the inventory service over gRPC."""

from collections.abc import Iterator
from typing import Annotated

import grpc
from fastapi import Depends, FastAPI

import inventory_pb2
import inventory_pb2_grpc

INVENTORY_ADDRESS = "127.0.0.1:50051"
DEADLINE_SECONDS = 1.0

app = FastAPI(title="Gateway")


def get_inventory_stub() -> Iterator[inventory_pb2_grpc.InventoryStub]:
    with grpc.insecure_channel(INVENTORY_ADDRESS) as channel:
        yield inventory_pb2_grpc.InventoryStub(channel)


@app.get("/stock/{sku}")
def get_stock(
    sku: str, stub: Annotated[inventory_pb2_grpc.InventoryStub, Depends(get_inventory_stub)]
) -> dict:
    # TODO: a deadline, and HTTP statuses for NOT_FOUND, UNAVAILABLE, DEADLINE_EXCEEDED, others
    reply = stub.GetStock(inventory_pb2.StockRequest(sku=sku))
    return {"sku": reply.sku, "quantity": reply.quantity}
