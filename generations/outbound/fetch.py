"""Fetching a URL into a file: redirects followed by hand and checked hop by hop, the peer checked,
the size capped while streaming, and httpx's errors mapped to :class:`FetchError`."""

from __future__ import annotations

import ipaddress
import time
import typing
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

import httpx

from generations.outbound.rules import (
    AllowList,
    UnresolvableHostError,
    UnsafeURLError,
    _check,
    _host_port,
    is_forbidden_address,
)
from generations.outbound.transport import PinnedTransport, tls_context

__all__ = ["FetchError", "FetchResult", "fetch_to_file"]

REDIRECT_STATUSES: typing.Final = frozenset({301, 302, 303, 307, 308})
USER_AGENT: typing.Final = "the-studio-fetch/1.0"


class FetchError(Exception):
    """Fetching failed.

    ``code`` is one of ``fetch_failed``, ``too_large``, ``timeout``,
    ``bad_status``, ``too_many_redirects``. ``permanent`` tells the caller
    whether retrying later could help. ``status_code`` is set for
    ``bad_status``.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        permanent: bool,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.permanent = permanent
        self.status_code = status_code

    def __repr__(self) -> str:
        return (
            f"FetchError(code={self.code!r}, message={self.message!r}, "
            f"permanent={self.permanent!r}, status_code={self.status_code!r})"
        )


@dataclass(frozen=True)
class FetchResult:
    final_url: str
    """The URL the body was actually read from (after redirects)."""
    content_type: str
    """Media type from the Content-Type header, lower-cased, without
    parameters (``"image/png"``); ``""`` when the server sent none."""
    size: int
    """Number of bytes written to ``dest``."""


def _status_error(status: int) -> FetchError:
    # 5xx, 408 and 429 may succeed later; anything else (4xx, and 3xx we do
    # not follow such as 300/304) will not.
    permanent = status < 500 and status not in (408, 429)
    return FetchError(
        "bad_status",
        f"The server answered with HTTP status {status}.",
        permanent=permanent,
        status_code=status,
    )


def _too_large(max_bytes: int) -> FetchError:
    return FetchError(
        "too_large",
        f"The file is larger than the {max_bytes}-byte limit.",
        permanent=True,
    )


def _timed_out() -> FetchError:
    return FetchError("timeout", "The server took too long to respond.", permanent=False)


def _check_response_peer(response: httpx.Response, allow: AllowList) -> None:
    """Defence in depth: the socket we read from must be a vetted address."""
    host, port = _host_port(response.url)
    if allow.permits(host, port):
        return
    stream = response.extensions.get("network_stream")
    try:
        peer = ipaddress.ip_address(str(stream.get_extra_info("server_addr")[0]))
    except (AttributeError, TypeError, IndexError, ValueError, OSError):
        raise UnsafeURLError(detail=f"cannot verify peer address for {host!r}") from None
    if is_forbidden_address(peer):
        raise UnsafeURLError(detail=f"connected to forbidden {peer} for {host!r}")


def _redirect_target(response: httpx.Response) -> str:
    location = response.headers.get("location", "")
    if not location.strip():
        raise FetchError(
            "bad_status",
            f"The server answered with HTTP status {response.status_code} but no redirect location.",
            permanent=True,
            status_code=response.status_code,
        )
    if any(ord(c) < 0x20 or ord(c) == 0x7F or c == "\\" for c in location):
        raise UnsafeURLError("This URL redirects to an invalid address.", detail=repr(location))
    try:
        return str(response.url.join(location.strip()))
    except (httpx.InvalidURL, ValueError, TypeError):
        raise UnsafeURLError("This URL redirects to an invalid address.", detail=repr(location)) from None


def _content_length(response: httpx.Response) -> int | None:
    values = response.headers.get_list("content-length")
    try:
        lengths = {int(v.strip()) for v in values}
    except ValueError:
        return None
    return max(lengths) if lengths else None


@contextmanager
def _mapped_http_errors() -> Iterator[None]:
    """Turn httpx's exceptions into :class:`FetchError`."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise _timed_out() from exc
    except httpx.DecodingError as exc:
        raise FetchError(
            "fetch_failed",
            "The server sent a corrupt response body.",
            permanent=True,
        ) from exc
    except httpx.HTTPError as exc:
        raise FetchError(
            "fetch_failed",
            f"Could not download the file ({type(exc).__name__}).",
            permanent=False,
        ) from exc


