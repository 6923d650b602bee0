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
from dataclasses import dataclass
from pathlib import Path

from ..output import OutputTree, discard, staging_folder, swap_into_place
from .snapshot import Entry


def _write_entry(target: Path, entry: Entry) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(entry, Path) and _link_entry(target, entry):
        return
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


def _link_entry(target: Path, entry: Path) -> bool:
    """Put a job's file in place as a hard link (through a temporary name and a rename); False when it cannot be linked.

    The open data of a large archive is tens of megabytes: copying it after every job held up
    the next rebuild. Job files are never written again in place, so sharing them is safe.
    """
    temporary = target.with_name(f".{target.name}.{os.getpid()}.link")
    try:
        temporary.unlink(missing_ok=True)
        os.link(entry, temporary)
        os.replace(temporary, target)
    except OSError:
        temporary.unlink(missing_ok=True)
        return False
    return True


@dataclass(frozen=True)
class WriteFailure:
    """A file of the site the output folder could not take (another file or a folder in its way, no room, no rights)."""

    rel_path: str
    reason: str


_UNWRITTEN = object()
"""Marks a file that could not be written: never the same object as a served entry, so it is tried again."""


class OutputMirror:
    """Writes each published set of files to the output folder, changed files only."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self._written: dict[str, object] | None = None

    def sync(self, files: Mapping[str, Entry]) -> list[WriteFailure]:
        """Make the output folder hold `files`, as far as it can; returns the files it could not write.

        A file that failed is tried again at the next sync, so the folder catches up once the
        obstacle is gone. An OSError is raised only when the folder itself cannot be made.
        """
        if self._written is None:
            return self._write_whole(files)
        written = dict(self._written)
        failures: list[WriteFailure] = []
        # Removals first: a file that went can be in the way of a folder of the same name (and back).
        for rel_path in sorted(written.keys() - files.keys()):
            target = self.out_dir / rel_path
            try:
                target.unlink(missing_ok=True)
            except NotADirectoryError:
                pass  # a file stands where its folder would be: it was never written
            except OSError as exc:
                failures.append(WriteFailure(rel_path, _reason(exc)))
                continue
            del written[rel_path]
            _remove_empty_folders(target.parent, self.out_dir)
        for rel_path, entry in files.items():
            previous = written.get(rel_path)
            if previous is entry:
                continue
            if isinstance(entry, Path) and isinstance(previous, Path) and _same_file(previous, entry):
                # A search job links the files it did not change from the job before: the
                # thousands of unchanged index files are not copied again.
                written[rel_path] = entry
                continue
            try:
                _write_entry(self.out_dir / rel_path, entry)
            except OSError as exc:
                failures.append(WriteFailure(rel_path, _reason(exc)))
                written[rel_path] = _UNWRITTEN
            else:
                written[rel_path] = entry
        self._written = written
        return failures

    def _write_whole(self, files: Mapping[str, Entry]) -> list[WriteFailure]:
        staging = staging_folder(self.out_dir)
        written: dict[str, object] = {}
        failures: list[WriteFailure] = []
        try:
            tree = OutputTree(staging)
            for rel_path in sorted(files):
                entry = files[rel_path]
                try:
                    if isinstance(entry, Path):
                        tree.copy_file(entry, rel_path)
                    else:
                        tree.write_bytes(rel_path, entry)
                except OSError as exc:
                    failures.append(WriteFailure(rel_path, _reason(exc)))
                    written[rel_path] = _UNWRITTEN
                    # A folder made for it would be left empty.
                    _remove_empty_folders((staging / rel_path).parent, staging)
                else:
                    written[rel_path] = entry
            swap_into_place(staging, self.out_dir)
        except BaseException:
            discard(staging)
            raise
        self._written = written
        return failures


def _same_file(old: Path, new: Path) -> bool:
    """Whether two job files are one file (one inode): its bytes, then, are what was written before."""
    try:
        return os.path.samefile(old, new)
    except OSError:
        return False


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _remove_empty_folders(folder: Path, root: Path) -> None:
    """Remove `folder` and its parents up to `root` (kept) while they are empty."""
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return  # not empty (or gone already): so are its parents
        folder = folder.parent


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
