from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

app = FastAPI()

# TODO: Task 1 - CORS: only https://app.example.com, with credentials, methods GET and POST.
# TODO: Task 2 - gzip responses of 1000 bytes or more.
# TODO: Task 3 - only the hosts api.example.com and testserver.
# TODO: Task 4 - request bodies over 1 MiB are answered 413.


@app.get("/report")
def report(size: int = 10) -> PlainTextResponse:
    """A plain-text report of exactly `size` bytes."""
    return PlainTextResponse("r" * size)


@app.post("/upload")
async def upload(request: Request) -> dict:
    body = await request.body()
    return {"size": len(body)}
