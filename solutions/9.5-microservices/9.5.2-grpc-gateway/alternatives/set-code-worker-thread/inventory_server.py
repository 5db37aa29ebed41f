from concurrent import futures

import grpc
import inventory_pb2
import inventory_pb2_grpc


class Inventory(inventory_pb2_grpc.InventoryServicer):
    def __init__(self, stock):
        self._stock = dict(stock)

    def GetStock(self, request, context):
        try:
            quantity = self._stock[request.sku]
        except KeyError:
            context.set_code(grpc.StatusCode.NOT_FOUND)
            context.set_details(f"no SKU {request.sku}")
            return inventory_pb2.StockReply()
        return inventory_pb2.StockReply(sku=request.sku, quantity=quantity)


def serve(address, stock):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    inventory_pb2_grpc.add_InventoryServicer_to_server(Inventory(stock), server)
    server.add_insecure_port(address)
    server.start()
    return server
