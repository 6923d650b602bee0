"""Headless Chromium and a localhost file server for the benchmarks.

Debian's /usr/bin/chromium is driven through Playwright with the flags the tests use
(tests/conftest.py CHROMIUM_ARGS: no background connections); the server binds 127.0.0.1 only and
sends files as they are, without compression. The bytes a page load fetched are counted from the
files its responses were served from (Playwright does not keep the bodies of large responses), and
gzipped here, file by file, as a static host would send them.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import CHROMIUM, CHROMIUM_ARGS


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging every request to the terminal."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve the folder `root` on a free port of 127.0.0.1; yields the base URL (no trailing slash)."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
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
    requests: int
    raw_bytes: int
    gzip_bytes: int
    """What the same responses weigh gzipped (level 6, as static hosts serve them), summed."""
    total: int | None
    """The number of results the page reported (our data-total, Pagefind's result count)."""


_GZIP_SIZES: dict[tuple[Path, int, float], tuple[int, int]] = {}


def file_sizes(path: Path) -> tuple[int, int]:
    """The size of a file, raw and gzipped at level 6 (remembered while the file is unchanged)."""
    stat = path.stat()
    key = (path, stat.st_size, stat.st_mtime)
    if key not in _GZIP_SIZES:
        data = path.read_bytes()
        _GZIP_SIZES[key] = (len(data), len(gzip.compress(data, 6)))
    return _GZIP_SIZES[key]


def served_file(root: Path, base: str, url: str) -> Path | None:
    """The file under `root` that the server at `base` answers `url` with, if any."""
    if not url.startswith(base + "/"):
        return None
    path = root / urllib.parse.unquote(urllib.parse.urlsplit(url).path).lstrip("/")
    if path.is_dir():
        path = path / "index.html"
    return path if path.is_file() else None


def time_first_result(
    browser: object, root: Path, base: str, url: str, done_selector: str, total_attribute: str, timeout_s: float
) -> FirstResult:
    """Open `url` in a fresh browser context (cold cache) and time it until `done_selector` appears.

    `root` is the folder served at `base`; the bytes counted are those of the files answered.
    """
    context = browser.new_context()
    urls: list[str] = []
    try:
        page = context.new_page()
        page.on("response", lambda response: urls.append(response.url))
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        element = page.wait_for_selector(done_selector, state="attached", timeout=timeout_s * 1000)
        seconds = time.perf_counter() - start
        total = element.get_attribute(total_attribute)
        raw = packed = 0
        for fetched in urls:
            path = served_file(root, base, fetched)
            if path is not None:
                size, gzipped = file_sizes(path)
                raw += size
                packed += gzipped
        return FirstResult(seconds, len(urls), raw, packed, int(total) if total and total.isdigit() else None)
    finally:
        context.close()
