"""Server-side sessions: the cookie holds a random id, Redis holds what it stands for."""

import secrets

from redis import Redis


class RedisSessionStore:
    SESSION = "session:{}"
    INDEX = "user_sessions:{}"

    def __init__(self, redis: Redis, ttl: int = 1800) -> None:
        self.redis = redis
        self.ttl = ttl

    def create(self, user_id: str) -> str:
        while True:
            sid = secrets.token_urlsafe(32)
            # NX: never overwrite an existing session, however unlikely a collision is
            if self.redis.set(self.SESSION.format(sid), user_id, ex=self.ttl, nx=True):
                break
        self.redis.sadd(self.INDEX.format(user_id), sid)
        return sid

    def get(self, sid: str) -> str | None:
        value = self.redis.get(self.SESSION.format(sid))
        if isinstance(value, bytes):
            value = value.decode()
        return value

    def touch(self, sid: str) -> bool:
        return self.redis.expire(self.SESSION.format(sid), self.ttl) == 1

    def destroy(self, sid: str) -> None:
        user_id = self.redis.getdel(self.SESSION.format(sid))
        if user_id is not None:
            if isinstance(user_id, bytes):
                user_id = user_id.decode()
            self.redis.srem(self.INDEX.format(user_id), sid)

    def destroy_all(self, user_id: str) -> int:
        index = self.INDEX.format(user_id)
        count = 0
        for sid in self.redis.smembers(index):
            if isinstance(sid, bytes):
                sid = sid.decode()
            count += self.redis.unlink(self.SESSION.format(sid))
        self.redis.unlink(index)
        return count
