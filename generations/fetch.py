"""Fetching remote media safely.

The studio downloads two kinds of URL:

* **User-supplied source URLs** (images/videos a user wants to animate or edit).
  These are attacker-controlled, so every request must be protected against
  server-side request forgery (SSRF): the studio must never be tricked into
  talking to itself, to the private network it runs in, or to a cloud metadata
  service.
* **Provider result URLs** returned by the configured AI providers. These are
  trusted as far as *where* they point (in development they point at the local
  sandbox on loopback), but they still get scheme checks, size caps and
  timeouts.

How the SSRF protection works for user-supplied URLs
----------------------------------------------------
1. :func:`url_check` validates the URL's shape (``http``/``https`` only, no
   ``user:pass@``, a real host, a valid port), refuses local-only names
   (``localhost``, ``*.localhost``, single-label names, ...), decodes the legacy
   numeric IPv4 spellings that ``inet_aton``/``getaddrinfo`` accept
   (``2130706433``, ``0x7f000001``, ``0177.0.0.1``, ``127.1``) and resolves the
   host. If *any* resulting address is private, loopback, link-local,
   multicast, reserved, unspecified, shared (100.64/10), a metadata address, or
   an IPv6 form embedding one of those (IPv4-mapped, IPv4-compatible, 6to4,
   NAT64, Teredo), the URL is refused.
2. :func:`fetch_to_file` runs the same check on the initial URL and on every
   redirect hop (redirects are followed manually), *before* any socket is
   opened for that hop.
3. The actual connection goes through a custom httpcore network backend that
   resolves the host **again**, vets every address, and then connects to the
   vetted IP literal itself ("pinning"). A DNS answer that changes between the
   check and the connect (DNS rebinding) is therefore vetted too, and the
   socket can only ever be opened to an address that passed the check. HTTP
   keeps the original ``Host`` header; HTTPS keeps the original hostname for
   SNI and certificate verification (httpcore passes the URL host to
   ``start_tls`` independently of the address the TCP socket connected to), so
   pinning works for both schemes (both are covered by tests).
4. After connecting, the backend reads the socket's peer address and checks it
   is the pinned address; after the response headers arrive,
   :func:`fetch_to_file` checks ``response.extensions["network_stream"]``'s
   ``server_addr`` once more (defence in depth).

Residual risks (documented, not solved here)
--------------------------------------------
* **Name resolution has no timeout of its own.** ``socket.getaddrinfo`` blocks
  for as long as the system resolver takes; the per-operation ``timeout`` does
  not cover it.
* **Publicly routable but sensitive targets are not blocked.** Anything with a
  global address passes: e.g. the studio's own public IP/domain, other tenants
  of a cloud provider, or services on unusual ports of public hosts (only the
  address is checked, not the port).
* **Decompression.** We request ``Accept-Encoding: identity``; a server that
  compresses anyway is decoded by httpx and ``max_bytes`` counts *decoded*
  bytes, so the stored file can never exceed the cap, but a single compressed
  network chunk can briefly expand in memory (bounded by the codec's ratio
  times httpx's read size).
* **Slow drip.** ``timeout`` bounds each connect/read/write, not the whole
  transfer. Pass ``total_timeout`` to bound the whole fetch (the check runs
  between chunks, so it can overshoot by up to one read ``timeout``); otherwise
  the Celery task time limit is the outer bound.
* **Partial output.** On any error ``dest`` may hold a partial body (never more
  than ``max_bytes``); callers must discard it.
* **httpx internals.** Pinning replaces ``httpx.HTTPTransport``'s private
  ``_pool`` with an ``httpcore.ConnectionPool`` using our network backend
  (httpx does not expose ``network_backend``). A guard raises ``RuntimeError``
  if that attribute ever disappears, and the DNS-rebinding tests would fail if
  the backend stopped being used; re-check on httpx upgrades.
* **Provider URLs** (``user_supplied=False``) are deliberately not
  address-checked, including their redirects: a compromised or malicious
  configured provider could make the studio fetch internal URLs.
* **Only the address is pinned, not the content.** A public host that is
  allowed may still serve anything (malware, huge-but-under-cap files, the
  wrong media type); callers must validate the bytes.
* **Allow-list entries bypass the address check completely** for exactly the
  listed host (and port, if given). They are meant for the local sandbox in
  development/tests and should be empty in production.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
import typing
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import urlsplit

import httpcore
import httpx

__all__ = [
    "FetchError",
    "FetchResult",
    "UnresolvableHostError",
    "UnsafeURLError",
    "fetch_to_file",
    "is_forbidden_address",
    "url_check",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES: typing.Final = frozenset({"http", "https"})
DEFAULT_PORTS: typing.Final = {"http": 80, "https": 443}
MAX_URL_LENGTH: typing.Final = 8192
# How many of a host's vetted addresses to try before giving up on connecting.
MAX_CONNECT_ATTEMPTS: typing.Final = 4
REDIRECT_STATUSES: typing.Final = frozenset({301, 302, 303, 307, 308})
USER_AGENT: typing.Final = "the-studio-fetch/1.0"

_SAFE_MESSAGE: typing.Final = (
    "This URL is not allowed: it must be a public http(s) address "
    "(private, local and internal network addresses are refused)."
)


# --------------------------------------------------------------------------
# Errors and results
# --------------------------------------------------------------------------


class UnsafeURLError(Exception):
    """The URL (or a redirect it leads to) must not be fetched.

    ``str(exc)`` / ``exc.message`` is safe to show to the user; ``exc.detail``
    may contain resolved internal addresses and is meant for logs only.
    """

    code: str = "unsafe_source_url"

    def __init__(self, message: str = _SAFE_MESSAGE, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail or message


class UnresolvableHostError(UnsafeURLError):
    """The host name did not resolve (it cannot be vetted, so it is refused).

    :func:`url_check` raises this (a subclass of :class:`UnsafeURLError`, same
    ``code``) so a form can reject a mistyped host. :func:`fetch_to_file`
    turns it into a retryable ``FetchError("fetch_failed")`` because DNS
    failures are often transient.
    """


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


# --------------------------------------------------------------------------
# Address classification
# --------------------------------------------------------------------------

_METADATA_ADDRESSES: typing.Final = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),  # AWS/GCP/Azure/OpenStack/...
        ipaddress.ip_address("fd00:ec2::254"),  # AWS IMDS over IPv6
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
        ipaddress.ip_address("192.0.0.192"),  # Oracle Cloud (legacy)
    }
)

_FORBIDDEN_V4: typing.Final = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",  # "this network", includes 0.0.0.0
        "10.0.0.0/8",
        "100.64.0.0/10",  # shared address space (CGNAT)
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast (deprecated)
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, includes 255.255.255.255
    )
)

_FORBIDDEN_V6: typing.Final = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "::/8",  # unspecified, loopback, IPv4-compatible, IPv4-mapped
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments (incl. Teredo 2001::/32)
        "2001:db8::/32",  # documentation
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)

_NAT64_WKP: typing.Final = ipaddress.IPv6Network("64:ff9b::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries (and may be translated to)."""
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    packed = int(ip)
    if ip in _NAT64_WKP or packed >> 32 == 0:  # NAT64 or IPv4-compatible ::a.b.c.d
        found.append(ipaddress.IPv4Address(packed & 0xFFFFFFFF))
    return found


