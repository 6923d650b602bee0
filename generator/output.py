"""Writing the site: into a staging folder that is swapped into place only when everything is written.

The staging folder is a fresh one, or the spare site: the site the build before the last one
replaced, kept in the cache (`keep_spare`, `adopt_spare`), which shares most of its files with
the live site already.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from .i18n import _
from .output_reuse import FileRecord, content_digest

T = TypeVar("T")


SITE_MARKER = ".minutes-site"
"""Written into every site this tool writes: only a folder holding it (or an empty one) is replaced."""
_MARKER_TEXT = "This folder is a site written by `minutes`; the next build replaces it whole.\n"


class OutputFolderError(ValueError):
    """`--out` names a folder whose replacement would destroy sources or files the tool did not write."""


def check_output_folder(out_dir: Path, content_dir: Path, templates_dir: Path, project_dir: Path | None = None) -> None:
    """Raise OutputFolderError unless replacing `out_dir` whole can only remove a site this tool wrote.

    Refused: the content or templates folder, a folder inside either or holding either, the
    project folder (the current folder) or one of its parents, and an existing non-empty folder
    without the marker, except a site of an earlier version (index.html and assets/, no .md file).
    """
    shown = out_dir.as_posix()
    out = Path(os.path.realpath(out_dir))
    project = Path(os.path.realpath(project_dir if project_dir is not None else Path.cwd()))
    if out == project or out in project.parents:
        what = _("the project folder (the current folder)") if out == project else _("a parent of the project folder")
        raise OutputFolderError(_("--out {folder} is {what}: the site would replace every file in it").format(folder=shown, what=what))
    for name, source in (("content", content_dir), ("templates", templates_dir)):
        real = Path(os.path.realpath(source))
        if out == real:
            raise OutputFolderError(_("--out {folder} is the {name} folder {source}: the site would replace it").format(folder=shown, name=name, source=source.as_posix()))
        if real in out.parents:
            raise OutputFolderError(_("--out {folder} lies inside the {name} folder {source}: the site would replace part of it").format(folder=shown, name=name, source=source.as_posix()))
        if out in real.parents:
            raise OutputFolderError(_("--out {folder} holds the {name} folder {source}: the site would replace it").format(folder=shown, name=name, source=source.as_posix()))
    if out.exists() and not out.is_dir():
        raise OutputFolderError(_("--out {folder} is not a folder").format(folder=shown))
    existing = next(parent for parent in out.parents if parent.exists())
    if not existing.is_dir():
        raise OutputFolderError(_("--out {folder} cannot be made: {existing} is not a folder").format(folder=shown, existing=existing))
    if not out.is_dir() or (out / SITE_MARKER).is_file() or _is_earlier_site(out):
        return
    if any(out.iterdir()):
        raise OutputFolderError(
            _(
                "--out {folder} holds files minutes did not write (no {marker} in it): "
                "give a new or empty folder, or empty this one yourself"
            ).format(folder=shown, marker=SITE_MARKER)
        )


def _is_earlier_site(folder: Path) -> bool:
    """Whether `folder` looks like a site an earlier version wrote, before sites carried the marker."""
    if not (folder / "index.html").is_file() or not (folder / "assets").is_dir():
        return False
    return not any(path.suffix in (".md", ".markdown") for path in folder.rglob("*"))


class DuplicateOutputError(RuntimeError):
    """Two parts of the build tried to write the same file: a bug, never silently overwritten."""


class OutputTree:
    """A staging folder that accepts each output path once (like Pelican's writer).

    Given the site the last build wrote (`previous_site`) and its record (`previous`), a file
    whose bytes are the ones recorded is hard-linked from that site instead of written, and
    `reuse` links a file the caller knows to be unchanged without making its bytes. A linked
    file shares its inode with the live site, so nothing here ever opens an existing file for
    writing: a file is always written to a new inode, the old name unlinked first.
    With `keep_record`, what was written is collected in `record` for the next build.

    A `prefilled` root already holds a site (the spare one, `adopt_spare`): a file to be linked
    that is there already as the previous site's file is left as it is, any other is replaced,
    and `prune` removes what no part of the build claimed.
    """

    def __init__(
        self,
        root: Path,
        previous_site: Path | None = None,
        previous: dict[str, FileRecord] | None = None,
        keep_record: bool = False,
        prefilled: bool = False,
    ):
        self.root = root
        self.prefilled = prefilled
        self.written: set[str] = set()
        self.previous_site = previous_site
        self.previous = previous if previous_site is not None and previous is not None else {}
        self.keep_record = keep_record
        self.record: dict[str, FileRecord] = {}
        self.linked = 0
        """How many files were linked from the previous site instead of written."""
        self.bytes_written = 0
        self._root = os.fspath(root)
        self._previous_root = os.fspath(previous_site) if previous_site is not None else ""
        self._folders: set[str] = set()
        """Folders below the root made so far (a site has thousands of files in a few hundred folders)."""

    def _claim(self, rel_path: str) -> str:
        # Paths as strings: a build writes thousands of files, and pathlib's objects cost more
        # than the system calls they lead to.
        if rel_path in self.written:
            raise DuplicateOutputError(f"{rel_path} would be written twice")
        self.written.add(rel_path)
        target = os.path.join(self._root, rel_path)
        folder = rel_path.rpartition("/")[0]
        if folder not in self._folders:
            try:
                os.makedirs(os.path.dirname(target), exist_ok=True)
            except (FileExistsError, NotADirectoryError):
                if not self.prefilled:
                    raise
                # The spare site has a file where this one has a folder.
                _clear_folder_path(self._root, folder)
                os.makedirs(os.path.dirname(target), exist_ok=True)
            self._folders.add(folder)
        return target

    def write_text(self, rel_path: str, text: str) -> None:
        """Write `text` as UTF-8 with LF line ends to `rel_path` below the root."""
        self.write_bytes(rel_path, text.encode("utf-8"))

    def write_bytes(self, rel_path: str, data: bytes) -> str:
        """Write `data` to `rel_path` below the root, or link the previous site's file when it holds these bytes.

        Returns the bytes' `content_digest`.
        """
        target = self._claim(rel_path)
        digest = content_digest(data)
        old = self.previous.get(rel_path)
        if old is not None and old.digest == digest and self._link(rel_path, target, old):
            return digest
        self._write_new(target, data)
        if self.keep_record:
            self.record[rel_path] = FileRecord.of(digest, os.stat(target))
        return digest

    def copy_file(self, source: Path, rel_path: str) -> None:
        """Copy `source` to `rel_path`, contents only: no timestamps, so builds stay identical."""
        self.write_bytes(rel_path, source.read_bytes())

    def reuse(self, rel_path: str) -> bool:
        """Link `rel_path` from the previous site when the last build recorded it and it is unchanged there.

        For a writer that knows the file's bytes would be the same without making them. False
        (nothing claimed) when the file cannot be reused: the caller then writes it.
        """
        old = self.previous.get(rel_path)
        if old is None or rel_path in self.written:
            return False
        target = self._claim(rel_path)
        if self._link(rel_path, target, old):
            return True
        self.written.discard(rel_path)
        return False

    def previous_digest(self, rel_path: str) -> str | None:
        """The digest of `rel_path`'s bytes as the last build wrote them, if recorded."""
        old = self.previous.get(rel_path)
        return old.digest if old is not None else None

    def previous_bytes(self, rel_path: str) -> bytes | None:
        """The bytes of `rel_path` in the previous site, when they are still the ones the last build recorded."""
        old = self.previous.get(rel_path)
        if old is None:
            return None
        assert self.previous_site is not None
        try:
            data = (self.previous_site / rel_path).read_bytes()
        except OSError:
            return None
        return data if content_digest(data) == old.digest else None

    def absorb(self, work: TreeWork[T]) -> T:
        """Count in the files a forked copy of this tree wrote below the root (`in_tree_copy`); returns the work's value."""
        for rel_path, record in work.records.items():
            if rel_path in self.written:
                raise DuplicateOutputError(f"{rel_path} would be written twice")
            self.written.add(rel_path)
            if record is not None:
                self.record[rel_path] = record
        self.linked += work.linked
        self.bytes_written += work.bytes_written
        return work.value

    def _link(self, rel_path: str, target: str, old: FileRecord) -> bool:
        """Hard-link the previous site's `rel_path` to `target` if it is still the file `old` records, or holds its bytes."""
        assert self.previous_site is not None
        source = os.path.join(self._previous_root, rel_path)
        try:
            status = os.lstat(source)
            # A site copied or restored (`cp -r`, a CI cache) has new inodes and times: its files
            # are reused when their bytes are still the recorded ones.
            if not old.matches(status) and not (
                stat.S_ISREG(status.st_mode) and status.st_size == old.size and content_digest(_read(source)) == old.digest
            ):
                return False
            # In the spare site, a file that is the live one already (unchanged since the site
            # before) needs no system call that writes: most files of a warm build.
            if not (self.prefilled and _is_same_file(target, status)):
                try:
                    os.link(source, target, follow_symlinks=False)
                except FileExistsError:
                    _unlink_if_present(target)
                    os.link(source, target, follow_symlinks=False)
                # A file replaced between the check and the link is not the one checked after all.
                if not _is_same_file(target, status):
                    os.unlink(target)
                    return False
        except OSError:
            # Another file system, a file system without hard links, too many links: write instead.
            return False
        self.linked += 1
        if self.keep_record:
            self.record[rel_path] = old
        return True

    def prune(self) -> None:
        """Remove from a `prefilled` root every file and folder no part of the build claimed.

        Call it once everything is written (a forked helper's files absorbed): what is left of
        the spare site then is what the new site no longer has.
        """
        if not self.prefilled:
            return
        needed = {""}
        for rel_path in self.written:
            folder = rel_path.rpartition("/")[0]
            while folder not in needed:
                needed.add(folder)
                folder = folder.rpartition("/")[0]
        _prune(self._root, "", self.written | {SITE_MARKER}, needed)

    def _write_new(self, target: str, data: bytes) -> None:
        # Never through an existing name: it may be a link to the live site's file.
        try:
            out = open(target, "xb")
        except FileExistsError:
            _unlink_if_present(target)
            out = open(target, "xb")
        with out:
            out.write(data)
        self.bytes_written += len(data)


@dataclass(frozen=True)
class TreeWork(Generic[T]):
    """What a function wrote into a forked copy of an output tree, for the tree itself to count in (`absorb`)."""

    value: T
    records: dict[str, FileRecord | None]
    """Each path written, with its record (None when the tree keeps none)."""
    linked: int
    bytes_written: int


def in_tree_copy(tree: OutputTree, function: Callable[..., T], *args: object) -> TreeWork[T]:
    """Run `function(*args)`, which writes into `tree`, and gather what it wrote: for a forked helper process (forking.py).

    The helper's `tree` is its own copy: the parent learns of the files through `tree.absorb`.
    """
    before, linked, written = set(tree.written), tree.linked, tree.bytes_written
    value = function(*args)
    records = {path: tree.record.get(path) for path in tree.written - before}
    return TreeWork(value, records, tree.linked - linked, tree.bytes_written - written)


def _read(path: str) -> bytes:
    with open(path, "rb") as source:
        return source.read()


def _unlink_if_present(path: str | Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        shutil.rmtree(path)  # a folder of the spare site where the new one has a file


def _is_same_file(path: str, status: os.stat_result) -> bool:
    """Whether `path` names the file whose stat is `status` (no follow of a symlink)."""
    try:
        found = os.lstat(path)
    except OSError:
        return False
    return (found.st_ino, found.st_dev) == (status.st_ino, status.st_dev)


def _clear_folder_path(root: str, folder: str) -> None:
    """Remove whatever is not a folder on the way from `root` to its subfolder `folder`."""
    path = root
    for part in folder.split("/"):
        path = os.path.join(path, part)
        if os.path.lexists(path) and not stat.S_ISDIR(os.lstat(path).st_mode):
            os.unlink(path)


def _prune(folder: str, prefix: str, keep: set[str], needed: set[str]) -> None:
    """Remove below `folder` (`prefix` below the root) each file not in `keep` and each folder not `needed`."""
    with os.scandir(folder) as entries:
        for entry in entries:
            rel_path = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if rel_path in needed:
                    _prune(entry.path, rel_path + "/", keep, needed)
                else:
                    shutil.rmtree(entry.path)
            elif rel_path not in keep:
                os.unlink(entry.path)


def staging_folder(out_dir: Path) -> Path:
    """A new empty folder beside `out_dir`, on the same file system so the swap is a rename."""
    out_dir = Path(os.path.abspath(out_dir))
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))


