"""What every fake service shares: a ThreadingHTTPServer on 127.0.0.1 in a thread, a record
of what it accepted, and a way to make it answer one chosen error."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


class Request:
    def __init__(self, method: str, path: str, query: list[tuple[str, str]], body: bytes,
                 headers):
        self.method, self.path, self.query, self.body, self.headers = \
            method, path, query, body, headers

    @property
    def args(self) -> dict[str, str]:
        return dict(self.query)

    def json(self):
        return json.loads(self.body.decode("utf-8"))


class FakeService:
    """Subclasses implement `answer(request) -> (status, json body)`."""

    def __init__(self):
        self.accepted: list = []     # what the service took, in order
        self.refused: list = []      # (what it said, the request)
        self.forced: list = []       # answers to give next, before any check
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(self.command, parts.path,
                                  parse_qsl(parts.query, keep_blank_values=True),
                                  self.rfile.read(length), self.headers)
                with fake.lock:
                    status, body = fake.forced.pop(0) if fake.forced else fake.answer(request)
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle

            def log_message(self, *args):  # quiet in the test output
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def answer_next(self, status: int, body: dict, times: int = 1) -> None:
        """The next `times` requests get this answer, whatever they hold."""
        with self.lock:
            self.forced.extend([(status, body)] * times)

    def answer(self, request: Request) -> tuple[int, dict]:
        raise NotImplementedError

    def refuse(self, request: Request, status: int, body: dict) -> tuple[int, dict]:
        self.refused.append((body, request))
        return status, body