def is_forbidden_address(ip: IPAddress) -> bool:
    """True if ``ip`` is not a plain public unicast address.

    Refuses private, loopback, link-local, multicast, reserved, unspecified,
    shared (100.64/10), documentation/benchmark ranges, metadata addresses and
    IPv6 addresses embedding any forbidden IPv4 address. Deliberately stricter
    than ``not ip.is_global`` (whose exact meaning varies across Python
    versions).
    """
    if isinstance(ip, ipaddress.IPv6Address):
        special = bool(
            ip.scope_id
            or ip.is_site_local
            or any(ip in net for net in _FORBIDDEN_V6)
            or any(is_forbidden_address(v4) for v4 in _embedded_ipv4(ip))
        )
    else:
        special = any(ip in net for net in _FORBIDDEN_V4)
    return bool(
        special
        or ip in _METADATA_ADDRESSES
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


# --------------------------------------------------------------------------
# Host parsing
# --------------------------------------------------------------------------

_NUMERIC_LABEL = re.compile(r"[0-9]+|0[xX][0-9a-fA-F]*")
_HOST_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")

_LOCAL_NAMES: typing.Final = frozenset(
    {
        "localhost",
        "localhost.localdomain",
        "ip6-localhost",
        "ip6-loopback",
        "metadata.google.internal",
        "instance-data.ec2.internal",
    }
)
_LOCAL_SUFFIXES: typing.Final = (
    ".localhost",
    ".localdomain",
    ".local",
    ".internal",
    ".home.arpa",
    ".in-addr.arpa",
    ".ip6.arpa",
)


def _normalize_host(host: str) -> str:
    """Lower-case, strip IPv6 brackets and one trailing dot."""
    host = host.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host.endswith(".") and not host.endswith(".."):
        host = host[:-1]
    return host


def _parse_ipv4_part(part: str) -> int | None:
    if part[:2] in ("0x", "0X"):
        digits = part[2:]
        return int(digits, 16) if digits else 0
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8) if re.fullmatch(r"[0-7]+", part) else None
    return int(part, 10) if part.isdigit() else None


