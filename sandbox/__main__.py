"""Run the sandbox providers: ``python -m sandbox --port 8100 [--delay 3]``."""

from __future__ import annotations

import argparse
import logging
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from sandbox.app import SandboxApp
from sandbox.core import Behaviour


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args) -> None:
        logging.getLogger("sandbox.access").debug(format, *args)


def main() -> None:
    parser = argparse.ArgumentParser(description="Local emulation of the providers' HTTP APIs")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--api-key", default="sandbox-key")
    parser.add_argument("--delay", type=float, default=Behaviour.delay, help="seconds until a job completes")
    parser.add_argument("--fail", default="none", help="failure kind for every job (see sandbox.core)")
    parser.add_argument("--fail-rate", type=float, default=1.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="sandbox: %(message)s")
    behaviour = Behaviour(delay=args.delay, fail=args.fail, fail_rate=args.fail_rate)
    app = SandboxApp(behaviour=behaviour, api_key=args.api_key)
    with make_server(args.host, args.port, app, ThreadingWSGIServer, QuietHandler) as server:
        logging.info("providers on http://%s:%s/{kubflow,kubeez,krea,cliprise}", args.host, args.port)
        server.serve_forever()


if __name__ == "__main__":
    main()
