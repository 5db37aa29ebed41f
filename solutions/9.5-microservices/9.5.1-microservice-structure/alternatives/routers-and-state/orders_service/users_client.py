import httpx
from pydantic import BaseModel


class RemoteUser(BaseModel):
    """The orders service's own view of a user: only what it needs."""

    id: int
    name: str


class UsersServiceError(RuntimeError):
    pass


class UsersClient:
    def __init__(self, http: httpx.AsyncClient):
        self._http = http

    async def get_user(self, user_id: int) -> RemoteUser | None:
        try:
            response = await self._http.get(f"/users/{user_id}")
        except httpx.HTTPError as error:
            raise UsersServiceError(f"users unreachable: {error!r}") from error
        match response.status_code:
            case 200:
                return RemoteUser.model_validate(response.json())
            case 404:
                return None
            case status:
                raise UsersServiceError(f"users answered {status}")
