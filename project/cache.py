"""The cache backend: Django's Redis cache, made to fail soft.

Everything the studio keeps in the cache (sessions' copies, signed-in users and
their memberships, rendered cards, filter choices) can be read again from
PostgreSQL or rendered again. So when Redis is down a read is a miss and a
write is skipped, and pages keep working, only slower; after a failure the
cache is not asked again for a few seconds, so an outage costs one timeout per
process and thread, not one per call. Counters (``incr``) still raise: their callers
decide (the API's rate limit fails open).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0


class _SharedClientRedisCacheClient(RedisCacheClient):
    """Django makes a new ``redis.Redis`` for every call, which costs more than a cache read on a
    local socket (it sets up hundreds of response callbacks). One client per connection pool is
    enough: a client is safe to share, and its pool hands out the connections."""

    def get_client(self, key: str | None = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    _down_until = 0.0  # while in the future, this cache (per server and thread) is not asked

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _SharedClientRedisCacheClient

    def validate_key(self, key: str) -> None:
        """Redis takes any key: skip Django's memcached portability warnings (a loop over every
        character of every key, on every call)."""

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, exc: Exception, operation: str) -> None:
        if self._available():
            logger.warning("cache unavailable (%s: %s); reading from the database for a while", operation, exc)
        self._down_until = time.monotonic() + RETRY_AFTER_SECONDS

    def _soft(self, operation: str, default: Any, call, *args: Any, **kwargs: Any) -> Any:
        if not self._available():
            return default
        try:
            return call(*args, **kwargs)
        except RedisError as exc:
            self._failed(exc, operation)
            return default

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return self._soft("get", default, super().get, key, default, version)

    def get_many(self, keys: list[str], version: int | None = None) -> dict[str, Any]:
        return self._soft("get_many", {}, super().get_many, keys, version)

    def has_key(self, key: str, version: int | None = None) -> bool:
        return self._soft("has_key", False, super().has_key, key, version)

    def set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._soft("set", None, super().set, key, value, timeout, version)

    def set_many(self, data: dict[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[str]:
        return self._soft("set_many", list(data), super().set_many, data, timeout, version)

    def add(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._soft("add", False, super().add, key, value, timeout, version)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._soft("touch", False, super().touch, key, timeout, version)

    def delete(self, key: str, version: int | None = None) -> bool:
        return self._soft("delete", False, super().delete, key, version)

    def delete_many(self, keys: list[str], version: int | None = None) -> None:
        self._soft("delete_many", None, super().delete_many, keys, version)

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        if not self._available():
            raise RedisConnectionError("the cache is down (retrying shortly)")
        try:
            return super().incr(key, delta, version)
        except RedisError as exc:
            self._failed(exc, "incr")
            raise
