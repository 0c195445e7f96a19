"""A small HTTP client for the benchmarks: a visitor with cookies who answers the wizard."""

import http.client
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from readiness.content import load_questionnaire  # noqa: E402
from tests.conftest import SAMPLE_ANSWERS  # noqa: E402, F401  (re-exported)

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def form_body(answers: dict) -> str:
    """Answers as an urlencoded body: several-of questions as repeated fields."""
    pairs = []
    for key, value in answers.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, str(item)))
    return urlencode(pairs)


class Browser:
    """One visitor: keeps its cookies (Secure ones too, the bench runs on plain HTTP)."""

    def __init__(self, base: str, timeout: float = 30) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, body: str | None = None) -> Response:
        headers = {"Cookie": self.cookie_header()} if self.cookies else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                raw = self.conn.getresponse()
                data = raw.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 2 or method != "GET":
                    raise
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, data)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, body: str) -> Response:
        return self.request("POST", path, body)

    def csrf(self, path: str = "/") -> str:
        return CSRF.search(self.get(path).text).group(1)

    def start(self) -> str:
        response = self.post("/commencer", urlencode({"csrf_token": self.csrf("/")}))
        if response.status != 302:
            raise RuntimeError(f"/commencer: HTTP {response.status}")
        return response.headers["location"].rstrip("/").split("/")[-2]

    def complete_diagnostic(self, answers: dict | None = None) -> str:
        """Start a diagnostic and answer every step; returns its token."""
        answers = answers or SAMPLE_ANSWERS
        token = self.start()
        csrf = self.csrf(f"/d/{token}/profile")
        for step in load_questionnaire().steps:
            ids = {q.id for q in step.questions}
            data = {k: v for k, v in answers.items() if k in ids}
            response = self.post(
                f"/d/{token}/{step.id}", form_body({**data, "nav": "next", "csrf_token": csrf})
            )
            if response.status != 302:
                raise RuntimeError(f"{step.id}: HTTP {response.status}")
        return token
