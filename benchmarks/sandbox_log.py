"""The sandbox with a log of the status reads it answers: ``python -m benchmarks.sandbox_log --port N``.

The same providers as ``python -m sandbox`` (the same app, server and options); a WSGI wrapper notes the
wall-clock time (``time.time()``, as the studio's ``timezone.now()``) at which each provider status read
(``GET /<provider>/.../<job id>`` under a status path) arrives, before the sandbox answers it.
``GET /_bench/reads`` returns them as ``[[time, job id], ...]``. For benchmarks/inflight.py: the moment a
job's status was really read, to set beside the time it was scheduled for.
"""

from __future__ import annotations

import argparse
import json
import logging
import threading
import time
from wsgiref.simple_server import make_server

from sandbox.__main__ import QuietHandler, ThreadingWSGIServer
from sandbox.app import SandboxApp
from sandbox.core import Behaviour

# Status reads by provider: Kubflow GET /kubflow/api/v1/generations/<id> (the one the benchmark uses).
STATUS_PREFIXES = ("/kubflow/api/v1/generations/",)


class ReadLog:
    def __init__(self, app: SandboxApp) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.reads: list[tuple[float, str]] = []

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/_bench/reads":
            with self.lock:
                body = json.dumps(self.reads).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if environ.get("REQUEST_METHOD") == "GET" and path.startswith(STATUS_PREFIXES):
            at = time.time()
            with self.lock:
                self.reads.append((at, path.rsplit("/", 1)[1]))
        return self.app(environ, start_response)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--api-key", default="sandbox-key")
    parser.add_argument("--delay", type=float, default=Behaviour.delay)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="sandbox: %(message)s")
    app = ReadLog(SandboxApp(behaviour=Behaviour(delay=args.delay), api_key=args.api_key))
    with make_server(args.host, args.port, app, ThreadingWSGIServer, QuietHandler) as server:
        logging.info("providers (status reads logged) on http://%s:%s", args.host, args.port)
        server.serve_forever()


if __name__ == "__main__":
    main()
