"""Headless Chromium and a localhost file server for the benchmarks.

Debian's /usr/bin/chromium is driven through Playwright with the flags the tests use
(tests/conftest.py CHROMIUM_ARGS: no background connections); the server binds 127.0.0.1 only and
sends files as they are, without compression. The bytes a page load fetched are counted on the
server's side: it logs every request it receives, so fetches from a Web Worker count as well as
the page's own (Playwright's page events do not promise to report a worker's requests, and do not
keep the bodies of large responses). Each file answered is gzipped here, file by file, as a
static host would send it. A load counts the requests received until its first results were
shown; what the page fetches after that (prefetching, the rest of the list) is not counted.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import CHROMIUM, CHROMIUM_ARGS


@dataclass
class ServedSite:
    """A folder served on 127.0.0.1, and every request the server received, in order."""

    root: Path
    base: str
    """The base URL, without a trailing slash."""
    requests: list[tuple[float, str]] = field(default_factory=list)
    """(time.perf_counter() on arrival, request path with its query) of every request."""


class _LoggingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files, noting each request in the site's log instead of printing it."""

    def __init__(self, *args: object, site: ServedSite, **kwargs: object) -> None:
        self.site = site
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self.site.requests.append((time.perf_counter(), self.path))
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass


class _Server(http.server.ThreadingHTTPServer):
    """A threading server that says nothing when the browser hangs up mid-response.

    A page's context is closed as soon as its first results are shown, while the rest of its
    fetches may still be on their way: a broken pipe then is expected, not an error.
    """

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve(root: Path) -> Iterator[ServedSite]:
    """Serve the folder `root` on a free port of 127.0.0.1; yields it with its request log."""
    site = ServedSite(root, "")
    handler = functools.partial(_LoggingHandler, directory=str(root), site=site)
    server = _Server(("127.0.0.1", 0), handler)
    site.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium (a Playwright Browser), closed on exit."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise FileNotFoundError(f"{CHROMIUM} missing: run 'apt-get install chromium' (make bench does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass(frozen=True)
class FirstResult:
    """A page load until its first results were shown: time, and the bytes it fetched."""

    seconds: float
    """From navigation start to the first results, measured in the page (performance.now())."""
    requests: int
    raw_bytes: int
    gzip_bytes: int
    """What the same responses weigh gzipped (level 6, as static hosts serve them), summed."""
    total: int | None
    """The number of results the page reported (our data-total, Pagefind's result count)."""
    wall_seconds: float = 0.0
    """From the benchmark's `goto` until Playwright saw the results: `seconds` plus its polling and process hops."""


# Notes the moment `done_selector` first matches, in the page's own clock: Playwright notices it
# only at its next poll, tens to hundreds of milliseconds later on a loaded machine.
_MARK_FIRST_RESULTS = """
((selector) => {
  const check = () => {
    if (window.__firstResultsAt === undefined && document.querySelector(selector)) {
      window.__firstResultsAt = performance.now();
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
})(%s);
"""


_GZIP_SIZES: dict[tuple[Path, int, float], tuple[int, int]] = {}


def file_sizes(path: Path) -> tuple[int, int]:
    """The size of a file, raw and gzipped at level 6 (remembered while the file is unchanged)."""
    stat = path.stat()
    key = (path, stat.st_size, stat.st_mtime)
    if key not in _GZIP_SIZES:
        data = path.read_bytes()
        _GZIP_SIZES[key] = (len(data), len(gzip.compress(data, 6)))
    return _GZIP_SIZES[key]


def served_file(root: Path, request_path: str) -> Path | None:
    """The file under `root` that the server answers the request path (`/search/?q=…`) with, if any."""
    path = root / urllib.parse.unquote(urllib.parse.urlsplit(request_path).path).lstrip("/")
    if path.is_dir():
        path = path / "index.html"
    return path if path.is_file() else None


def time_first_result(
    browser: object, site: ServedSite, url: str, done_selector: str, total_attribute: str, timeout_s: float
) -> FirstResult:
    """Open `url` in a fresh browser context (cold cache) and time it until `done_selector` appears.

    The time is the page's own (from navigation start until the selector first matched). The
    bytes counted are those of the files `site` answered from the start of the load until
    Playwright saw the selector, whoever asked for them (the page or a worker): a little more
    than the first results needed, never less.
    """
    context = browser.new_context()
    try:
        page = context.new_page()
        page.add_init_script(_MARK_FIRST_RESULTS % json.dumps(done_selector))
        mark = len(site.requests)
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        element = page.wait_for_selector(done_selector, state="attached", timeout=timeout_s * 1000)
        end = time.perf_counter()
        total = element.get_attribute(total_attribute)
        fetched = [path for arrived, path in site.requests[mark:] if arrived <= end]
        raw = packed = 0
        for request_path in fetched:
            path = served_file(site.root, request_path)
            if path is not None:
                size, gzipped = file_sizes(path)
                raw += size
                packed += gzipped
        seconds = page.evaluate("window.__firstResultsAt") / 1000
        count = int(total) if total and total.isdigit() else None
        return FirstResult(seconds, len(fetched), raw, packed, count, wall_seconds=end - start)
    finally:
        context.close()
