"""A real HTTP server on loopback that receives webhooks, for the webhook tests.

Each request gets the next answer of its script (a status code, "hang" to never answer, or a
callable run before answering 200); once the script is used up every request gets `default`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Plan = int | str | Callable[[], None]


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    seen: list[Received] = field(default_factory=list)


@contextmanager
def receiver(*script: Plan, default: int = 200, path: str = "/hook") -> Iterator[Receiver]:
    release = threading.Event()
    lock = threading.Lock()
    found: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server naming
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with lock:
                found.seen.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                n = len(found.seen)
            plan = script[n - 1] if n <= len(script) else default
            if plan == "hang":
                release.wait(60)
                return
            if callable(plan):
                plan()
                plan = 200
            self.send_response(int(plan))
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    found = Receiver(url=f"http://127.0.0.1:{server.server_port}{path}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        release.set()
        server.shutdown()
        server.server_close()
