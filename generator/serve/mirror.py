"""The output folder during `minutes serve`: kept equal to what is served, without the dev additions.

The first good build is written whole into a fresh folder and swapped into place, as `minutes
build` does; after that only files whose content changed are rewritten (each through a
temporary file and a rename, so no reader meets half a file) and files that went are removed.
The overlay and reload script are added to responses, never here.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ..output import OutputTree, discard, staging_folder, swap_into_place
from .snapshot import Entry


def _write_entry(target: Path, entry: Entry) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            if isinstance(entry, Path):
                with entry.open("rb") as source:
                    shutil.copyfileobj(source, stream)
            else:
                stream.write(entry)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class OutputMirror:
    """Writes each published set of files to the output folder, changed files only."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self._written: dict[str, Entry] | None = None

    def sync(self, files: Mapping[str, Entry]) -> None:
        """Make the output folder hold exactly `files`."""
        if self._written is None:
            self._write_whole(files)
        else:
            for rel_path, entry in files.items():
                if self._written.get(rel_path) is not entry:
                    _write_entry(self.out_dir / rel_path, entry)
            for rel_path in self._written.keys() - files.keys():
                (self.out_dir / rel_path).unlink(missing_ok=True)
        self._written = dict(files)

    def _write_whole(self, files: Mapping[str, Entry]) -> None:
        staging = staging_folder(self.out_dir)
        try:
            tree = OutputTree(staging)
            for rel_path in sorted(files):
                entry = files[rel_path]
                if isinstance(entry, Path):
                    tree.copy_file(entry, rel_path)
                else:
                    tree.write_bytes(rel_path, entry)
            swap_into_place(staging, self.out_dir)
        except BaseException:
            discard(staging)
            raise


def previous_files(out_dir: Path, keep_dir: Path, only: str | None = None) -> dict[str, Path]:
    """Files of an earlier build in `out_dir` (or its folder `only`), kept as links or copies in `keep_dir`.

    The dev server serves them until it has built its own: the previous search index while the
    new one is being built, or the whole previous site while the content cannot be built.
    """
    root = out_dir / only if only else out_dir
    if not root.is_dir():
        return {}
    files: dict[str, Path] = {}
    for source in sorted(p for p in root.rglob("*") if p.is_file()):
        rel_path = source.relative_to(out_dir).as_posix()
        if any(part.startswith(".") for part in source.relative_to(out_dir).parts):
            continue
        kept = keep_dir / rel_path
        kept.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, kept)  # instant, and the output folder's later rewrites replace, not edit
        except OSError:
            shutil.copyfile(source, kept)
        files[rel_path] = kept
    return files
