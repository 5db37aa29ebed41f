import httpx


class UsersClient:
    """The orders service's only way to the users service: HTTP, through an injected client."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def get_user(self, user_id: int) -> dict | None:
        # TODO: GET /users/{user_id}; tell "no such user" from "users is down"
        response = await self.http.get(f"/users/{user_id}")
        return response.json()
