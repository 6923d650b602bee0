"""The GitHub Pages workflows keep the build's `.cache/` between runs, so a CI build is a warm build.

Both workflows are checked: the repository's own (.github/workflows/site.yml) and the one
`minutes init` writes into a new archive. The cache key is worked out here as GitHub Actions
would (`runner.os`, `hashFiles(...)` over a folder), on a small archive before and after a commit,
to show what a run restores: the same commit hits its own entry, a new commit restores the
previous commit's, and a new minutes version still gets the old tokens.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import REPO

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
HASH_FILES = re.compile(r"hashFiles\((.*)\)")


def hash_files(workspace: Path, patterns: list[str]) -> str:
    """What `hashFiles(...)` gives in `workspace`: a hash of the matching files, '' when none match."""
    files = sorted(
        path for path in workspace.rglob("*")
        if path.is_file() and any(fnmatch.fnmatch(path.relative_to(workspace).as_posix(), p) for p in patterns)
    )  # fmt: skip
    if not files:
        return ""
    digest = hashlib.sha256()
    for path in files:
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def evaluate(text: str, workspace: Path) -> str:
    """`text` with its `${{ … }}` expressions worked out; only what a cache key needs is known."""

    def value(match: re.Match[str]) -> str:
        expression = match[1]
        if expression == "runner.os":
            return "Linux"
        call = HASH_FILES.fullmatch(expression)
        assert call, f"the cache key uses {expression!r}, which this test cannot work out"
        return hash_files(workspace, re.findall(r"'([^']*)'", call[1]))

    return EXPRESSION.sub(value, text)


def cache_step(workflow: dict) -> tuple[dict, list[dict]]:
    """The build job's actions/cache step, and the job's steps."""
    steps = workflow["jobs"]["build"]["steps"]
    caches = [step for step in steps if step.get("uses", "").split("@")[0] == "actions/cache"]
    assert len(caches) == 1, "one actions/cache step, which restores before the build and saves after it"
    return caches[0], steps


def keys(step: dict, workspace: Path) -> tuple[str, list[str]]:
    """The primary key and the restore keys of `step` as a run in `workspace` computes them."""
    restore = step["with"].get("restore-keys", "")
    return evaluate(step["with"]["key"], workspace), [evaluate(line, workspace) for line in restore.splitlines() if line.strip()]


def restored(saved: list[str], key: str, restore_keys: list[str]) -> str | None:
    """Which saved entry a run restores: its own key exactly, else the newest entry starting with a restore key."""
    if key in saved:
        return key
    for prefix in restore_keys:
        matches = [entry for entry in saved if entry.startswith(prefix)]
        if matches:
            return matches[-1]
    return None


def own_workspace(tmp_path: Path) -> tuple[Path, str, Path]:
    """A small checkout of this repository (a file of its code and its content), the file a version changes, the workflow."""
    workspace = tmp_path / "repo"
    (workspace / "generator").mkdir(parents=True)
    shutil.copyfile(REPO / "pyproject.toml", workspace / "pyproject.toml")
    (workspace / "generator" / "build.py").write_text("# the code\n", encoding="utf-8")
    shutil.copytree(REPO / "content", workspace / "content")
    return workspace, "generator/build.py", REPO / ".github" / "workflows" / "site.yml"


def init_workspace(tmp_path: Path) -> tuple[Path, str, Path]:
    """An archive as `minutes init` writes it, the file a version changes (the pinned minutes), its workflow."""
    workspace = tmp_path / "archive"
    result = CliRunner().invoke(main, ["init", str(workspace), "--organization", "安平町", "--title", "安平町議会 会議録"])
    assert result.exit_code == 0, result.output
    return workspace, "requirements.txt", workspace / ".github" / "workflows" / "site.yml"


WORKSPACES = {"own workflow": own_workspace, "minutes init's workflow": init_workspace}


def new_meeting(workspace: Path) -> None:
    """A commit that adds a meeting to the archive."""
    meeting = next(p for p in (workspace / "content").glob("*/*.md") if p.name != "_index.md")
    meeting.with_name("2099-01-01.md").write_text(meeting.read_text(encoding="utf-8"), encoding="utf-8")


@pytest.mark.parametrize("which", WORKSPACES)
def test_the_pages_build_restores_the_cache_before_building_and_saves_it(which: str, tmp_path: Path) -> None:
    _, _, workflow = WORKSPACES[which](tmp_path)
    step, steps = cache_step(yaml.safe_load(workflow.read_text(encoding="utf-8")))
    assert step["uses"].startswith("actions/cache@"), "actions/cache restores and saves (cache/restore alone would not save)"
    assert step["with"]["path"].split() == [".cache", "site"], "the cache and the last site, whose unchanged files the build links"
    assert not step["with"].get("lookup-only")
    build = next(i for i, s in enumerate(steps) if "minutes build" in s.get("run", ""))
    assert steps.index(step) < build
    assert "--no-cache" not in steps[build]["run"] and "--cache-dir" not in steps[build]["run"], "the build uses .cache/"


@pytest.mark.parametrize("which", WORKSPACES)
def test_a_new_commit_restores_the_previous_commits_cache_and_a_rerun_its_own(which: str, tmp_path: Path) -> None:
    workspace, version_file, workflow = WORKSPACES[which](tmp_path)
    step, _ = cache_step(yaml.safe_load(workflow.read_text(encoding="utf-8")))

    first_key, _ = keys(step, workspace)
    saved = [first_key]
    assert restored(saved, *keys(step, workspace)) == first_key  # the same commit again: its own entry

    new_meeting(workspace)
    second_key, second_restore = keys(step, workspace)
    assert second_key != first_key, "new content gets a new entry, saved after its build"
    assert restored(saved, second_key, second_restore) == first_key
    saved.append(second_key)

    (workspace / version_file).write_text((workspace / version_file).read_text(encoding="utf-8") + "\n# next version\n", encoding="utf-8")
    third_key, third_restore = keys(step, workspace)
    assert third_key not in saved, "another minutes version gets an entry of its own"
    assert restored(saved, third_key, third_restore) == second_key, "the newest entry, though of the previous version"
