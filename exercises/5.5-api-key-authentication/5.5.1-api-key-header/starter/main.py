from fastapi import FastAPI

app = FastAPI(title="Data API")

# The key of each client app, by the app's name. Real keys live hashed in a database (the next
# exercise); here they are plain values, so that this exercise is about reading and comparing.
VALID_KEYS: dict[str, str] = {
    "reports-app": "ak_live_9f3b2c7d1e8a4f60b5c2d9e7a1f3b8c4",
    "billing-app": "ak_live_2d7e9a1c4b8f3e60a5d1c9b7e2f4a8d3",
}

ITEMS = [{"id": 1, "name": "alpha"}, {"id": 2, "name": "beta"}]


# TODO: Task 1 - declare the key scheme: APIKeyHeader(name="X-API-Key", auto_error=False)


# TODO: Task 2 - a dependency that returns the name of the client whose key was sent, and
#       answers 401 {"detail": "Invalid or missing API key"} with WWW-Authenticate: APIKey
#       for a missing or unknown key
# TODO: Task 3 - compare the keys with secrets.compare_digest, on bytes


# TODO: Tasks 1-2 - protect GET /data and answer {"client": <name>, "items": ITEMS}
@app.get("/data")
def read_data():
    return {"client": None, "items": ITEMS}
