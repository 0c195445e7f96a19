"""Running WeasyPrint safely: only the app's static files, in a child killed at a deadline."""

import base64
import gc
import mimetypes
import os
import resource
import selectors
import signal
import stat
import threading
import time
import traceback
from functools import cache
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

DEFAULT_TIMEOUT = 20  # seconds; the config key PDF_RENDER_TIMEOUT overrides it
RENDER_NICENESS = 10  # added to the child's niceness (lower CPU priority than web requests)
CHILD_MEMORY_LIMIT = 1 << 30  # bytes of address space a render may add to its parent's
_warm = threading.Lock()
LAST_PAGE_MIN_FILL = 0.2  # a last page with less than this is « almost empty »


class PdfTimeout(Exception):
    """The PDF took longer than the time limit to render; the render was stopped."""


class PdfRenderError(RuntimeError):
    """The render failed in its child process; the message carries its traceback."""


class StaticOnlyFetcher(URLFetcher):
    """Serves files under the static folder and data: URLs; refuses anything else, offline."""

    def __init__(self, static_folder: str | os.PathLike) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.root = Path(static_folder).resolve()

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return self._data(url)
        if scheme == "file" and parts.netloc in ("", "localhost"):
            path = Path(url2pathname(parts.path)).resolve()
            if path.is_relative_to(self.root) and path.is_file():
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": kind})
        raise ValueError(f"ressource refusée dans le PDF : {url[:200]}")

    @staticmethod
    def _data(url: str) -> URLFetcherResponse:
        header, _, payload = url[5:].partition(",")
        kind, *params = header.split(";")
        body = unquote_to_bytes(payload)
        if "base64" in params:
            body = base64.b64decode(body, validate=False)
        return URLFetcherResponse(url[:64], body, {"Content-Type": kind or "text/plain"})


def html_to_pdf(
    html: str, static_folder: str, timeout: float | None = None, tighter_html: str | None = None
) -> bytes:
    """WeasyPrint in a forked child, killed after ``timeout`` seconds (PdfTimeout)."""
    if not hasattr(os, "fork"):
        return write_pdf(html, static_folder, tighter_html=tighter_html)
    fonts = _warm_fonts(static_folder)
    args = (html, static_folder, None, fonts, tighter_html)
    return _in_child(write_pdf, args, timeout or DEFAULT_TIMEOUT)


def write_pdf(
    html: str,
    static_folder: str | os.PathLike,
    fetcher: URLFetcher | None = None,
    font_config: FontConfiguration | None = None,
    tighter_html: str | None = None,
) -> bytes:
    """WeasyPrint alone, in this process, with the print stylesheet: only the static folder
    is reachable. When the last page would hold only a few lines and ``tighter_html`` (the
    same document, laid out a little tighter) saves that page, the tighter one is written.
    """
    document = layout(html, static_folder, fetcher, font_config)
    if tighter_html is not None and _ends_almost_empty(document):
        tighter = layout(tighter_html, static_folder, fetcher, font_config)
        if len(tighter.pages) < len(document.pages):
            document = tighter
    return document.write_pdf()


def layout(
    html: str,
    static_folder: str | os.PathLike,
    fetcher: URLFetcher | None = None,
    font_config: FontConfiguration | None = None,
) -> Document:
    """The laid-out pages of ``html``, with the print stylesheet."""
    base_url = Path(static_folder).resolve().as_uri() + "/"
    return HTML(
        string=html, base_url=base_url, url_fetcher=fetcher or StaticOnlyFetcher(static_folder)
    ).render(
        stylesheets=[print_stylesheet(str(static_folder))],
        presentational_hints=False,
        font_config=font_config,
    )


def _ends_almost_empty(document: Document) -> bool:
    return len(document.pages) > 1 and last_page_fill(document) < LAST_PAGE_MIN_FILL


def last_page_fill(document: Document) -> float:
    """How much of the last page's content area is used, from 0 to 1."""
    page = document.pages[-1]._page_box  # WeasyPrint's laid-out page: no public accessor
    return page.children[0].margin_height() / page.height if page.children else 0.0


@cache
def print_stylesheet(static_folder: str) -> CSS:
    """``print.css``, parsed once per process rather than on every render (~6 % of one)."""
    path = Path(static_folder).resolve() / "print.css"
    return CSS(string=path.read_text(encoding="utf-8"), base_url=path.as_uri())


# --- running WeasyPrint in a child process with a deadline -----------------------------


@cache
def _warm_fonts(static_folder: str) -> FontConfiguration:
    """Fonts and stylesheet loaded once in this process; every forked child starts warm."""
    with _warm:
        fonts = FontConfiguration()
        page = "<h1>É</h1><p><b>a</b> <i>b</i></p>"
        write_pdf(page, static_folder, font_config=fonts)
        return fonts


def _in_child(function, args: tuple, timeout: float) -> bytes:
    """``function(*args)`` in a forked child; its bytes come back through a pipe."""
    read_end, write_end = os.pipe()
    with _warm:  # no fork while another thread warms WeasyPrint up
        pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child(function, args, write_end)
    os.close(write_end)
    try:
        payload = _read_until(read_end, time.monotonic() + timeout)
    except PdfTimeout:
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
    if payload[:1] != b"\0":
        raise PdfRenderError(payload[1:].decode("utf-8", "replace") or "le rendu a échoué")
    return payload[1:]


def _child(function, args: tuple, write_end: int) -> None:
    """Render, send the result, and leave without running the parent's clean-up code."""
    try:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_DFL)
        os.nice(RENDER_NICENESS)  # web requests first: a render uses the CPU they leave
        _close_sockets()
        _limit_memory()
        gc.disable()  # the process ends right after: collecting would only cost time
        payload = b"\0" + function(*args)
    except BaseException:
        payload = b"\1" + traceback.format_exc().encode("utf-8", "replace")
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(write_end, view) :]
    finally:
        os._exit(0)


def _close_sockets() -> None:
    """Close the sockets the child inherited (clients of a threaded web worker, database):
    a kept-alive client connection the parent closes must not stay open in the child."""
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return
    for fd in fds:
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)
        except OSError:
            continue


def _limit_memory() -> None:
    """Cap the child's address space a little above what it inherited."""
    try:
        with open("/proc/self/statm") as statm:
            inherited = int(statm.read().split()[0]) * resource.getpagesize()
    except OSError:
        return
    limit = inherited + CHILD_MEMORY_LIMIT
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _read_until(fd: int, deadline: float) -> bytes:
    chunks = []
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                raise PdfTimeout("le PDF a mis trop de temps à se créer")
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
