"""Alternative design: a generic method handler (no servicer subclass), stock read through a
function, NOT_FOUND set with set_code/set_details when the handler returns nothing."""

from concurrent.futures import ThreadPoolExecutor

import grpc
import inventory_pb2


def _get_stock_handler(stock):
    def get_stock(request, context):
        quantity = stock.get(request.sku)
        if quantity is None:
            context.abort(grpc.StatusCode.NOT_FOUND, "no such sku")
        return inventory_pb2.StockReply(sku=request.sku, quantity=quantity)

    return grpc.unary_unary_rpc_method_handler(
        get_stock,
        request_deserializer=inventory_pb2.StockRequest.FromString,
        response_serializer=inventory_pb2.StockReply.SerializeToString,
    )


def serve(address, stock):
    server = grpc.server(ThreadPoolExecutor(max_workers=8))
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                "inventory.Inventory", {"GetStock": _get_stock_handler(dict(stock))}
            ),
        )
    )
    if server.add_insecure_port(address) == 0:
        raise RuntimeError(f"could not listen on {address}")
    server.start()
    return server
