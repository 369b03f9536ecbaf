"""What URL may be fetched: its shape (scheme, credentials, host, port), host names that are local by
definition, every spelling of an address, the forbidden ranges, and the allow-list
(the package docstring, generations.outbound, explains the whole defence)."""

from __future__ import annotations

import ipaddress
import re
import socket
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

__all__ = ["AllowList", "UnresolvableHostError", "UnsafeURLError", "is_forbidden_address", "url_check"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES: typing.Final = frozenset({"http", "https"})
DEFAULT_PORTS: typing.Final = {"http": 80, "https": 443}
MAX_URL_LENGTH: typing.Final = 8192

_SAFE_MESSAGE: typing.Final = (
    "This URL is not allowed: it must be a public http(s) address "
    "(private, local and internal network addresses are refused)."
)


# --------------------------------------------------------------------------
# Errors
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
class AllowList:
    any_port: frozenset[str]
    with_port: frozenset[tuple[str, int]]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
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


def _vet_host(host: str, port: int, allow: AllowList) -> tuple[list[IPAddress], bool]:
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


def _precheck_numeric_host(url: str, allow: AllowList) -> None:
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


def _check(url: str, allow: AllowList, *, vet_address: bool) -> httpx.URL:
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
    _check(url, AllowList.parse(allow_hosts), vet_address=True)
