import anyio
import grpc
import inventory_pb2
import inventory_pb2_grpc
from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse

INVENTORY_ADDRESS = "127.0.0.1:50051"
DEADLINE_SECONDS = 1.0

app = FastAPI()

ERRORS = {
    grpc.StatusCode.NOT_FOUND: (404, "unknown sku"),
    grpc.StatusCode.UNAVAILABLE: (503, "inventory unavailable"),
    grpc.StatusCode.DEADLINE_EXCEEDED: (504, "inventory timed out"),
}


def get_inventory_stub():
    channel = grpc.insecure_channel(INVENTORY_ADDRESS)
    try:
        yield inventory_pb2_grpc.InventoryStub(channel)
    finally:
        channel.close()


@app.get("/stock/{sku}")
async def read_stock(sku: str, stub=Depends(get_inventory_stub)):
    deadline = DEADLINE_SECONDS

    def call():
        return stub.GetStock(inventory_pb2.StockRequest(sku=sku), timeout=deadline)

    try:
        reply = await anyio.to_thread.run_sync(call)
    except grpc.RpcError as exc:
        status, message = ERRORS.get(exc.code(), (502, "inventory error"))
        return JSONResponse({"detail": message}, status_code=status)
    return {"sku": reply.sku, "quantity": reply.quantity}
