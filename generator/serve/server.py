"""The dev server's HTTP side: files from the current snapshot, the overlay, and reload events.

Only the built site is served, and only from the snapshot's own table of files: a request path is
decoded, checked segment by segment (`..`, `.`, empty segments, backslashes and NUL are refused,
also when percent-encoded), and looked up as a key. Nothing is ever joined onto a folder, so no
path can reach a file outside the output.

Open pages hold a server-sent-events connection (`/__minutes__/events`); it answers `reload`
when the page that would be served now differs from the one the browser shows.
"""

from __future__ import annotations

import enum
import mimetypes
import socket
import sys
import threading
from dataclasses import dataclass
from http import HTTPStatus
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from .overlay import EVENTS_PATH, decorate, placeholder_page, reload_script
from .snapshot import Snapshot, SnapshotHub

KEEPALIVE_SECONDS = 10.0
"""An idle event stream sends a comment this often, to notice a closed tab and free its thread."""
WORKERS = 32
"""Threads answering requests: enough for a browser's parallel fetches and a few open pages."""
EVENT_STREAMS = 24
"""Open pages that reload by themselves: fewer than WORKERS, so other requests always find a thread."""
REQUEST_SECONDS = 15.0
"""How long a connection may keep a thread waiting for its request (a browser's idle preconnection)."""
LISTEN_BACKLOG = 128
"""Connections the system holds while every thread is busy (http.server's default, 5, overflows at once)."""
NOT_FOUND_PAGE = "404.html"
INDEX_PAGE = "index.html"
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".csv": "text/csv; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


class TargetKind(enum.Enum):
    """What a request path asks for."""

    FILE = "file"
    REDIRECT = "redirect"
    EVENTS = "events"
    NOT_FOUND = "not-found"


@dataclass(frozen=True)
class Target:
    """A resolved request: a file's output path, a redirect's location, the event stream, or nothing."""

    kind: TargetKind
    rel_path: str = ""
    location: str = ""


NOT_FOUND = Target(TargetKind.NOT_FOUND)


