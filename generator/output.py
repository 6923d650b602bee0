"""Writing the site: into a fresh folder that is swapped into place only when everything is written."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


class DuplicateOutputError(RuntimeError):
    """Two parts of the build tried to write the same file: a bug, never silently overwritten."""


class OutputTree:
    """A staging folder that accepts each output path once (like Pelican's writer)."""

    def __init__(self, root: Path):
        self.root = root
        self.written: set[str] = set()

    def _claim(self, rel_path: str) -> Path:
        if rel_path in self.written:
            raise DuplicateOutputError(f"{rel_path} would be written twice")
        self.written.add(rel_path)
        target = self.root / rel_path
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_text(self, rel_path: str, text: str) -> None:
        """Write `text` as UTF-8 with LF line ends to `rel_path` below the root."""
        self._claim(rel_path).write_text(text, encoding="utf-8", newline="\n")

    def write_bytes(self, rel_path: str, data: bytes) -> None:
        """Write `data` to `rel_path` below the root."""
        self._claim(rel_path).write_bytes(data)

    def copy_file(self, source: Path, rel_path: str) -> None:
        """Copy `source` to `rel_path`, contents only: no timestamps, so builds stay identical."""
        self._claim(rel_path).write_bytes(source.read_bytes())


def staging_folder(out_dir: Path) -> Path:
    """A new empty folder beside `out_dir`, on the same file system so the swap is a rename."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))


def swap_into_place(staging: Path, out_dir: Path) -> None:
    """Replace `out_dir` by `staging`; the old site stays whole until the new one is complete."""
    # mkdtemp makes the folder private (0700); a site is for everyone to read.
    os.chmod(staging, 0o755)
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        os.rename(out_dir, old / "site")
    os.rename(staging, out_dir)
    if old is not None:
        shutil.rmtree(old)


def discard(staging: Path) -> None:
    """Remove a staging folder after a failed build."""
    shutil.rmtree(staging, ignore_errors=True)
