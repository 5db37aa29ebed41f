"""Server-side sessions: the cookie holds a random id, Redis holds what it stands for."""

import secrets

from redis import Redis


class RedisSessionStore:
    def __init__(self, redis: Redis, ttl: int = 1800) -> None:
        self.redis = redis
        self.ttl = ttl

    @staticmethod
    def _key(sid: str) -> str:
        return f"session:{sid}"

    @staticmethod
    def _index(user_id: str) -> str:
        return f"user_sessions:{user_id}"

    def create(self, user_id: str) -> str:
        sid = secrets.token_urlsafe(32)
        pipe = self.redis.pipeline()
        pipe.set(self._key(sid), user_id, ex=self.ttl)
        pipe.sadd(self._index(user_id), sid)
        pipe.execute()
        return sid

    def get(self, sid: str) -> str | None:
        return self.redis.get(self._key(sid))

    def touch(self, sid: str) -> bool:
        # EXPIRE on a missing key does nothing and answers 0: an ended session stays ended.
        return bool(self.redis.expire(self._key(sid), self.ttl))

    def destroy(self, sid: str) -> None:
        user_id = self.redis.get(self._key(sid))
        self.redis.delete(self._key(sid))
        if user_id is not None:
            self.redis.srem(self._index(user_id), sid)

    def destroy_all(self, user_id: str) -> int:
        index = self._index(user_id)
        sids = self.redis.smembers(index)
        ended = self.redis.delete(*(self._key(sid) for sid in sids)) if sids else 0
        self.redis.delete(index)
        return ended