def _legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """Decode any IPv4 spelling ``inet_aton`` would accept.

    Handles dotted, decimal (``2130706433``), hex (``0x7f000001``), octal
    (``0177.0.0.1``) and short forms (``127.1``, ``127.0.1``). Returns
    ``None`` if ``host`` is not numeric (its last label is not a number), and
    raises :class:`UnsafeURLError` for numeric-looking hosts that do not
    decode (following the WHATWG URL rule: a host whose last label is a
    number is an IPv4 address or invalid).
    """
    labels = host.split(".")
    if not labels or not _NUMERIC_LABEL.fullmatch(labels[-1]):
        return None
    bad = UnsafeURLError(
        "This URL is not allowed: its host is not a valid address.",
        detail=f"malformed numeric host {host!r}",
    )
    if len(labels) > 4:
        raise bad
    parts: list[int] = []
    for label in labels:
        if not _NUMERIC_LABEL.fullmatch(label):
            raise bad
        value = _parse_ipv4_part(label)
        if value is None:
            raise bad
        parts.append(value)
    *head, last = parts
    if any(p > 255 for p in head) or last >= 256 ** (4 - len(head)):
        raise bad
    number = last
    for index, part in enumerate(head):
        number += part << (8 * (3 - index))
    return ipaddress.IPv4Address(number)


def _literal_address(host: str) -> IPAddress | None:
    """The address a normalized host spells literally, if it is one."""
    if ":" in host:
        if "%" in host:  # zone/scope ids only make sense for local addresses
            raise UnsafeURLError(detail=f"scoped IPv6 literal {host!r}")
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            raise UnsafeURLError(
                "This URL is not allowed: its host is not a valid address.",
                detail=f"malformed IPv6 literal {host!r}",
            ) from None
    return _legacy_ipv4(host)


def _check_host_name(host: str) -> None:
    """Refuse names that are local by definition or not DNS names at all."""
    if not host or len(host) > 253:
        raise UnsafeURLError(
            "This URL is not allowed: it has no valid host.",
            detail=f"bad host {host!r}",
        )
    labels = host.split(".")
    if not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise UnsafeURLError(
            "This URL is not allowed: its host is not a valid name.",
            detail=f"bad host name {host!r}",
        )
    if host in _LOCAL_NAMES or host.endswith(_LOCAL_SUFFIXES):
        raise UnsafeURLError(detail=f"local host name {host!r}")
    if len(labels) < 2:
        # Single-label names resolve through the resolver's search domains
        # (e.g. "redis", "db", "kubernetes"): internal by construction.
        raise UnsafeURLError(detail=f"single-label host name {host!r}")


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise UnresolvableHostError(
            "This URL's host could not be resolved.",
            detail=f"getaddrinfo({host!r}) failed: {exc}",
        ) from exc
    addresses: list[IPAddress] = []
    for family, _type, _proto, _canon, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        raw = str(sockaddr[0])
        try:
            ip = ipaddress.ip_address(raw)
        except ValueError:
            # Something we cannot classify (e.g. an odd scope id): refuse.
            raise UnsafeURLError(detail=f"{host!r} resolved to {raw!r}") from None
        if isinstance(ip, ipaddress.IPv6Address) and len(sockaddr) >= 4 and sockaddr[3]:
            raise UnsafeURLError(detail=f"{host!r} resolved to scoped {raw!r}")
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise UnresolvableHostError(
            "This URL's host could not be resolved.",
            detail=f"getaddrinfo({host!r}) returned no IP addresses",
        )
    return addresses


