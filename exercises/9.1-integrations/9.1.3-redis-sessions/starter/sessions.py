"""Server-side sessions: the cookie holds a random id, Redis holds what it stands for."""

from redis import Redis


class RedisSessionStore:
    def __init__(self, redis: Redis, ttl: int = 1800) -> None:
        self.redis = redis
        self.ttl = ttl

    def create(self, user_id: str) -> str:
        raise NotImplementedError  # TODO

    def get(self, sid: str) -> str | None:
        raise NotImplementedError  # TODO

    def touch(self, sid: str) -> bool:
        raise NotImplementedError  # TODO

    def destroy(self, sid: str) -> None:
        raise NotImplementedError  # TODO

    def destroy_all(self, user_id: str) -> int:
        raise NotImplementedError  # TODO
