"""Helpers of the hardening catalogue: a throwaway project, snapshots of its files, running the CLI in it."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main
from tests.conftest import BODY_INDEX, REPO, SITE_INDEX, meeting, write_files


@dataclass(frozen=True)
class Outcome:
    """What one command printed and returned."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def errors(self) -> list[str]:
        """The stderr lines that are diagnostics or the closing failure line."""
        return [line for line in self.stderr.splitlines() if ": error: " in line or "failed:" in line]


def make_project(root: Path, files: dict[str, str | bytes] | None = None) -> Path:
    """A project folder with content/ (one small meeting unless `files` says otherwise) and templates/."""
    defaults: dict[str, str | bytes] = {
        "content/_index.md": SITE_INDEX,
        "content/test/_index.md": BODY_INDEX,
        "content/test/2022-02-14.md": meeting(),
    }
    write_files(root, {**defaults, **(files or {})})
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "node_modules").symlink_to(REPO / "node_modules")
    return root


def snapshot(root: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Every entry below `root` (not following links) with a digest of its content, to compare before and after."""
    entries: dict[str, str] = {}
    for folder, dirs, files in os.walk(root):
        rel_folder = Path(folder).relative_to(root)
        dirs[:] = [d for d in dirs if (rel_folder / d).as_posix() not in skip]
        for name in dirs + files:
            path = Path(folder) / name
            rel = (rel_folder / name).as_posix()
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                entries[rel] = "link:" + os.readlink(path)
            elif stat.S_ISREG(mode):
                entries[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                entries[rel] = "dir" if stat.S_ISDIR(mode) else f"mode:{stat.S_IFMT(mode):o}"
    return entries


def run(project: Path, *args: str) -> Outcome:
    """Run `minutes *args` with `project` as the current folder (no build cache, one job)."""
    if args and args[0] == "build":
        args = (*args, "--no-cache", "--jobs", "1")
    previous = Path.cwd()
    os.chdir(project)
    try:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(previous)
    return Outcome(result.exit_code, result.stdout, result.stderr)