# --------------------------------------------------------------------------
# Allow-list
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _AllowList:
    any_port: frozenset[str]
    with_port: frozenset[tuple[str, int]]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> _AllowList:
        if isinstance(entries, str):  # a bare string is a common mistake
            entries = [entries]
        any_port: set[str] = set()
        with_port: set[tuple[str, int]] = set()
        for raw in entries:
            host, port = _parse_allow_entry(raw)
            if not host:
                continue
            if port is None:
                any_port.add(host)
            else:
                with_port.add((host, port))
        return cls(frozenset(any_port), frozenset(with_port))

    def permits(self, host: str, port: int) -> bool:
        host = _normalize_host(host)
        return host in self.any_port or (host, port) in self.with_port

    def __bool__(self) -> bool:
        return bool(self.any_port or self.with_port)


def _parse_allow_entry(entry: str) -> tuple[str, int | None]:
    """Parse ``host``, ``host:port``, ``[v6]``, ``[v6]:port`` or a URL."""
    entry = entry.strip()
    if not entry:
        return "", None
    if "://" in entry:
        url = httpx.URL(entry)
        return _normalize_host(url.host), url.port or DEFAULT_PORTS.get(url.scheme)
    port_text = ""
    if entry.startswith("["):
        end = entry.find("]")
        if end < 0:
            raise ValueError(f"bad allow-list entry {entry!r}")
        host, rest = entry[: end + 1], entry[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"bad allow-list entry {entry!r}")
            port_text = rest[1:]
    elif entry.count(":") == 1:
        host, port_text = entry.split(":")
    else:  # plain name, IPv4, or a bare IPv6 address without port
        host = entry
    port: int | None = None
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ValueError(f"bad port in allow-list entry {entry!r}")
        port = int(port_text)
    return _normalize_host(host), port


# --------------------------------------------------------------------------
# URL checks
# --------------------------------------------------------------------------


def _parse_url(url: str) -> httpx.URL:
    """Check the URL's shape and return it parsed exactly as httpx will use it."""
    if not isinstance(url, str) or not url:
        raise UnsafeURLError("This URL is not allowed: it is empty.", detail=repr(url))
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeURLError("This URL is too long.", detail=f"{len(url)} characters")
    if any(ord(c) <= 0x20 or ord(c) == 0x7F or c == "\\" for c in url):
        raise UnsafeURLError(
            "This URL is not allowed: it contains spaces, control characters or backslashes.",
            detail=repr(url),
        )
    try:
        split = urlsplit(url)
    except ValueError:
        raise UnsafeURLError("This is not a valid URL.", detail=f"urlsplit failed: {url!r}") from None
    if split.scheme.lower() not in ALLOWED_SCHEMES:
        raise UnsafeURLError(
            "This URL is not allowed: only http and https URLs can be fetched.",
            detail=f"scheme {split.scheme!r}",
        )
    if "@" in split.netloc:
        raise UnsafeURLError(
            "This URL is not allowed: URLs with a user name or password (user:pass@host) are refused.",
            detail="userinfo in URL",
        )
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise UnsafeURLError("This is not a valid URL.", detail=f"httpx rejected {url!r}: {exc}") from None
    if parsed.scheme not in ALLOWED_SCHEMES:
        raise UnsafeURLError(
            "This URL is not allowed: only http and https URLs can be fetched.",
            detail=f"scheme {parsed.scheme!r}",
        )
    if parsed.userinfo:
        raise UnsafeURLError(
            "This URL is not allowed: URLs with a user name or password (user:pass@host) are refused.",
            detail="userinfo in URL",
        )
    if not parsed.raw_host:
        raise UnsafeURLError("This URL is not allowed: it has no host.", detail=repr(url))
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise UnsafeURLError(
            "This URL is not allowed: its port is invalid.",
            detail=f"port {parsed.port}",
        )
    return parsed


def _host_port(url: httpx.URL) -> tuple[str, int]:
    host = url.raw_host.decode("ascii")  # what httpcore will connect to
    return host, url.port or DEFAULT_PORTS[url.scheme]


