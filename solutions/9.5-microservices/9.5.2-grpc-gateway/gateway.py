"""The gateway: a FastAPI app answering GET /stock/{sku} from the inventory service over gRPC."""

from collections.abc import Iterator
from typing import Annotated

import grpc
import inventory_pb2
import inventory_pb2_grpc
from fastapi import Depends, FastAPI, HTTPException

INVENTORY_ADDRESS = "127.0.0.1:50051"
DEADLINE_SECONDS = 1.0

app = FastAPI(title="Gateway")

HTTP_STATUS = {
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
}


def get_inventory_stub() -> Iterator[inventory_pb2_grpc.InventoryStub]:
    """A stub on a channel to INVENTORY_ADDRESS, closed after the request."""
    with grpc.insecure_channel(INVENTORY_ADDRESS) as channel:
        yield inventory_pb2_grpc.InventoryStub(channel)


@app.get("/stock/{sku}")
def get_stock(
    sku: str, stub: Annotated[inventory_pb2_grpc.InventoryStub, Depends(get_inventory_stub)]
) -> dict:
    try:
        reply = stub.GetStock(inventory_pb2.StockRequest(sku=sku), timeout=DEADLINE_SECONDS)
    except grpc.RpcError as exc:
        status = HTTP_STATUS.get(exc.code(), 502)
        raise HTTPException(status_code=status, detail=exc.details() or str(exc.code())) from None
    return {"sku": reply.sku, "quantity": reply.quantity}
