"""A local test double of the service platform, on 127.0.0.1, for the SF1601 transport and the
registration look-up: the security token service, the access token service, KombiPostAfsend
(`/service/KombiPostAfsend_1/memos`) and PostForespoerg (`/service/PostForespoerg_1/digitalpost`).

It answers as the platform does as far as brevgen relies on it: a token for the certificate's
CVR, a transaction for a well-formed MeMo with the right token, HTTP 400 for a message it refuses,
5xx when it is down, no answer within the client's time-out, HTTP 409 for a message UUID it
already accepted. Scripted answers per message UUID: `double.script[uuid] = [500, 200]`.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.etree import ElementTree

MEMO = "{https://DigitalPost.dk/MeMo-1}"
TOKEN = "Bearer double-access-token"


class Double:
    def __init__(self, registered: set[str] = frozenset(), timeout_sleep: float = 1.5):
        self.registered = set(registered)  # CPR numbers registered for Digital Post
        self.script: dict[str, list] = {}  # message UUID -> answers to give, in order (int status or "timeout")
        self.accepted: Counter = Counter()  # message UUID -> times accepted (must never exceed 1)
        self.posted: Counter = Counter()  # message UUID -> calls received
        self.messages: dict[str, bytes] = {}
        self.lookups: list[str] = []
        self.cvr_seen: set[str] = set()
        self.timeout_sleep = timeout_sleep
        self.lock = threading.Lock()
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, body: bytes = b"", kind: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path == "/sts":
                    request = json.loads(body)
                    double.cvr_seen.add(request["AnvenderKontekst"]["Cvr"])
                    if not request.get("UseKey"):
                        return self._answer(400, b'{"error": "no certificate"}')
                    return self._answer(200, json.dumps({"RequestedSecurityToken": {"Assertion": "saml-assertion"},
                                                         "Lifetime": "12/31/2099 00:00:00"}).encode())
                if self.path == "/token":
                    if b"saml-token=saml-assertion" not in body:
                        return self._answer(401, b'{"error": "bad saml token"}')
                    return self._answer(200, b'{"token_type": "Bearer", "access_token": "double-access-token", "expires_in": 3600}')
                if self.path == "/service/KombiPostAfsend_1/memos":
                    return self._memo(body)
                return self._answer(404)

            def _memo(self, body: bytes):
                if self.headers.get("authorization") != TOKEN or not self.headers.get("X-TransaktionsId"):
                    return self._answer(401, b'{"error": "unauthorised"}')
                if "charset=utf-8" not in (self.headers.get("Content-Type") or "").lower():
                    return self._answer(415, b'{"errorCode": "ENCODING", "message": "expected UTF-8"}')
                try:
                    root = ElementTree.fromstring(body)
                    message = root.find(f"{MEMO}Message")
                    uuid_ = message.find(f"{MEMO}MessageHeader/{MEMO}messageUUID").text
                except (ElementTree.ParseError, AttributeError):
                    return self._answer(400, b'{"errorCode": "MEMO-INVALID", "message": "not a MeMo message"}')
                with double.lock:
                    double.posted[uuid_] += 1
                    answers = double.script.get(uuid_)
                    answer = answers.pop(0) if answers else 200
                if answer == "timeout":
                    time.sleep(double.timeout_sleep)
                    return self._answer(503, b"late")
                if answer != 200:
                    return self._answer(answer, b'{"errorCode": "E%d", "message": "refused by the test double"}' % answer)
                with double.lock:
                    if double.accepted[uuid_]:
                        return self._answer(409, b'{"errorCode": "DUPLICATE", "message": "messageUUID already received"}')
                    double.accepted[uuid_] += 1
                    double.messages[uuid_] = ElementTree.tostring(message)
                return self._answer(200, b"")

            def do_GET(self):
                url = urllib.parse.urlparse(self.path)
                if url.path == "/service/PostForespoerg_1/digitalpost":
                    if self.headers.get("authorization") != TOKEN:
                        return self._answer(401)
                    cpr = urllib.parse.parse_qs(url.query)["cprNumber"][0]
                    double.lookups.append(cpr)
                    return self._answer(200, json.dumps({"result": cpr in double.registered}).encode())
                return self._answer(404)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Double:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def settings(self, certificate, identities, attempts: int = 3, **extra) -> dict:
        """The `delivery:` settings pointing brevgen at this double."""
        return {"transport": "sf1601", "identities": str(identities),
                "sf1601": {"certificate": str(certificate), "service_url": self.url + "/", "sts_url": self.url + "/sts",
                           "token_url": self.url + "/token", "attempts": attempts, "retry_wait_seconds": 0,
                           "timeout_seconds": 1},
                **extra}
