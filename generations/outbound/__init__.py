"""Outbound HTTP: what the studio may fetch, and how it connects so that it reaches only that.

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

Where it lives
--------------
* :mod:`generations.outbound.rules`: what URL may be fetched (schemes, credentials, host names, the
  numeric and IPv6 spellings of addresses, the forbidden ranges, the allow-list): ``url_check``.
* :mod:`generations.outbound.transport`: the pinned httpx transport (resolve, vet, connect to the vetted
  address), also used by the API's callbacks.
* :mod:`generations.outbound.fetch`: ``fetch_to_file``, redirects followed by hand, size caps, timeouts.
"""
