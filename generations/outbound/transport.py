"""The pinned transport: every connection goes to an address that passed generations.outbound.rules,
resolved and vetted again at connect time (DNS rebinding), and its peer checked once connected."""

from __future__ import annotations

import functools
import ipaddress
import ssl
import typing

import httpcore
import httpx

from generations.outbound.rules import (
    AllowList,
    IPAddress,
    UnresolvableHostError,
    UnsafeURLError,
    _vet_host,
    is_forbidden_address,
)

__all__ = ["PinnedTransport"]

# How many of a host's vetted addresses to try before giving up on connecting.
MAX_CONNECT_ATTEMPTS: typing.Final = 4


class _PinnedBackend(httpcore.NetworkBackend):
    """Resolve, vet, then connect to the vetted IP literal.

    httpcore hands us the URL's host; TLS (SNI and certificate hostname) and
    the ``Host`` header keep using that host, while the TCP socket goes to
    the address we checked.
    """

    def __init__(self, allow: AllowList) -> None:
        self._allow = allow
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses, allow_listed = _vet_host(host, port, self._allow)
        except UnresolvableHostError as exc:
            raise httpcore.ConnectError(exc.detail) from exc
        last_error: Exception | None = None
        for ip in addresses[:MAX_CONNECT_ATTEMPTS]:
            try:
                stream = self._inner.connect_tcp(
                    str(ip),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
                continue
            self._verify_peer(stream, ip, allow_listed, host)
            return stream
        assert last_error is not None
        raise last_error

    @staticmethod
    def _verify_peer(
        stream: httpcore.NetworkStream,
        expected: IPAddress,
        allow_listed: bool,
        host: str,
    ) -> None:
        try:
            peer = ipaddress.ip_address(str(stream.get_extra_info("server_addr")[0]))
        except (TypeError, IndexError, ValueError, OSError) as exc:
            stream.close()
            raise UnsafeURLError(detail=f"cannot read peer address for {host!r}") from exc
        if peer != expected or (not allow_listed and is_forbidden_address(peer)):
            stream.close()
            raise UnsafeURLError(detail=f"connected to {peer} for {host!r}, expected {expected}")

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise UnsafeURLError(detail="unix sockets are never used for fetching")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context per process: building one loads the CA bundle (tens of ms of CPU), and a client is
    made per job step and per download."""
    return httpx.create_ssl_context()


class PinnedTransport(httpx.HTTPTransport):
    def __init__(self, allow: AllowList, limits: httpx.Limits) -> None:
        super().__init__(verify=tls_context(), limits=limits, retries=0)
        if not isinstance(getattr(self, "_pool", None), httpcore.ConnectionPool):
            raise RuntimeError(
                "httpx.HTTPTransport internals changed: cannot install the "
                "address-pinning network backend; refusing to fetch unsafely."
            )
        self._pool.close()
        self._pool = httpcore.ConnectionPool(
            ssl_context=tls_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            retries=0,
            network_backend=_PinnedBackend(allow),
        )
