"""The inventory service: a gRPC server answering Inventory.GetStock."""

from collections.abc import Mapping
from concurrent import futures

import grpc
import inventory_pb2
import inventory_pb2_grpc


class InventoryServicer(inventory_pb2_grpc.InventoryServicer):
    def __init__(self, stock: Mapping[str, int]) -> None:
        self.stock = stock

    def GetStock(self, request, context):
        if request.sku not in self.stock:
            # abort() raises: it ends the RPC with this status and message.
            context.abort(grpc.StatusCode.NOT_FOUND, f"unknown SKU {request.sku!r}")
        return inventory_pb2.StockReply(sku=request.sku, quantity=self.stock[request.sku])


def serve(address: str, stock: Mapping[str, int]) -> grpc.Server:
    """Start the server on `address` (`"unix:/path/to.sock"` or `"127.0.0.1:50051"`)."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    inventory_pb2_grpc.add_InventoryServicer_to_server(InventoryServicer(stock), server)
    server.add_insecure_port(address)
    server.start()
    return server


if __name__ == "__main__":
    serve("127.0.0.1:50051", {"A-100": 12, "B-200": 0}).wait_for_termination()
