"""Refuse an upload larger than the limit before it is read: Starlette parses (and spools to
disk) the whole multipart body before an endpoint runs, so the endpoint's own check would come
after the bytes were taken. A declared Content-Length over the limit is answered 413 at once;
a body without one (chunked) is counted as it arrives and answered 413 at the limit, whatever
the app then makes of the cut-off body."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

FORM_OVERHEAD = 16 << 10  # multipart boundaries and the selector field, beyond the zip itself


class TooLarge(Exception):
    pass


class UploadLimit:
    def __init__(self, app: ASGIApp, path: str, limit: int) -> None:
        self.app, self.path, self.limit = app, path, limit + FORM_OVERHEAD
        self.shown = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        seen = 0
        started = refused = False

        async def counted() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit and not refused:
                    refused = True
                    if not started:  # answer now: the app may turn our error into its own
                        await self._refuse(send)
                    raise TooLarge()
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 went out already
            started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except TooLarge:
            pass

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {
                "detail": f"The upload is larger than {self.shown // 1024} KiB: "
                "submit fewer exercises at once, without data files."
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
