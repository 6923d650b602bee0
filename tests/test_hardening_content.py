"""Hardening catalogue, content: each bad input is reported as `path:line: error:` by check and build, never a traceback.

Every folder under tests/fixtures/hardening/ holds files laid over a small project (one body, one
meeting) and `expected.txt`, the exact error lines `minutes check` prints. `minutes build` must
print the same lines, exit 1 and change nothing in the project. Inputs that a repository cannot
hold (symbolic links leaving it, FIFOs) are made by the tests further down.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.hardening_support import make_project, run, snapshot

FIXTURES = REPO / "tests" / "fixtures" / "hardening"
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def fixture_files(case: str) -> dict[str, str | bytes]:
    """The files of one case, relative to the project, without expected.txt."""
    folder = FIXTURES / case
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != "expected.txt"
    }


def expected(case: str) -> list[str]:
    """The error lines `check` must print for one case."""
    return (FIXTURES / case / "expected.txt").read_text(encoding="utf-8").splitlines()


def assert_refused(project: Path, lines: list[str]) -> None:
    """check and build both print exactly `lines` as errors, exit 1, and leave the project as it was."""
    before = snapshot(project)
    checked = run(project, "check")
    assert checked.exit_code == 1, checked.stdout + checked.stderr
    assert [line for line in checked.errors if "failed:" not in line] == lines
    built = run(project, "build")
    assert built.exit_code == 1, built.stdout + built.stderr
    assert [line for line in built.errors if "failed:" not in line] == lines
    assert built.errors[-1].startswith("build failed: ") and built.errors[-1].endswith("; site was left as it was")
    assert snapshot(project) == before


def test_every_case_has_its_expected_lines() -> None:
    assert CASES and all((FIXTURES / case / "expected.txt").is_file() for case in CASES)


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_an_error_at_its_line_in_check_and_build(tmp_path: Path, case: str) -> None:
    project = make_project(tmp_path / "project", fixture_files(case))
    assert_refused(project, expected(case))


M = "content/test/2022-02-14.md"


def test_dangling_symlink_is_an_error_and_never_read(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    (project / "content/test/2022-03-01.md").symlink_to(tmp_path / "gone.md")
    assert_refused(project, [f"content/test/2022-03-01.md:1: error: broken symbolic link to {tmp_path / 'gone.md'}: not read"])


def test_symlink_loop_is_an_error(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    (project / "content/test/2022-03-01.md").symlink_to("2022-03-01.md")
    (project / "content/loop").symlink_to("loop")
    assert_refused(
        project,
        ["content/loop:1: error: symbolic link loop: not read", "content/test/2022-03-01.md:1: error: symbolic link loop: not read"],
    )


def test_symlink_to_a_file_outside_content_is_an_error_and_never_published(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: 秘密\ndate: 2022-03-01\n---\n\n○会長　秘密の文書。\n", encoding="utf-8")
    (project / "content/test/2022-03-01.md").symlink_to(secret)
    assert_refused(project, ["content/test/2022-03-01.md:1: error: symbolic link leads outside the content folder: not read (copy the file in instead)"])


def test_body_folder_linked_outside_content_is_an_error_and_its_files_are_not_listed(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    (project / "content/etc").symlink_to("/etc")
    before = snapshot(project)
    checked = run(project, "check")
    assert checked.stderr.splitlines()[0] == "content/etc:1: error: symbolic link leads outside the content folder: not read (copy the file in instead)"
    assert "passwd" not in checked.stderr and len(checked.stderr.splitlines()) == 2
    assert snapshot(project) == before


def test_symlink_inside_content_is_followed(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", {"content/drafts/2022-03-01.md": "---\ntitle: 第2回\ndate: 2022-03-01\n---\n\n○会長　開会します。\n"})
    (project / "content/drafts/_index.md").write_text("---\ntitle: 下書き\n---\n", encoding="utf-8")
    (project / "content/test/2022-03-01.md").symlink_to("../drafts/2022-03-01.md")
    assert run(project, "check").exit_code == 0


@pytest.mark.parametrize("where", ["content/test/2022-03-01.md", "content/fifo", "content/test/_index.md"])
def test_fifo_is_an_error_and_never_opened(tmp_path: Path, where: str) -> None:
    project = make_project(tmp_path / "project")
    (project / where).unlink(missing_ok=True)
    os.mkfifo(project / where)
    # Opening the FIFO would block: the test would hang instead of failing.
    lines = [f"{where}:1: error: not a regular file or folder (a FIFO, socket or device): not read"]
    assert_refused(project, lines)


@pytest.mark.parametrize("command", ["build", "serve"])
def test_missing_templates_folder_given_explicitly_is_an_error(tmp_path: Path, command: str) -> None:
    project = make_project(tmp_path / "project")
    before = snapshot(project)
    outcome = run(project, command, "--templates", "theme")
    assert outcome.exit_code == 1
    assert outcome.stderr.splitlines() == [
        f"{command} failed: --templates theme is not a folder: give the folder of Jinja templates (the repository's templates/); nothing was changed"
    ]
    assert snapshot(project) == before


def test_an_empty_templates_folder_builds_with_the_default_theme(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    (project / "theme").mkdir()
    outcome = run(project, "build", "--templates", "theme")
    assert outcome.exit_code == 0, outcome.stderr
    assert (project / "site" / "index.html").is_file() and (project / "site" / "assets" / "style.css").is_file()


def test_a_template_found_nowhere_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    (project / "theme").mkdir()
    (project / "theme" / "home.html").write_text('{% include "sidebar.html" %}\n', encoding="utf-8")
    outcome = run(project, "build", "--templates", "theme")
    assert outcome.exit_code == 1
    assert outcome.stderr.splitlines()[-1] == "build failed: template 'sidebar.html' not found in theme; site was left as it was"
    assert not (project / "site").exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://[::1", "'http://[::1' is not a valid URL (Invalid IPv6 URL)"),
        ("javascript:alert(1)//", "'javascript:alert(1)//' must be an absolute http(s) URL"),
        ("https://x.test//evil.test/", "'https://x.test//evil.test/' must not contain '//' in its path (a link built from it would lead to another host)"),
        ("https://x.test/a b", "'https://x.test/a b' must not contain whitespace or control characters (U+0020)"),
        ("https://x.test/minutes/?v=1", "'https://x.test/minutes/?v=1' must not carry a query ('?…'): page addresses are built by appending to it"),
        ("https://x.test/#", "'https://x.test/#' must not carry a fragment ('#…'): page addresses are built by appending to it"),
    ],
)
def test_bad_base_url_option_is_refused(tmp_path: Path, url: str, message: str) -> None:
    project = make_project(tmp_path / "project")
    before = snapshot(project)
    outcome = run(project, "build", "--base-url", url)
    assert outcome.exit_code == 2
    assert outcome.stderr.splitlines()[-1] == f"Error: Invalid value for '--base-url': {message}"
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("name", "line"),
    [
        (b"2022-03-01\xff.md", "2022-03-01\\udcff.md:1: error: file name is not UTF-8 (bytes of another encoding, such as Shift_JIS): rename the file, its name becomes the URL"),
        (b"2022-03-01-\x0b.md", "2022-03-01-\\x0b.md:1: error: file name holds control character U+000B: rename the file, its name becomes the URL"),
        (b"2022-03-01-\n.md", "2022-03-01-\\x0a.md:1: error: file name holds control character U+000A: rename the file, its name becomes the URL"),
    ],
)
def test_meeting_file_name_the_build_cannot_write_is_an_error(tmp_path: Path, name: bytes, line: str) -> None:
    # A name with a byte that is not UTF-8 passed check, then the build ended in a UnicodeEncodeError.
    # Printed, the byte is an escape (as Python's stderr shows it), and so is a line end: one problem, one line.
    project = make_project(tmp_path / "project")
    (project / "content/test" / os.fsdecode(name)).write_text("---\ntitle: 第2回\ndate: 2022-03-01\n---\n\n○会長　開会します。\n", encoding="utf-8")
    assert_refused(project, [f"content/test/{line}"])


def test_source_and_pdf_urls_keep_their_query_and_fragment(tmp_path: Path) -> None:
    # Only the base URL has pages appended to it; a record's own address may well need a query.
    extra = "source_url: https://x.test/view?id=3#p2\npdf_url: https://x.test/doc.pdf?id=3#page=2\n"
    project = make_project(tmp_path / "project", {M: f"---\ntitle: 第1回\ndate: 2022-02-14\n{extra}---\n\n○会長　開会します。\n"})
    outcome = run(project, "build")
    assert outcome.exit_code == 0, outcome.stderr
    page = (project / "site/test/2022-02-14/index.html").read_text(encoding="utf-8")
    assert '<a href="https://x.test/view?id=3#p2" rel="external">' in page


def test_read_text_used_by_serve_never_opens_a_fifo_or_a_file_outside_content(tmp_path: Path) -> None:
    from generator.content import read_text

    project = make_project(tmp_path / "project")
    content = project / "content"
    os.mkfifo(content / "test/2022-03-01.md")
    (tmp_path / "secret.md").write_text("secret", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/2022-04-01.md").write_text("secret", encoding="utf-8")
    (content / "test/2022-03-02.md").symlink_to(tmp_path / "secret.md")
    (content / "linked").symlink_to(tmp_path / "elsewhere")
    problems: list = []
    for rel in ("test/2022-03-01.md", "test/2022-03-02.md", "linked/2022-04-01.md"):
        assert read_text(content / rel, rel, problems, content) is None
    assert [str(d) for d in problems] == [
        "test/2022-03-01.md:1: error: not a regular file or folder (a FIFO, socket or device): not read",
        "test/2022-03-02.md:1: error: symbolic link leads outside the content folder: not read (copy the file in instead)",
        "linked/2022-04-01.md:1: error: symbolic link leads outside the content folder: not read (copy the file in instead)",
    ]


def test_meeting_in_the_first_weeks_of_meiji_builds(tmp_path: Path) -> None:
    # Found by the long property profile: fiscal 1867 (April 1867 to March 1868) began before
    # 明治, and naming it crashed the build of a date check accepts.
    project = make_project(tmp_path / "project", {M: "---\ntitle: 第1回\ndate: 1868-02-01\n---\n\n○会長　開会します。\n"})
    outcome = run(project, "build")
    assert outcome.exit_code == 0, outcome.stderr
    assert "1867年度" in (project / "site/test/index.html").read_text(encoding="utf-8")
