"""The inventory service: a gRPC server answering Inventory.GetStock."""

from collections.abc import Mapping

import grpc

import inventory_pb2  # noqa: F401  (the messages: StockRequest, StockReply)
import inventory_pb2_grpc


class InventoryServicer(inventory_pb2_grpc.InventoryServicer):
    def __init__(self, stock: Mapping[str, int]) -> None:
        self.stock = stock

    # TODO: def GetStock(self, request, context): ...


def serve(address: str, stock: Mapping[str, int]) -> grpc.Server:
    """Start the server on `address` and return it."""
    # TODO: grpc.server(ThreadPoolExecutor(...)), add the servicer, add_insecure_port, start
    raise NotImplementedError


if __name__ == "__main__":
    serve("127.0.0.1:50051", {"A-100": 12, "B-200": 0}).wait_for_termination()