@dataclass(frozen=True)
class _Fetch:
    """Settings of one :func:`fetch_to_file` call."""

    allow: AllowList
    user_supplied: bool
    max_bytes: int
    deadline: float | None

    def check(self, target: str) -> httpx.URL:
        try:
            return _check(target, self.allow, vet_address=self.user_supplied)
        except UnresolvableHostError as exc:
            raise FetchError("fetch_failed", exc.message, permanent=False) from exc

    def check_deadline(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise _timed_out()

    def client(self, timeout: float) -> httpx.Client:
        limits = httpx.Limits(max_connections=4, max_keepalive_connections=2)
        transport: httpx.BaseTransport = (
            PinnedTransport(self.allow, limits)
            if self.user_supplied
            else httpx.HTTPTransport(verify=tls_context(), limits=limits, retries=0)
        )
        return httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,  # no proxies or .netrc from the environment
            headers={
                "User-Agent": USER_AGENT,
                "Accept-Encoding": "identity",
                "Accept": "*/*",
            },
        )

    def read_body(self, response: httpx.Response, dest: BinaryIO) -> FetchResult:
        if not 200 <= response.status_code < 300:
            raise _status_error(response.status_code)
        declared = _content_length(response)
        if declared is not None and declared > self.max_bytes:
            raise _too_large(self.max_bytes)
        size = 0
        for chunk in response.iter_bytes():  # as data arrives
            if size + len(chunk) > self.max_bytes:
                raise _too_large(self.max_bytes)
            dest.write(chunk)
            size += len(chunk)
            self.check_deadline()
        content_type = response.headers.get("content-type", "")
        return FetchResult(
            final_url=str(response.url),
            content_type=content_type.split(";", 1)[0].strip().lower(),
            size=size,
        )


def fetch_to_file(
    url: str,
    dest: BinaryIO,
    *,
    max_bytes: int,
    allow_hosts: Iterable[str] = frozenset(),
    timeout: float = 30.0,
    max_redirects: int = 5,
    user_supplied: bool = True,
    total_timeout: float | None = None,
) -> FetchResult:
    """Stream ``url`` into ``dest`` (an open binary file) and describe it.

    * Redirects (301/302/303/307/308) are followed manually, at most
      ``max_redirects`` of them; every hop is checked before it is requested.
    * ``user_supplied=True`` (the default, for URLs typed by users): every hop
      goes through :func:`url_check` and the connection is pinned to the
      vetted address (see the module docstring). ``allow_hosts`` works as in
      :func:`url_check`.
    * ``user_supplied=False`` (result URLs of configured providers): only the
      URL shape is checked (scheme, credentials, host); addresses are not.
    * At most ``max_bytes`` bytes are written: a larger ``Content-Length`` is
      refused before reading, and the body is counted while streaming.
    * ``timeout`` applies to each connect/read/write; ``total_timeout`` (if
      given) bounds the whole fetch.

    Raises :class:`UnsafeURLError` (code ``unsafe_source_url``) or
    :class:`FetchError` (codes ``fetch_failed``, ``too_large``, ``timeout``,
    ``bad_status``, ``too_many_redirects``). On error ``dest`` may contain a
    partial body, which the caller must discard.
    """
    if max_bytes < 0:
        raise ValueError("max_bytes must be >= 0")
    if max_redirects < 0:
        raise ValueError("max_redirects must be >= 0")
    job = _Fetch(
        allow=AllowList.parse(allow_hosts),
        user_supplied=user_supplied,
        max_bytes=max_bytes,
        deadline=None if total_timeout is None else time.monotonic() + total_timeout,
    )
    current = job.check(url)
    redirects = 0
    with _mapped_http_errors(), job.client(timeout) as client:
        while True:
            job.check_deadline()
            with client.stream("GET", current) as response:
                if user_supplied:
                    _check_response_peer(response, job.allow)
                if response.status_code not in REDIRECT_STATUSES:
                    return job.read_body(response, dest)
                target = _redirect_target(response)
                if redirects >= max_redirects:
                    raise FetchError(
                        "too_many_redirects",
                        f"The URL redirected more than {max_redirects} times.",
                        permanent=True,
                    )
                redirects += 1
                current = job.check(target)