def _vet_host(host: str, port: int, allow: _AllowList) -> tuple[list[IPAddress], bool]:
    """Addresses to connect to for ``host``; raise if any is forbidden.

    Returns ``(addresses, allow_listed)``. Allow-listed hosts skip every
    address/name check but are still resolved here so the caller can pin.
    """
    name = _normalize_host(host)
    if allow.permits(name, port):
        literal = _literal_address(name)
        return ([literal] if literal is not None else _resolve(host, port)), True
    literal = _literal_address(name)
    if literal is not None:
        addresses = [literal]
    else:
        _check_host_name(name)
        addresses = _resolve(host, port)
    forbidden = [str(ip) for ip in addresses if is_forbidden_address(ip)]
    if forbidden:
        raise UnsafeURLError(detail=f"host {host!r} -> forbidden address(es) {', '.join(forbidden)}")
    return addresses, False


def _precheck_numeric_host(url: str, allow: _AllowList) -> None:
    """Classify numeric hosts httpx itself rejects (e.g. octal ``0177.0.0.1``).

    Such URLs are refused either way; this only makes the reason precise and
    does not depend on httpx's parser being strict.
    """
    try:
        split = urlsplit(url)
        host, port = split.hostname, split.port
    except ValueError:
        return
    if not host or ":" in host:
        return
    if allow.permits(host, port or DEFAULT_PORTS.get(split.scheme.lower(), 0)):
        return
    try:
        address = _legacy_ipv4(_normalize_host(host))
    except UnsafeURLError:
        return  # _parse_url / _vet_host will refuse it with their own reason
    if address is not None and is_forbidden_address(address):
        raise UnsafeURLError(detail=f"host {host!r} -> forbidden address {address}")


def _check(url: str, allow: _AllowList, *, vet_address: bool) -> httpx.URL:
    if vet_address and isinstance(url, str):
        _precheck_numeric_host(url, allow)
    parsed = _parse_url(url)
    if vet_address:
        _vet_host(*_host_port(parsed), allow)
    return parsed


def url_check(url: str, *, allow_hosts: Iterable[str] = frozenset()) -> None:
    """Raise :class:`UnsafeURLError` unless ``url`` is safe to fetch.

    Safe means: ``http``/``https``, no credentials, a host, and every address
    the host resolves to (or spells literally, in any IPv4/IPv6 notation) is a
    public unicast address (see :func:`is_forbidden_address`).

    ``allow_hosts`` lists ``host`` or ``host:port`` entries (``[v6]:port`` for
    IPv6; a full URL is also accepted and means its host and effective port)
    whose address check is skipped — for the local sandbox in development and
    tests. A ``host`` entry without port allows every port of that host.
    Matching is on the host as written in the URL (case-insensitive, trailing
    dot ignored), not on what it resolves to.

    Raises :class:`UnresolvableHostError` (a subclass) when the host does not
    resolve. Resolution happens here, but a later fetch re-resolves and
    re-checks: passing ``url_check`` is not a licence to connect elsewhere.
    """
    _check(url, _AllowList.parse(allow_hosts), vet_address=True)


# --------------------------------------------------------------------------
# Pinned transport
# --------------------------------------------------------------------------


class _PinnedBackend(httpcore.NetworkBackend):
    """Resolve, vet, then connect to the vetted IP literal.

    httpcore hands us the URL's host; TLS (SNI and certificate hostname) and
    the ``Host`` header keep using that host, while the TCP socket goes to
    the address we checked.
    """

    def __init__(self, allow: _AllowList) -> None:
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


class _PinnedTransport(httpx.HTTPTransport):
    def __init__(self, allow: _AllowList, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, retries=0)
        if not isinstance(getattr(self, "_pool", None), httpcore.ConnectionPool):
            raise RuntimeError(
                "httpx.HTTPTransport internals changed: cannot install the "
                "address-pinning network backend; refusing to fetch unsafely."
            )
        self._pool.close()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            retries=0,
            network_backend=_PinnedBackend(allow),
        )


# --------------------------------------------------------------------------
# Fetching
# --------------------------------------------------------------------------


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


def _check_response_peer(response: httpx.Response, allow: _AllowList) -> None:
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

    allow: _AllowList
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
            _PinnedTransport(self.allow, limits)
            if self.user_supplied
            else httpx.HTTPTransport(limits=limits, retries=0)
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
        allow=_AllowList.parse(allow_hosts),
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
