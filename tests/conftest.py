"""Shared fixtures: small inline sites, the repository's paths, a static server and a browser."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.i18n import language

# The tests read messages in English: a developer's Japanese locale must not change them (tests of
# the Japanese messages give their subprocesses a locale of their own).
if language() != "en":
    os.environ["LC_ALL"] = "C.UTF-8"

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
TEMPLATES = REPO / "templates"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    # As root in a container, and on a machine whose network is closed: no sandbox, and none of
    # the background connections Chromium would otherwise keep retrying.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

SITE_INDEX = """---
title: テスト会議録
organization: テスト区
---
"""
BODY_INDEX = """---
title: テスト審議会
---
"""


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (relative path → text or bytes) under `root` and return `root`."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def meeting(title: str = "第1回 テスト審議会", date: str = "2022-02-14", body: str = "○会長　開会します。\n", extra: str = "") -> str:
    """The text of a small meeting file."""
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n\n{body}"


@pytest.fixture
def make_site(tmp_path: Path):
    """Make a content folder from inline files; the site and body `_index.md` are added unless given."""

    def make(files: dict[str, str | bytes], body: str | None = "test") -> Path:
        content = tmp_path / "content"
        defaults: dict[str, str | bytes] = {"_index.md": SITE_INDEX}
        if body:
            defaults[f"{body}/_index.md"] = BODY_INDEX
        return write_files(content, {**defaults, **files})

    return make


@pytest.fixture
def corpus() -> Path:
    """The shared corpus folder; tests that need it skip with a clear message where it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}: these tests read ../shared/corpus")
    return CORPUS


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass


def free_port() -> int:
    """A TCP port on localhost that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def static_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[callable]:
    """Serve a built site over HTTP on localhost, optionally below a sub-path such as /minutes/."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def serve(site: Path, sub_path: str = "/") -> str:
        root = tmp_path_factory.mktemp("webroot")
        target = root / sub_path.strip("/") if sub_path.strip("/") else root
        target.parent.mkdir(parents=True, exist_ok=True)
        if target == root:
            root.rmdir()
        shutil.copytree(site, target)
        handler = functools.partial(_QuietHandler, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}{sub_path}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def bundled_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The archive in content/ (one meeting of 248 utterances), built once for the whole run; read only."""
    from generator.build import build_site

    out = tmp_path_factory.mktemp("bundled") / "site"
    build_site(REPO / "content", TEMPLATES, out)
    return out


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright; the test fails if it is missing (CI installs it)."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), f"{CHROMIUM} missing: run 'apt-get install chromium' (make test does)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser page (its own context), closed after the test."""
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the long property profile unless `-m` names it: a later `-m "not browser"` replaces addopts' `-m 'not long'`."""
    if "long" in (config.getoption("markexpr") or ""):
        return
    kept = [item for item in items if item.get_closest_marker("long") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item.get_closest_marker("long") is not None])
        items[:] = kept
