import httpx


class UsersUnavailable(Exception):
    """The users service could not answer: down, timed out, or failing."""


class UsersClient:
    """The orders service's only way to the users service: HTTP, through an injected client."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def get_user(self, user_id: int) -> dict | None:
        """The user, or None when the users service says 404."""
        try:
            response = await self.http.get(f"/users/{user_id}", timeout=2.0)
        except httpx.TransportError as exc:  # ConnectError, ReadTimeout, ...
            raise UsersUnavailable(str(exc)) from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise UsersUnavailable(f"users answered {response.status_code}")
        return response.json()
