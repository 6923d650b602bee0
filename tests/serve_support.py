"""Helpers for the dev-server tests: start servers on free ports, poll, fetch, and check for leftovers."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.serve.dev_server import DevServer, ServeOptions
from tests.conftest import TEMPLATES

MEETING = "test/2022-02-14.md"
TIMEOUT = 10.0


def wait_until(check: Callable[[], object], timeout: float = TIMEOUT, what: str = "condition") -> object:
    """Poll `check` until it returns something true, and return that; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def get(url: str) -> tuple[int, str]:
    """GET `url`: the status and the body as text, also for 404s."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


@contextmanager
def no_leftover_threads() -> Iterator[None]:
    """Fail when a thread started inside the block is still running at its end."""
    before = set(threading.enumerate())
    yield
    left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert not left, f"threads still running: {[t.name for t in left]}"


@contextmanager
def start_server(tmp_path: Path) -> Iterator[Callable[..., DevServer]]:
    """A function that starts a dev server on a free port; every server is stopped at the end."""
    servers: list[DevServer] = []

    def start(content: Path, search: bool = False, **options: object) -> DevServer:
        settings = ServeOptions(
            content, TEMPLATES, tmp_path / "site", port=0, cache_dir=tmp_path / "cache", search=search, quiet=0.05,
        )  # fmt: skip
        for key, value in options.items():
            setattr(settings, key, value)
        server = DevServer(settings, echo=lambda line: None)
        server.start()
        servers.append(server)
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.stop()
