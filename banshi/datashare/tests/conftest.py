"""An HTTP exchange on 127.0.0.1 (http.server in a thread) and a clean verification cache."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


class Exchange:
    """What the fake exchange answers, and what it was asked."""

    def __init__(self) -> None:
        self.records: dict[str, dict] = {}  # identifier -> data
        self.status = 200
        self.delay = 0.0
        self.requests: list[dict] = []
        self.url = ""


@pytest.fixture
def exchange():
    state = Exchange()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            state.requests.append({"body": body, "auth": self.headers.get("Authorization")})
            if state.delay:
                threading.Event().wait(state.delay)
            if state.status != 200:
                self.send_response(state.status)
                self.end_headers()
                return
            data = state.records.get(body["subject"]["id"])
            answer = {"found": True, "data": data} if data is not None else {"found": False}
            payload = json.dumps(answer, ensure_ascii=False).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/verify"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