def resolve_target(raw: str, base_path: str) -> Target:
    """Map a request target (`/minutes/joho-kokai/?q=1`) to a file of the site below `base_path`."""
    # Only origin-form targets: not `http://host/…`, not `*`, not `//host/…`.
    if not raw.startswith("/") or raw.startswith("//"):
        return NOT_FOUND
    try:
        parts = urlsplit(raw)
        path = unquote(parts.path, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return NOT_FOUND
    if path == EVENTS_PATH:
        return Target(TargetKind.EVENTS)
    if "\0" in path or "\\" in path:
        return NOT_FOUND
    if path + "/" == base_path:
        return Target(TargetKind.REDIRECT, location=base_path + _query(parts.query))
    if not path.startswith(base_path):
        return NOT_FOUND
    rel_path = path[len(base_path) :]
    segments = rel_path.split("/")
    # An empty segment before the last one is `//` or a leading `/`: an absolute path in disguise.
    if any(segment in (".", "..") for segment in segments) or "" in segments[:-1]:
        return NOT_FOUND
    if rel_path == "" or rel_path.endswith("/"):
        rel_path += INDEX_PAGE
    return Target(TargetKind.FILE, rel_path=rel_path)


def _query(query: str) -> str:
    return f"?{query}" if query else ""


def content_type(rel_path: str) -> str:
    """The Content-Type of an output file, from its name."""
    suffix = rel_path[rel_path.rfind(".") :].lower() if "." in rel_path.rsplit("/", 1)[-1] else ""
    return _TYPES.get(suffix) or mimetypes.guess_type(rel_path)[0] or "application/octet-stream"


@dataclass(frozen=True)
class Response:
    """An answer to a GET, worked out without a socket."""

    status: HTTPStatus
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    location: str | None = None


def respond(snapshot: Snapshot, raw: str, with_script: bool = True) -> Response:
    """The answer to GET `raw` from `snapshot`: the page with overlay and reload script, or a 404."""
    target = resolve_target(raw, snapshot.base_path)
    if target.kind is TargetKind.REDIRECT:
        return Response(HTTPStatus.MOVED_PERMANENTLY, location=target.location)
    if target.kind is not TargetKind.FILE:
        return _not_found(snapshot, None, with_script)
    rel_path = target.rel_path
    data = snapshot.read(rel_path)
    if data is None and snapshot.read(f"{rel_path}/{INDEX_PAGE}") is not None:
        # The query goes along: /search?q=x is a search for x at /search/.
        parts = urlsplit(raw)
        return Response(HTTPStatus.MOVED_PERMANENTLY, location=parts.path + "/" + _query(parts.query))
    if data is None:
        return _not_found(snapshot, rel_path, with_script)
    kind = content_type(rel_path)
    if kind.startswith("text/html"):
        data = _decorated(snapshot, data, rel_path, with_script)
    return Response(HTTPStatus.OK, data, kind)


def _decorated(snapshot: Snapshot, page: bytes, rel_path: str, with_script: bool) -> bytes:
    script = reload_script(rel_path, snapshot.page_version(rel_path)) if with_script else None
    return decorate(page, snapshot.problems, script)


def _not_found(snapshot: Snapshot, rel_path: str | None, with_script: bool) -> Response:
    """The site's 404 page (with the overlay); it reloads once the missing page exists."""
    page = snapshot.read(NOT_FOUND_PAGE)
    status = HTTPStatus.NOT_FOUND
    if not snapshot.files and snapshot.problems:
        page, status = placeholder_page(), HTTPStatus.SERVICE_UNAVAILABLE
    if page is None:
        return Response(status, b"404 Not Found\n")
    # Only a real page path gets a reload script: a refused path never becomes a page.
    with_script = with_script and rel_path is not None
    return Response(status, _decorated(snapshot, page, rel_path or NOT_FOUND_PAGE, with_script), _TYPES[".html"])


class PreviewHandler(BaseHTTPRequestHandler):
    """Answers GET and HEAD from the hub's current snapshot, and keeps event streams open."""

    server: PreviewServer
    server_version = "minutes-serve"
    timeout = REQUEST_SECONDS

    def do_GET(self) -> None:  # noqa: N802 - the name http.server looks for
        """Serve a file, a redirect, a 404, or an event stream."""
        if resolve_target(self.path, "/").kind is TargetKind.EVENTS:
            self._events()
            return
        self._send(respond(self.server.hub.current, self.path), head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        """As GET, without the body."""
        self._send(respond(self.server.hub.current, self.path), head=True)

    def _send(self, response: Response, head: bool) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        # A preview changes under the reader: nothing may be cached.
        self.send_header("Cache-Control", "no-store")
        if response.location:
            self.send_header("Location", response.location)
        self.end_headers()
        if not head:
            self.wfile.write(response.body)

    def _events(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        rel_path = query.get("page", [""])[0]
        version = query.get("version", [""])[0]
        hub = self.server.hub
        if not self.server.stream_slots.acquire(blocking=False):
            # Too many open pages: this one is answered, it only stops reloading by itself
            # (EventSource does not retry after an error status).
            self._send(Response(HTTPStatus.SERVICE_UNAVAILABLE, b"too many open pages\n"), head=False)
            return
        try:
            self._stream(hub, rel_path, version)
        finally:
            self.server.stream_slots.release()

    def _stream(self, hub: SnapshotHub, rel_path: str, version: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        hub.watch(rel_path)
        try:
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.flush()
            snapshot = hub.current
            while not hub.stopping:
                if snapshot.page_version(rel_path) != version:
                    self.wfile.write(f"event: reload\ndata: {snapshot.epoch}\n\n".encode())
                    self.wfile.flush()
                    break
                newer = hub.wait_for_change(snapshot.epoch, KEEPALIVE_SECONDS)
                if newer is snapshot:
                    self.wfile.write(b": idle\n\n")
                    self.wfile.flush()
                snapshot = newer
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass  # the tab was closed
        finally:
            hub.unwatch(rel_path)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        """Stay quiet: the terminal is for rebuilds and problems."""


class PreviewServer(HTTPServer):
    """An HTTP server that answers on a bounded pool of threads, all joined on close.

    One thread per connection without a limit ran to hundreds under a burst of requests. Here
    a burst waits in the listen backlog and the pool's queue; event streams (one per open page,
    held for as long as it stays open) may take only part of the pool, so pages are always
    answered.
    """

    request_queue_size = LISTEN_BACKLOG

    def __init__(self, host: str, port: int, hub: SnapshotHub, workers: int = WORKERS, streams: int = EVENT_STREAMS):
        self.hub = hub
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="minutes-http")
        self.stream_slots = threading.BoundedSemaphore(streams)
        """Event streams that may be open at once; a page beyond them does not reload by itself."""
        try:
            super().__init__((host, port), PreviewHandler)
        except BaseException:
            self._pool.shutdown()
            raise

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        """Hand the connection to the pool (the accept loop never waits for an answer)."""
        try:
            self._pool.submit(self._answer, request, client_address)
        except RuntimeError:  # the pool is shut down: the server is closing
            self.shutdown_request(request)

    def _answer(self, request: socket.socket, client_address: object) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:  # noqa: BLE001 - one bad connection must not end a worker
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def server_close(self) -> None:
        """Stop listening and wait for every answer under way (event streams end at `hub.stop`)."""
        super().server_close()
        self._pool.shutdown(wait=True)

    def handle_error(self, request: object, client_address: object) -> None:
        """A browser that hangs up mid-answer is normal for a preview; anything else is printed."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)
