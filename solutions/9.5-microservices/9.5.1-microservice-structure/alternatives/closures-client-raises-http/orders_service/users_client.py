import httpx
from fastapi import HTTPException


class UsersClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def ensure_user(self, user_id: int) -> dict:
        """The user, or an HTTPException the endpoint lets through (422 / 503)."""
        try:
            response = await self.http.get(f"/users/{user_id}", timeout=1.0)
        except httpx.TransportError:
            raise HTTPException(503, "users service unavailable") from None
        if response.status_code == 404:
            raise HTTPException(422, "unknown user")
        if response.is_success:
            return response.json()
        raise HTTPException(503, "users service error")
