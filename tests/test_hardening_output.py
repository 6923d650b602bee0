"""Hardening catalogue, `--out`: build and serve never replace sources or folders they did not write."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.output import SITE_MARKER, check_output_folder, swap_into_place
from tests.hardening_support import make_project, run, snapshot

NOTHING_CHANGED = "; nothing was changed"
REFUSED = {
    "content": "--out content is the content folder content: the site would replace it",
    "templates": "--out templates is the templates folder templates: the site would replace it",
    "content/test": "--out content/test lies inside the content folder content: the site would replace part of it",
    "templates/static": "--out templates/static lies inside the templates folder templates: the site would replace part of it",
    ".": "--out . is the project folder (the current folder): the site would replace every file in it",
    "..": "--out .. is a parent of the project folder: the site would replace every file in it",
    "notes": "--out notes holds files minutes did not write (no .minutes-site in it): give a new or empty folder, or empty this one yourself",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project", {"notes/todo.txt": "keep me\n"})


@pytest.mark.parametrize("command", ["build", "serve"])
@pytest.mark.parametrize("out", sorted(REFUSED))
def test_out_that_would_destroy_files_is_refused_and_nothing_changes(project: Path, command: str, out: str) -> None:
    before = snapshot(project.parent)
    outcome = run(project, command, "--out", out)
    assert outcome.exit_code == 1
    assert outcome.stderr.splitlines() == [f"{command} failed: {REFUSED[out]}{NOTHING_CHANGED}"]
    assert snapshot(project.parent) == before


def test_out_holding_the_content_folder_is_refused(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    outcome = run(project, "build", "--content", "work/content", "--out", "work")
    # The content folder given does not exist here, yet the rule is about paths alone.
    assert outcome.exit_code == 1
    assert outcome.stderr.splitlines() == [f"build failed: --out work holds the content folder work/content: the site would replace it{NOTHING_CHANGED}"]


def test_out_below_a_file_is_refused(project: Path) -> None:
    before = snapshot(project)
    outcome = run(project, "build", "--out", "notes/todo.txt/site")
    assert outcome.exit_code == 1
    assert outcome.stderr.splitlines() == [f"build failed: --out notes/todo.txt/site cannot be made: {project / 'notes/todo.txt'} is not a folder{NOTHING_CHANGED}"]
    assert snapshot(project) == before


@pytest.mark.parametrize("command", ["build", "serve"])
def test_out_given_as_the_absolute_project_path_or_its_parent_is_refused(project: Path, command: str) -> None:
    before = snapshot(project.parent)
    for out, what in ((project, "the project folder (the current folder)"), (project.parent, "a parent of the project folder")):
        outcome = run(project, command, "--out", str(out))
        assert outcome.exit_code == 1
        assert outcome.stderr.splitlines() == [f"{command} failed: --out {out} is {what}: the site would replace every file in it{NOTHING_CHANGED}"]
    assert snapshot(project.parent) == before


def test_a_site_this_tool_wrote_is_replaced_and_carries_the_marker(project: Path) -> None:
    assert run(project, "build", "--out", "site").exit_code == 0
    assert (project / "site" / SITE_MARKER).is_file()
    (project / "site" / "stale.html").write_text("old", encoding="utf-8")
    assert run(project, "build", "--out", "site").exit_code == 0
    assert not (project / "site" / "stale.html").exists()
    assert not [p.name for p in project.iterdir() if ".old-" in p.name or ".new-" in p.name]


def test_a_site_of_an_earlier_version_is_accepted_once_and_marked(project: Path) -> None:
    (project / "site" / "assets").mkdir(parents=True)
    (project / "site" / "index.html").write_text("<html>old</html>", encoding="utf-8")
    (project / "site" / "assets" / "old.css").write_text("", encoding="utf-8")
    before = snapshot(project, skip=("site",))
    assert run(project, "build", "--out", "site").exit_code == 0
    assert (project / "site" / SITE_MARKER).is_file()
    assert not (project / "site" / "assets" / "old.css").exists()
    assert "<html>old</html>" not in (project / "site" / "index.html").read_text(encoding="utf-8")
    assert snapshot(project, skip=("site",)) == before
    # Marked, it is from now on a site minutes wrote, whatever it holds.
    (project / "site" / "notes.md").write_text("# mine", encoding="utf-8")
    assert run(project, "build", "--out", "site").exit_code == 0
    assert not (project / "site" / "notes.md").exists()


def test_a_folder_with_markdown_is_not_taken_for_an_earlier_site(project: Path) -> None:
    (project / "old" / "assets").mkdir(parents=True)
    (project / "old" / "index.html").write_text("<html></html>", encoding="utf-8")
    (project / "old" / "draft.md").write_text("# draft", encoding="utf-8")
    outcome = run(project, "build", "--out", "old")
    assert outcome.exit_code == 1 and "holds files minutes did not write" in outcome.stderr
    assert (project / "old" / "draft.md").is_file()


def test_an_empty_or_new_folder_is_accepted(project: Path) -> None:
    (project / "empty").mkdir()
    check_output_folder(project / "empty", project / "content", project / "templates", project)
    check_output_folder(project / "new" / "site", project / "content", project / "templates", project)


def test_a_failed_swap_leaves_no_old_folder_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out, staging = tmp_path / "site", tmp_path / "staging"
    out.mkdir()
    staging.mkdir()

    def busy(source: object, target: object) -> None:
        raise OSError(16, "Device or resource busy")

    monkeypatch.setattr("generator.output.os.rename", busy)
    with pytest.raises(OSError):
        swap_into_place(staging, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "staging"]
