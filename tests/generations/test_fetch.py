"""Tests for generations.outbound (rules, transport, fetch): SSRF protection, redirects, size caps.

No network and no database: every server is on loopback, made reachable only
through ``allow_hosts``; DNS answers for made-up public names come from a
patched ``socket.getaddrinfo``.
"""

from __future__ import annotations

import io
import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from generations.outbound import fetch as outbound_fetch
from generations.outbound import transport as outbound_transport
from generations.outbound.fetch import FetchError, FetchResult, fetch_to_file
from generations.outbound.rules import (
    UnresolvableHostError,
    UnsafeURLError,
    _legacy_ipv4,
    is_forbidden_address,
    url_check,
)

PUBLIC_V4 = "93.184.216.34"
PUBLIC_V6 = "2606:2800:220:1:248:1893:25c8:1946"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


# --------------------------------------------------------------------------
# Fixtures: a raw TCP listener, a connection spy, an HTTP server, fake DNS
# --------------------------------------------------------------------------


class CountingListener:
    """A TCP listener on 127.0.0.1 that counts (and drops) connections."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.05)
        self.port: int = self.sock.getsockname()[1]
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted += 1
            conn.close()

    def connections(self) -> int:
        """Count after giving the accept loop time to drain the backlog."""
        time.sleep(0.1)
        return self.accepted

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[CountingListener]:
    lst = CountingListener()
    yield lst
    lst.close()


@pytest.fixture
def connect_spy(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record every outgoing socket connect (and still perform it)."""
    attempts: list[Any] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def connect(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        attempts.append(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    return attempts


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Map made-up host names to addresses.

    A value is a list of addresses, a callable returning one (for answers
    that change between calls), or an exception instance to raise. Names not
    in the mapping go to the real resolver.
    """
    table: dict[str, Any] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        key = (host.decode() if isinstance(host, bytes) else host).rstrip(".").lower()
        if key not in table:
            return real(host, port, *args, **kwargs)
        answer = table[key]
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer):
            answer = answer()
        infos = []
        for addr in answer:
            ip = ipaddress.ip_address(addr)
            if ip.version == 4:
                infos.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (addr, int(port or 0))))
            else:
                infos.append(
                    (
                        socket.AF_INET6,
                        socket.SOCK_STREAM,
                        6,
                        "",
                        (addr, int(port or 0), 0, 0),
                    )
                )
        return infos

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


class Handler(BaseHTTPRequestHandler):
    server: LocalServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(
        self,
        status: int,
        body: bytes = b"",
        *,
        content_type: str = "application/octet-stream",
        headers: dict[str, str] | None = None,
        length: bool = True,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.requests.append((self.path, self.headers.get("Host", "")))
        path, _, query = self.path.partition("?")
        params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
        route = getattr(self, "route_" + path.strip("/").replace("-", "_"), None)
        if route is None:
            self._send(404, b"missing")
        else:
            route(params)

    def route_ok(self, params: dict[str, str]) -> None:
        self._send(200, PNG, content_type="image/png; charset=binary")

    def route_host(self, params: dict[str, str]) -> None:
        self._send(200, self.headers.get("Host", "").encode(), content_type="text/plain")

    def route_redirect(self, params: dict[str, str]) -> None:
        self._send(int(params.get("status", "302")), headers={"Location": params["to"]})

    def route_redirect_empty(self, params: dict[str, str]) -> None:
        self._send(302)

    def route_loop(self, params: dict[str, str]) -> None:
        self._send(302, headers={"Location": "/loop"})

    def route_big(self, params: dict[str, str]) -> None:
        # cl=0: no Content-Length, the body ends when the connection closes.
        self._send(200, b"x" * int(params["n"]), length=params.get("cl") != "0")

    def route_chunked(self, params: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        for _ in range(int(params["chunks"])):
            self.wfile.write(b"400\r\n" + b"y" * 1024 + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def route_status(self, params: dict[str, str]) -> None:
        self._send(int(params["code"]), b"nope")

    def route_slow(self, params: dict[str, str]) -> None:
        time.sleep(float(params.get("s", "1.5")))
        self._send(200, b"late")

    def route_drip(self, params: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Connection", "close")
        self.end_headers()
        for _ in range(int(params.get("n", "20"))):
            self.wfile.write(b"z" * 10)
            self.wfile.flush()
            time.sleep(0.1)


class LocalServer(ThreadingHTTPServer):
    daemon_threads = True
    requests: list[tuple[str, str]]

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up early (timeouts, size caps) is expected here


@pytest.fixture
def server() -> Iterator[LocalServer]:
    srv = LocalServer(("127.0.0.1", 0), Handler)
    srv.requests = []
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=2)


def base(srv: LocalServer) -> str:
    return f"http://127.0.0.1:{srv.server_address[1]}"


def allow(srv: LocalServer) -> frozenset[str]:
    return frozenset({f"127.0.0.1:{srv.server_address[1]}"})


def fetch(url: str, **kwargs: Any) -> tuple[FetchResult, bytes]:
    buf = io.BytesIO()
    kwargs.setdefault("max_bytes", 1_000_000)
    kwargs.setdefault("timeout", 2.0)
    result = fetch_to_file(url, buf, **kwargs)
    return result, buf.getvalue()


# --------------------------------------------------------------------------
# The unsafe-URL matrix: refused by url_check and by fetch_to_file, and no
# connection is ever attempted.
# --------------------------------------------------------------------------

UNSAFE_URLS = [
    # schemes
    "file:///etc/passwd",
    "ftp://127.0.0.1:{port}/x",
    "ftp://example.com/x",
    "gopher://127.0.0.1:{port}/_GET",
    "data:text/plain,hello",
    "javascript:alert(1)",
    "//example.com/x",
    # credentials
    f"http://user:pass@{PUBLIC_V4}/",
    f"http://user@{PUBLIC_V4}/",
    f"http://:pw@{PUBLIC_V4}/",
    f"http://@{PUBLIC_V4}/",
    "http://user:pass@127.0.0.1:{port}/",
    # loopback / local names
    "http://127.0.0.1:{port}/",
    "https://127.0.0.1:{port}/",
    "http://127.0.0.1.:{port}/",
    "http://127.255.255.254:{port}/",
    "http://localhost:{port}/",
    "http://LOCALHOST:{port}/",
    "http://localhost.:{port}/",
    "http://foo.localhost:{port}/",
    "http://localhost.localdomain:{port}/",
    "http://[::1]:{port}/",
    "http://[0:0:0:0:0:0:0:1]:{port}/",
    "http://0.0.0.0:{port}/",
    "http://0:{port}/",
    "http://[::]:{port}/",
    # private / link-local / shared / metadata
    "http://10.0.0.1:{port}/",
    "http://172.16.0.1:{port}/",
    "http://172.31.255.255:{port}/",
    "http://192.168.1.1:{port}/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://100.64.0.1:{port}/",
    "http://[fe80::1]:{port}/",
    "http://[fc00::1]:{port}/",
    "http://224.0.0.1:{port}/",
    "http://255.255.255.255:{port}/",
    "http://198.18.0.1:{port}/",
    "http://192.0.0.9:{port}/",
    # IPv6 forms embedding IPv4 loopback
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://[::ffff:7f00:1]:{port}/",
    "http://[::127.0.0.1]:{port}/",
    "http://[64:ff9b::7f00:1]:{port}/",
    "http://[2002:7f00:1::]:{port}/",
    # encoded IPv4
    "http://2130706433:{port}/",
    "http://0x7f000001:{port}/",
    "http://0x7F000001:{port}/",
    "http://0177.0.0.1:{port}/",
    "http://0177.1:{port}/",
    "http://127.1:{port}/",
    "http://127.0.1:{port}/",
    "http://0x7f.1:{port}/",
    "http://0x7f.0.0.1:{port}/",
    "http://017700000001:{port}/",
    "http://3232235777:{port}/",  # 192.168.1.1
    "http://1.2.3.4.5:{port}/",  # malformed numeric host
    # parser-confusion tricks
    f"http://{PUBLIC_V4}\\@127.0.0.1:{{port}}/",
    f"http://{PUBLIC_V4}:80@127.0.0.1:{{port}}/",
    "http://127.0.0.1:{port}#@" + PUBLIC_V4 + "/",
    "http://127.0.0.1%2f:{port}/",
    "http:///etc/passwd",
    "http://:{port}/",
    "http:// 127.0.0.1:{port}/",
    "http://127.0.0.1:{port}/\r\nHost: x",
    "http://127.0.0.1:99999/",
    # single-label names (resolver search domains)
    "http://redis:{port}/",
]


@pytest.mark.parametrize("template", UNSAFE_URLS)
def test_unsafe_url_refused_without_connecting(
    template: str, listener: CountingListener, connect_spy: list[Any]
) -> None:
    url = template.replace("{port}", str(listener.port))

    with pytest.raises(UnsafeURLError) as by_check:
        url_check(url)
    assert by_check.value.code == "unsafe_source_url"
    assert str(by_check.value)  # a user-facing message

    with pytest.raises(UnsafeURLError) as by_fetch:
        fetch(url)
    assert by_fetch.value.code == "unsafe_source_url"

    assert connect_spy == []
    assert listener.connections() == 0


@pytest.mark.parametrize(
    "template",
    [
        "http://127.0.0.1:{port}/",
        "http://localhost:{port}/",
        "http://2130706433:{port}/",
    ],
)
def test_allow_list_entry_for_another_port_does_not_help(
    template: str, listener: CountingListener, connect_spy: list[Any]
) -> None:
    url = template.replace("{port}", str(listener.port))
    allow_hosts = frozenset({f"127.0.0.1:{listener.port + 1}", "localhost:1"})
    with pytest.raises(UnsafeURLError):
        url_check(url, allow_hosts=allow_hosts)
    with pytest.raises(UnsafeURLError):
        fetch(url, allow_hosts=allow_hosts)
    assert connect_spy == []
    assert listener.connections() == 0


def test_provider_urls_still_get_scheme_and_credential_checks(
    connect_spy: list[Any],
) -> None:
    for url in ("file:///etc/passwd", "gopher://127.0.0.1/", "http://u:p@127.0.0.1/"):
        with pytest.raises(UnsafeURLError):
            fetch(url, user_supplied=False)
    assert connect_spy == []


# --------------------------------------------------------------------------
# url_check on addresses that are fine
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"http://{PUBLIC_V4}/image.png",
        f"https://{PUBLIC_V4}:8443/image.png?x=1#frag",
        f"http://[{PUBLIC_V6}]/",
        "http://1572395042/",  # 93.184.216.34 in decimal: encoded but public
    ],
)
def test_public_literal_addresses_pass(url: str, connect_spy: list[Any]) -> None:
    url_check(url)
    assert connect_spy == []


def test_public_name_passes(fake_dns: dict[str, Any]) -> None:
    fake_dns["media.example.com"] = [PUBLIC_V4, PUBLIC_V6]
    url_check("https://media.example.com/a.png")
    url_check("https://MEDIA.example.com./a.png")


def test_name_resolving_to_any_private_address_is_refused(
    fake_dns: dict[str, Any],
) -> None:
    fake_dns["mixed.example.com"] = [PUBLIC_V4, "10.1.2.3"]
    fake_dns["rebind.example.com"] = ["127.0.0.1"]
    fake_dns["meta.example.com"] = ["169.254.169.254"]
    fake_dns["v6local.example.com"] = [PUBLIC_V4, "::1"]
    fake_dns["mapped.example.com"] = ["::ffff:10.0.0.1"]
    for name in fake_dns:
        with pytest.raises(UnsafeURLError) as exc:
            url_check(f"https://{name}/a.png")
        # The user-facing message does not leak the internal address.
        assert "10.1.2.3" not in str(exc.value)
        assert "127.0.0.1" not in str(exc.value)


def test_unresolvable_host(fake_dns: dict[str, Any], connect_spy: list[Any]) -> None:
    fake_dns["nx.example.com"] = socket.gaierror(socket.EAI_NONAME, "not known")
    with pytest.raises(UnresolvableHostError) as exc:
        url_check("https://nx.example.com/a.png")
    assert exc.value.code == "unsafe_source_url"
    # At fetch time a DNS failure is a (retryable) fetch failure.
    with pytest.raises(FetchError) as fetch_exc:
        fetch("https://nx.example.com/a.png")
    assert fetch_exc.value.code == "fetch_failed"
    assert fetch_exc.value.permanent is False
    assert connect_spy == []


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("0xc0.0250.1.1", "192.168.1.1"),
        ("1572395042", PUBLIC_V4),
        ("example.com", None),
        ("1.2.3.example", None),
    ],
)
def test_legacy_ipv4_decoding(host: str, expected: str | None) -> None:
    decoded = _legacy_ipv4(host)
    assert (None if decoded is None else str(decoded)) == expected


@pytest.mark.parametrize("host", ["1.2.3.4.5", "256.1.1.1", "1.16777216", "08.0.0.1", "4294967296"])
def test_malformed_numeric_hosts_are_refused(host: str) -> None:
    with pytest.raises(UnsafeURLError):
        _legacy_ipv4(host)


@pytest.mark.parametrize(
    ("address", "forbidden"),
    [
        ("8.8.8.8", False),
        (PUBLIC_V4, False),
        (PUBLIC_V6, False),
        ("2002:5db8:d822::1", False),  # 6to4 of a public address
        ("127.0.0.1", True),
        ("0.0.0.0", True),
        ("10.255.255.255", True),
        ("100.127.255.255", True),
        ("169.254.169.254", True),
        ("172.16.0.1", True),
        ("192.168.0.1", True),
        ("224.0.0.251", True),
        ("255.255.255.255", True),
        ("::", True),
        ("::1", True),
        ("::ffff:169.254.169.254", True),
        ("64:ff9b::a00:1", True),
        ("2002:a00:1::", True),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", True),  # Teredo
        ("fd00:ec2::254", True),
        ("fe80::1", True),
        ("ff02::1", True),
        ("2001:db8::1", True),
    ],
)
def test_is_forbidden_address(address: str, forbidden: bool) -> None:
    assert is_forbidden_address(ipaddress.ip_address(address)) is forbidden


# --------------------------------------------------------------------------
# Success paths through the allow-listed local server
# --------------------------------------------------------------------------


def test_success_returns_bytes_type_and_size(server: LocalServer) -> None:
    result, body = fetch(base(server) + "/ok", allow_hosts=allow(server))
    assert body == PNG
    assert result == FetchResult(final_url=base(server) + "/ok", content_type="image/png", size=len(PNG))


def test_allow_list_accepts_url_and_list_forms(server: LocalServer) -> None:
    port = server.server_address[1]
    for entries in ([f"http://127.0.0.1:{port}"], [f"127.0.0.1:{port}"], ["127.0.0.1"]):
        result, body = fetch(base(server) + "/ok", allow_hosts=entries)
        assert body == PNG and result.size == len(PNG)


def test_provider_url_skips_address_check(server: LocalServer) -> None:
    result, body = fetch(base(server) + "/ok", user_supplied=False)
    assert body == PNG
    assert result.content_type == "image/png"


def test_relative_redirect_is_followed(server: LocalServer) -> None:
    result, body = fetch(base(server) + "/redirect?to=/ok", allow_hosts=allow(server))
    assert body == PNG
    assert result.final_url == base(server) + "/ok"


@pytest.mark.parametrize("status", [301, 303, 307, 308])
def test_other_redirect_statuses(server: LocalServer, status: int) -> None:
    result, _ = fetch(base(server) + f"/redirect?status={status}&to=/ok", allow_hosts=allow(server))
    assert result.final_url.endswith("/ok")


def test_connection_is_pinned_to_the_vetted_address(
    server: LocalServer, fake_dns: dict[str, Any], connect_spy: list[Any]
) -> None:
    """The socket goes to the resolved IP; Host keeps the original name."""
    port = server.server_address[1]
    fake_dns["media.example.com"] = ["127.0.0.1"]
    result, body = fetch(
        f"http://media.example.com:{port}/host",
        allow_hosts={f"media.example.com:{port}"},
    )
    assert body == f"media.example.com:{port}".encode()
    assert result.final_url == f"http://media.example.com:{port}/host"
    assert connect_spy == [("127.0.0.1", port)]


# --------------------------------------------------------------------------
# Redirects to forbidden places
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{lport}/",
        "http://localhost:{lport}/",
        "http://[::1]:{lport}/",
        "http://2130706433:{lport}/",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:{lport}/_x",
        "http://user:pw@127.0.0.1:{lport}/",
    ],
)
def test_redirect_to_forbidden_target_is_refused(
    target: str, server: LocalServer, listener: CountingListener, connect_spy: list[Any]
) -> None:
    to = target.replace("{lport}", str(listener.port))
    with pytest.raises(UnsafeURLError) as exc:
        fetch(base(server) + f"/redirect?to={to}", allow_hosts=allow(server))
    assert exc.value.code == "unsafe_source_url"
    assert listener.connections() == 0
    # Only the allow-listed server was ever connected to.
    assert {address[1] for address in connect_spy} == {server.server_address[1]}


def test_redirect_to_name_resolving_privately_is_refused(
    server: LocalServer,
    listener: CountingListener,
    fake_dns: dict[str, Any],
    connect_spy: list[Any],
) -> None:
    fake_dns["evil.example.com"] = ["127.0.0.1"]
    to = f"http://evil.example.com:{listener.port}/"
    with pytest.raises(UnsafeURLError):
        fetch(base(server) + f"/redirect?to={to}", allow_hosts=allow(server))
    assert listener.connections() == 0
    assert all(address[1] != listener.port for address in connect_spy)


def test_dns_rebinding_between_check_and_connect_is_caught(
    listener: CountingListener, fake_dns: dict[str, Any], connect_spy: list[Any]
) -> None:
    """First answer public (passes url_check), later answers loopback."""
    answers = iter([[PUBLIC_V4]])
    fake_dns["rebind.example.com"] = lambda: next(answers, ["127.0.0.1"])
    with pytest.raises(UnsafeURLError):
        fetch(f"http://rebind.example.com:{listener.port}/")
    assert connect_spy == []
    assert listener.connections() == 0


def test_provider_redirects_are_not_address_checked(server: LocalServer) -> None:
    to = base(server) + "/ok"
    result, body = fetch(base(server) + f"/redirect?to={to}", user_supplied=False)
    assert result.final_url == to
    assert body == PNG


def test_too_many_redirects(server: LocalServer) -> None:
    with pytest.raises(FetchError) as exc:
        fetch(base(server) + "/loop", allow_hosts=allow(server), max_redirects=3)
    assert exc.value.code == "too_many_redirects"
    assert exc.value.permanent is True
    assert len(server.requests) == 4  # the original request + 3 redirects


def test_redirect_without_location(server: LocalServer) -> None:
    with pytest.raises(FetchError) as exc:
        fetch(base(server) + "/redirect-empty", allow_hosts=allow(server))
    assert exc.value.code == "bad_status"


# --------------------------------------------------------------------------
# Size caps
# --------------------------------------------------------------------------


@pytest.mark.parametrize("user_supplied", [True, False])
def test_content_length_over_cap_is_refused_before_reading(server: LocalServer, user_supplied: bool) -> None:
    buf = io.BytesIO()
    with pytest.raises(FetchError) as exc:
        fetch_to_file(
            base(server) + "/big?n=5000",
            buf,
            max_bytes=1000,
            allow_hosts=allow(server),
            user_supplied=user_supplied,
        )
    assert exc.value.code == "too_large"
    assert exc.value.permanent is True
    assert buf.getvalue() == b""


def test_body_without_content_length_is_cut_off(server: LocalServer) -> None:
    buf = io.BytesIO()
    with pytest.raises(FetchError) as exc:
        fetch_to_file(
            base(server) + "/big?n=300000&cl=0",
            buf,
            max_bytes=100_000,
            allow_hosts=allow(server),
        )
    assert exc.value.code == "too_large"
    assert len(buf.getvalue()) <= 100_000


def test_chunked_body_is_cut_off(server: LocalServer) -> None:
    buf = io.BytesIO()
    with pytest.raises(FetchError) as exc:
        fetch_to_file(
            base(server) + "/chunked?chunks=200",
            buf,
            max_bytes=50_000,
            allow_hosts=allow(server),
        )
    assert exc.value.code == "too_large"
    assert len(buf.getvalue()) <= 50_000


def test_body_exactly_at_cap_is_accepted(server: LocalServer) -> None:
    for cl in ("1", "0"):
        result, body = fetch(
            base(server) + f"/big?n=1000&cl={cl}",
            max_bytes=1000,
            allow_hosts=allow(server),
        )
        assert result.size == 1000 == len(body)


# --------------------------------------------------------------------------
# Statuses, timeouts, connection errors
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "permanent"),
    [
        (400, True),
        (403, True),
        (404, True),
        (410, True),
        (408, False),
        (429, False),
        (500, False),
        (502, False),
        (503, False),
        (304, True),
    ],
)
def test_bad_status(server: LocalServer, code: int, permanent: bool) -> None:
    with pytest.raises(FetchError) as exc:
        fetch(base(server) + f"/status?code={code}", allow_hosts=allow(server))
    assert exc.value.code == "bad_status"
    assert exc.value.permanent is permanent
    assert exc.value.status_code == code


def test_read_timeout(server: LocalServer) -> None:
    with pytest.raises(FetchError) as exc:
        fetch(base(server) + "/slow?s=1.5", allow_hosts=allow(server), timeout=0.3)
    assert exc.value.code == "timeout"
    assert exc.value.permanent is False


def test_total_timeout_bounds_a_slow_drip(server: LocalServer) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError) as exc:
        fetch(
            base(server) + "/drip?n=30",
            allow_hosts=allow(server),
            timeout=1.0,
            total_timeout=0.4,
        )
    assert exc.value.code == "timeout"
    assert time.monotonic() - started < 2.0


def test_connection_refused_is_retryable(listener: CountingListener) -> None:
    # Find a port with nothing listening: bind, note it, close.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with pytest.raises(FetchError) as exc:
        fetch(f"http://127.0.0.1:{port}/", allow_hosts={f"127.0.0.1:{port}"})
    assert exc.value.code == "fetch_failed"
    assert exc.value.permanent is False


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        fetch_to_file(f"http://{PUBLIC_V4}/", io.BytesIO(), max_bytes=-1)
    with pytest.raises(ValueError):
        url_check("http://127.0.0.1/", allow_hosts=["127.0.0.1:notaport"])


# --------------------------------------------------------------------------
# HTTPS: the socket is pinned to the vetted IP while SNI and certificate
# verification still use the URL's host name.
# --------------------------------------------------------------------------


@pytest.fixture
def tls_server(tmp_path: Any) -> Iterator[tuple[LocalServer, ssl.SSLContext, list[str]]]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("openssl is not installed (apt-get install openssl): the HTTPS pinning tests need it")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=media.example.com",
            "-addext",
            "subjectAltName=DNS:media.example.com",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    server_names: list[str] = []
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)

    def remember_sni(sock: ssl.SSLObject, name: str | None, ctx: ssl.SSLContext) -> None:
        server_names.append(name or "")

    server_ctx.sni_callback = remember_sni
    srv = LocalServer(("127.0.0.1", 0), Handler)
    srv.requests = []
    srv.socket = server_ctx.wrap_socket(srv.socket, server_side=True)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    client_ctx = ssl.create_default_context(cafile=str(cert))
    yield srv, client_ctx, server_names
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=2)


def test_https_is_pinned_with_original_sni_and_certificate_name(
    tls_server: tuple[LocalServer, ssl.SSLContext, list[str]],
    fake_dns: dict[str, Any],
    connect_spy: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    srv, client_ctx, server_names = tls_server
    port = srv.server_address[1]
    # The studio's one TLS context per process, trusting this test's own certificate authority.
    monkeypatch.setattr(outbound_transport, "tls_context", lambda: client_ctx)
    monkeypatch.setattr(outbound_fetch, "tls_context", lambda: client_ctx)
    fake_dns["media.example.com"] = ["127.0.0.1"]
    result, body = fetch(
        f"https://media.example.com:{port}/host",
        allow_hosts={f"media.example.com:{port}"},
    )
    assert body == f"media.example.com:{port}".encode()
    assert result.final_url == f"https://media.example.com:{port}/host"
    assert server_names == ["media.example.com"]
    assert connect_spy == [("127.0.0.1", port)]


def test_https_rebinding_is_caught_before_tls(
    listener: CountingListener, fake_dns: dict[str, Any], connect_spy: list[Any]
) -> None:
    answers = iter([[PUBLIC_V4]])
    fake_dns["media.example.com"] = lambda: next(answers, ["127.0.0.1"])
    with pytest.raises(UnsafeURLError):
        fetch(f"https://media.example.com:{listener.port}/a.png")
    assert connect_spy == []
    assert listener.connections() == 0


@pytest.mark.django_db
def test_the_studios_own_link_to_a_teams_output_is_not_an_unsafe_source(settings, people, catalog):
    """Using an output as source hands the provider the studio's own signed link; the studio fetches nothing, so
    a loopback STUDIO_PUBLIC_URL (development) passes with an empty allow-list. Only that link passes."""
    from catalog.pricing import QuoteError
    from generations.selectors import source_media_field
    from generations.signed import signed_file_url
    from generations.uploads import source_urls_check
    from tests.gallery.helpers import make_generations, offer

    settings.OUTBOUND_URL_ALLOWLIST = []
    settings.STUDIO_PUBLIC_URL = "http://127.0.0.1:8000"
    ours = make_generations(team=people.team, user=people.owner, count=1, status="completed")[0].assets.get()
    theirs = make_generations(team=people.other_team, user=people.stranger, count=1, status="completed")[0]
    target = offer("kubflow:kling-3.0")
    field = source_media_field(target.spec, "image")
    link = signed_file_url(ours)
    assert link.startswith("http://127.0.0.1:8000/files/")
    source_urls_check(spec=target.spec, params={field: [link]}, team=people.team)

    for refused in (
        signed_file_url(theirs.assets.get()),  # another team's file
        link.replace("127.0.0.1:8000", "127.0.0.1:9"),  # the same path on another address
        link.replace("/files/", "/files/x"),  # a forged token
    ):
        with pytest.raises(QuoteError) as caught:
            source_urls_check(spec=target.spec, params={field: [refused]}, team=people.team)
        assert caught.value.code == "unsafe_source_url"
