"""Headless Chromium and a localhost file server for the benchmarks.

Debian's /usr/bin/chromium is driven through Playwright with the flags the tests use
(tests/conftest.py CHROMIUM_ARGS: no background connections); the server binds 127.0.0.1 only and
sends files as they are, without compression, so gzip sizes are computed here, per response.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import threading
import time
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


def time_first_result(browser: object, url: str, done_selector: str, total_attribute: str, timeout_s: float) -> FirstResult:
    """Open `url` in a fresh browser context (cold cache) and time it until `done_selector` appears."""
    context = browser.new_context()
    responses: list[object] = []
    try:
        page = context.new_page()
        page.on("response", lambda response: responses.append(response))
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        element = page.wait_for_selector(done_selector, state="attached", timeout=timeout_s * 1000)
        seconds = time.perf_counter() - start
        total = element.get_attribute(total_attribute)
        raw = packed = 0
        for response in responses:
            try:
                body = response.body()
            except Exception:  # noqa: BLE001 - a redirect or aborted request has no body to count
                continue
            raw += len(body)
            packed += len(gzip.compress(body, 6))
        return FirstResult(seconds, len(responses), raw, packed, int(total) if total and total.isdigit() else None)
    finally:
        context.close()
