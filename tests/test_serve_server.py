"""`minutes serve` over real sockets: edits served within seconds, the overlay, traversal, the bind address."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.search.incremental import STATE_FILE
from generator.serve.dev_server import DevServer
from tests.conftest import REPO, TEMPLATES, meeting
from tests.serve_support import MEETING, get, no_leftover_threads, start_server, wait_until


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., DevServer]]:
    """Start dev servers on free ports; each is stopped, and checked for leftover threads, after the test."""
    with no_leftover_threads(), start_server(tmp_path) as start:
        yield start


def test_an_edited_meeting_is_served_within_seconds(make_site, serve) -> None:
    content = make_site({MEETING: meeting(body="○会長　最初の発言です。\n")})
    server = serve(content)
    page_url = server.url + "test/2022-02-14/"
    assert "最初の発言です。" in get(page_url)[1]
    saved = time.monotonic()
    (content / MEETING).write_text(meeting(body="○会長　保存した新しい発言です。\n"), encoding="utf-8")
    wait_until(lambda: "保存した新しい発言です。" in get(page_url)[1], what="the edited speech")
    assert time.monotonic() - saved < 2.0
    # The output folder follows, without any of the preview's additions.
    built = wait_until(lambda: (p := server.options.out_dir / "test" / "2022-02-14" / "index.html").is_file() and "保存した" in p.read_text("utf-8") and p)
    assert "EventSource" not in built.read_text("utf-8")  # type: ignore[union-attr]


def test_a_new_meeting_appears_on_its_body_page(make_site, serve) -> None:
    content = make_site({MEETING: meeting()})
    server = serve(content)
    (content / "test" / "2023-04-20.md").write_text(meeting(title="追加した会議", date="2023-04-20"), encoding="utf-8")
    wait_until(lambda: "追加した会議" in get(server.url + "test/")[1], what="the new meeting in the list")
    assert "追加した会議" in get(server.url + "test/2023-04-20/")[1]


def test_broken_front_matter_shows_an_overlay_over_the_last_good_page_until_fixed(make_site, serve) -> None:
    content = make_site({MEETING: meeting(body="○会長　正しい版です。\n")})
    server = serve(content)
    page_url = server.url + "test/2022-02-14/"
    (content / MEETING).write_text("---\ntitle: 壊れた会議\ndate: 2022-02-30\n---\n\n○会長　壊れた版です。\n", encoding="utf-8")
    expected = f"{content.as_posix()}/{MEETING}:3: error: invalid date &#x27;2022-02-30&#x27;: write a real date as YYYY-MM-DD"
    status, html = wait_until(lambda: (answer := get(page_url)) and "minutes-problems" in answer[1] and answer, what="the overlay")  # type: ignore[misc]
    assert status == 200
    assert expected in html
    assert "正しい版です。" in html and "壊れた版です。" not in html
    assert expected in get(server.url)[1]  # every page shows it
    assert "minutes-problems" not in (server.options.out_dir / "index.html").read_text("utf-8")
    (content / MEETING).write_text(meeting(body="○会長　直した版です。\n"), encoding="utf-8")
    wait_until(lambda: "直した版です。" in get(page_url)[1], what="the fixed page")
    assert "minutes-problems" not in get(page_url)[1]
    assert "minutes-problems" not in get(server.url)[1]


def test_content_broken_from_the_start_serves_the_previous_site_with_the_overlay(make_site, serve, tmp_path: Path) -> None:
    content = make_site({MEETING: meeting(body="○会長　前回の版です。\n")})
    serve(content).stop()  # an earlier session left its build in the output folder
    (content / MEETING).write_text("---\ntitle: [\n---\n", encoding="utf-8")
    server = serve(content)
    status, html = get(server.url + "test/2022-02-14/")
    assert status == 200 and "前回の版です。" in html
    assert f"{content.as_posix()}/{MEETING}:2: error: front matter is not valid YAML" in html


def test_the_server_survives_a_broken_template(make_site, serve, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    content = make_site({MEETING: meeting()})
    server = serve(content, templates_dir=templates)
    base = templates / "base.html"
    good = base.read_text(encoding="utf-8")
    base.write_text(good.replace("{% block main %}", "{% block main %}{% if %}"), encoding="utf-8")
    wait_until(lambda: "base.html:" in get(server.url)[1], what="the template error")
    base.write_text(good, encoding="utf-8")
    wait_until(lambda: "minutes-problems" not in get(server.url)[1], what="the overlay to go")


@pytest.mark.parametrize(
    "target",
    [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/assets/..%2f..%2f..%2fpyproject.toml",
        "/%2Fetc%2Fpasswd",
        "//etc/passwd",
        "/etc/passwd",
        f"/{REPO.as_posix().lstrip('/')}/pyproject.toml",
        "http://127.0.0.1/../etc/passwd",
    ],
)
def test_only_the_output_folder_is_served(make_site, serve, target: str) -> None:
    server = serve(make_site({MEETING: meeting()}))
    host, port = server.server.server_address[:2]  # type: ignore[union-attr]
    # A raw request: HTTP clients would normalize the `..` away before sending it.
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(f"GET {target} HTTP/1.0\r\nHost: localhost\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.0 404"), answer[:80]
    assert b"root:" not in answer and b"[project]" not in answer


def test_it_listens_on_localhost_only_by_default(make_site, serve) -> None:
    server = serve(make_site({MEETING: meeting()}))
    host, port = server.server.server_address[:2]  # type: ignore[union-attr]
    assert host == "127.0.0.1"
    assert server.url == f"http://127.0.0.1:{port}/"
    other = _non_loopback_address()
    if other is None:
        pytest.skip("this machine has no address besides loopback to try connecting from")
    with pytest.raises(OSError):
        socket.create_connection((other, port), timeout=2).close()


def _non_loopback_address() -> str | None:
    # Connecting a UDP socket sends nothing; it only picks the local address of the default route.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def test_the_help_names_the_defaults() -> None:
    help_text = CliRunner().invoke(main, ["serve", "--help"]).output
    assert re.search(r"--host TEXT.*\[default:\s+127\.0\.0\.1\]", help_text, re.DOTALL)
    assert re.search(r"--port .*\[default:\s+8000", help_text, re.DOTALL)


def test_the_search_index_is_rebuilt_while_the_previous_one_is_served(make_site, serve) -> None:
    content = make_site({MEETING: meeting(body="○会長　予算について説明します。\n")})
    server = serve(content, search=True)
    wait_until(lambda: get(server.url + "search/manifest.json")[0] == 200, timeout=60, what="the first search index")
    # One meeting of one short speech: its first text file holds it, named by the meeting's id,
    # which comes from its path and stays when the speech is edited.
    (indexed,) = json.loads(get(server.url + "search/manifest.json")[1])["meetings"]
    index_url = server.url + f"search/text/{indexed['id']}-0.json"
    assert get(index_url)[0] == 200
    (content / MEETING).write_text(meeting(body="○会長　図書館の改修について説明します。\n"), encoding="utf-8")
    wait_until(lambda: "図書館" in get(server.url + "test/2022-02-14/")[1], what="the page")
    seen = []
    while "図書館" not in (docs := get(index_url)[1]):
        # Until the new index is complete, the previous one is served whole: never a 404 or half a file.
        seen.append(json.loads(docs))
        time.sleep(0.05)
        assert len(seen) < 1200, "the new search index never arrived"
    assert "予算" not in docs
    assert all("予算" in json.dumps(old, ensure_ascii=False) for old in seen)
    # The index the search worker updated is kept in the cache for the next start or build.
    wait_until(lambda: (server.options.cache_dir or Path()).joinpath(STATE_FILE).is_file(), what="the kept index")


def test_the_command_serves_and_stops_cleanly(make_site, tmp_path: Path) -> None:
    content = make_site({MEETING: meeting(body="○会長　コマンドから。\n")})
    command = [sys.executable, "-m", "generator", "serve", "--content", str(content), "--templates", str(TEMPLATES),
               "--out", str(tmp_path / "site"), "--port", "0"]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(REPO))
    process = subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.PIPE, text=True, env=env)
    try:
        url = None
        assert process.stderr is not None
        for line in process.stderr:
            found = re.search(r"serving .* on (http://127\.0\.0\.1:\d+/)", line)
            if found:
                url = found.group(1)
                break
        assert url, "the command did not print where it serves"
        assert "コマンドから。" in get(url + "test/2022-02-14/")[1]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0


def test_broken_content_and_no_earlier_build_serve_the_problems(make_site, serve) -> None:
    content = make_site({MEETING: "title: 前書きがない\n"})
    server = serve(content)
    status, html = get(server.url + "test/2022-02-14/")
    assert status == 503
    assert f"{content.as_posix()}/{MEETING}:1: error: missing front matter" in html
    (content / MEETING).write_text(meeting(body="○会長　やっと表示されます。\n"), encoding="utf-8")
    wait_until(lambda: "やっと表示されます。" in get(server.url + "test/2022-02-14/")[1], what="the first good build")


def test_a_taken_port_fails_at_once_with_a_message(make_site, tmp_path: Path) -> None:
    content = make_site({MEETING: meeting()})
    handler = signal.getsignal(signal.SIGTERM)
    with socket.socket() as taken, no_leftover_threads():
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--content", str(content), "--out", str(tmp_path / "site"), "--port", str(port)])
    assert result.exit_code == 1
    assert f"serve failed: cannot listen on 127.0.0.1:{port}: Address already in use" in result.output
    assert not (tmp_path / "site").exists()
    assert signal.getsignal(signal.SIGTERM) is handler  # the command put the test's handler back