def swap_into_place(staging: Path, out_dir: Path) -> None:
    """Replace `out_dir` by `staging`; the old site stays whole until the new one is complete.

    The new site gets the marker file that lets the next build replace it.
    """
    old = swap_keeping_old(staging, out_dir)
    if old is not None:
        shutil.rmtree(old)


def swap_keeping_old(staging: Path, out_dir: Path) -> Path | None:
    """`swap_into_place`, but leave the old site in a folder beside `out_dir` for the caller to remove; returns that folder (None if there was no site)."""
    out_dir = Path(os.path.abspath(out_dir))
    # mkdtemp makes the folder private (0700); a site is for everyone to read.
    os.chmod(staging, 0o755)
    marker = staging / SITE_MARKER
    if not marker.exists():
        marker.write_text(_MARKER_TEXT, encoding="utf-8")
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        try:
            os.rename(out_dir, old / "site")
        except OSError:
            # Leave nothing behind when the old site cannot be moved (a mount point, say).
            old.rmdir()
            raise
    os.rename(staging, out_dir)
    return old


def adopt_spare(spare: Path, out_dir: Path) -> Path | None:
    """Make the spare site (`keep_spare`) the staging folder of a build into `out_dir`; None when there is none.

    A build into it (an OutputTree with `prefilled`) leaves the files it shares with the live site
    as they are and replaces the others: a build that changes a few pages makes a few system
    calls that write, not one per file of the site.
    """
    if not spare.is_dir() or spare.is_symlink():
        return None
    staging = staging_folder(out_dir)
    try:
        os.rename(spare, staging)  # onto the new empty folder: atomic, so two builds cannot both take it
    except OSError:
        staging.rmdir()
        return None
    return staging


def keep_spare(old: Path, spare: Path) -> None:
    """Keep the old site `swap_keeping_old` left in `old` as the spare site at `spare`, for the next build to adopt.

    A spare site not adopted meanwhile is moved into `old`, to be removed with it. When the spare
    cannot be kept (another file system, say), `old` still holds the site, to be removed too.
    """
    try:
        spare.parent.mkdir(parents=True, exist_ok=True)
        if os.path.lexists(spare):
            os.rename(spare, old / "stale-spare")
        os.rename(old / "site", spare)
    except OSError:
        pass


@contextlib.contextmanager
def removed_meanwhile(folder: Path | None) -> Iterator[None]:
    """Remove `folder` (if any) in a thread while the body runs; wait for it at the end.

    Removing a site is thousands of system calls, which run outside the GIL: a thread does them
    while the body does Python work. Use it only where nothing forks meanwhile.
    """
    if folder is None:
        yield
        return
    remover = threading.Thread(target=shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True}, name="minutes-remove-old-site")
    remover.start()
    try:
        yield
    finally:
        remover.join()


def discard(staging: Path) -> None:
    """Remove a staging folder after a failed build."""
    shutil.rmtree(staging, ignore_errors=True)
