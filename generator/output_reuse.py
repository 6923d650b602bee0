"""What the last build wrote, kept in the cache so the next build can link unchanged files instead of writing them.

A build writes into a staging folder that replaces the site whole (output.py). Most files come
out byte for byte as the last build wrote them, so the staging folder gets a hard link to the
site's file instead of a copy: the bytes are not written again and the swap stays atomic.

The record (`<cache_dir>/output/`) holds, for every file of the site, the digest of its bytes
and the size, mtime and inode it had when written: a site file whose stat no longer matches
(edited by hand, replaced) is not trusted and is written anew. It also holds, for every
meeting, a digest of everything its own files depend on (`meeting_key`): a meeting whose key is
unchanged is not rendered again, its files are linked by path.

A record that cannot be read (missing, damaged, another format) is an empty one: the build
writes everything, as without a cache.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import stat
from dataclasses import dataclass, field, fields
from pathlib import Path

from .code_version import code_digest
from .models import Body, Meeting, SiteConfig
from .pages import SiteUrls
from .theme import theme_dirs

FORMAT = 2
"""The layout of a record file; a record of another format is not read."""
RECORD_DIR = "output"


def content_digest(data: bytes) -> str:
    """A digest of a file's bytes: equal digests mean equal files."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


@dataclass(frozen=True)
class FileRecord:
    """One file as a build wrote it: its bytes' digest and how it looked on disk right after."""

    digest: str
    size: int
    mtime_ns: int
    ino: int
    dev: int
    ctime_ns: int
    """Any write, `touch` or rename of the file moves it, and no one can set it back (mtime can be)."""

    @classmethod
    def of(cls, digest: str, status: os.stat_result) -> FileRecord:
        """The record of a file with `digest` whose stat is `status`."""
        return cls(digest, status.st_size, status.st_mtime_ns, status.st_ino, status.st_dev, status.st_ctime_ns)

    def matches(self, status: os.stat_result) -> bool:
        """Whether a file on disk is still the one recorded: a regular file with the same inode, size and times."""
        return stat.S_ISREG(status.st_mode) and (
            status.st_size, status.st_mtime_ns, status.st_ino, status.st_dev, status.st_ctime_ns
        ) == (self.size, self.mtime_ns, self.ino, self.dev, self.ctime_ns)


@dataclass
class OutputRecord:
    """What one build wrote into a site: its files, and the key of each meeting's own files."""

    files: dict[str, FileRecord] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    """What a group of files was made from: a meeting's path → the `meeting_key` of its page and
    open data; a page's output path → the `derived_key` of a page made from several meetings."""


def record_path(cache_dir: Path, out_dir: Path) -> Path:
    """The record file of the site at `out_dir`: one per output folder, so two sites can share a cache."""
    where = hashlib.blake2b(os.path.abspath(out_dir).encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()
    return cache_dir / RECORD_DIR / f"site-{where}.json"


def spare_path(cache_dir: Path, out_dir: Path) -> Path | None:
    """Where the site the previous build replaced is kept for the next build into `out_dir` to write over (output.keep_spare).

    None when one of the cache folder and the site lies inside the other: the spare would then
    move with the site it stands beside.
    """
    cache, out = Path(os.path.realpath(cache_dir)), Path(os.path.realpath(out_dir))
    if cache == out or out in cache.parents or cache in out.parents:
        return None
    return record_path(cache_dir, out_dir).with_suffix(".spare")


def load_record(cache_dir: Path | None, out_dir: Path) -> OutputRecord:
    """The record of the last build into `out_dir`; an empty one when there is none or it cannot be read."""
    if cache_dir is None:
        return OutputRecord()
    try:
        data = json.loads(record_path(cache_dir, out_dir).read_bytes())
        if data.get("format") != FORMAT or data.get("out") != os.path.abspath(out_dir):
            return OutputRecord()
        files = {rel: FileRecord(*values) for rel, values in data["files"].items()}
        keys = dict(data["keys"])
        if not all(isinstance(key, str) for key in keys.values()):
            return OutputRecord()
        for rel, record in files.items():
            if not isinstance(rel, str) or not all(isinstance(getattr(record, f.name), t) for f, t in zip(fields(FileRecord), (str, int, int, int, int, int))):
                return OutputRecord()
        return OutputRecord(files, keys)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return OutputRecord()


def forget_record(cache_dir: Path | None, out_dir: Path) -> None:
    """Remove the record of `out_dir`: done before a swap, so a record never describes a site that is gone."""
    if cache_dir is None:
        return
    try:
        record_path(cache_dir, out_dir).unlink()
    except OSError:
        pass


def save_record(cache_dir: Path | None, out_dir: Path, record: OutputRecord) -> None:
    """Keep `record` for the next build into the site now at `out_dir`, each file's stat as it is there now.

    Called once the site is in place: linking a file and removing the old site's name for it
    moved its ctime. A cache that cannot be written only costs the next build time.
    """
    if cache_dir is None:
        return
    files = {}
    root = os.fspath(out_dir)  # paths as strings: pathlib's objects cost as much as the lstat of each of thousands of files
    for rel, written in sorted(record.files.items()):
        try:
            status = os.lstat(os.path.join(root, rel))
        except OSError:
            continue
        if status.st_ino != written.ino or status.st_size != written.size:
            continue  # not the file this build wrote: never trust it
        files[rel] = [written.digest, status.st_size, status.st_mtime_ns, status.st_ino, status.st_dev, status.st_ctime_ns]
    path = record_path(cache_dir, out_dir)
    data = {"format": FORMAT, "out": os.path.abspath(out_dir), "files": files, "keys": dict(sorted(record.keys.items()))}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        partial.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        pass


_LIBRARIES = ("jinja2", "markupsafe", "markdown-it-py")
"""The third-party packages whose behaviour shapes the pages and open data besides the meetings."""


def code_version() -> str:
    """A digest of this package's source and the versions of the libraries that shape its output.

    Any change to the code makes every meeting key new: a record written by another version of
    `minutes` never lets an old page stand.
    """
    return code_digest(_LIBRARIES)


def theme_digest(templates_dir: Path) -> str:
    """A digest of every template and static file the site is rendered with, the site's and the default theme's."""
    digest = hashlib.blake2b(digest_size=16)
    for number, folder in enumerate(theme_dirs(templates_dir)):
        for source in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(f"{number}:{source.relative_to(folder).as_posix()}\0".encode() + source.read_bytes() + b"\0")
    return digest.hexdigest()


def site_key(code: str, theme: str, config: SiteConfig, urls: SiteUrls) -> bytes:
    """What every meeting's own files depend on besides the meeting and its body."""
    return pickle.dumps((FORMAT, code, theme, config, urls), protocol=5)


def meeting_key(site: bytes, body: Body, meeting: Meeting) -> str:
    """A digest of every input of a meeting's page and open data: the site's key, its body's fields, the meeting.

    The meeting page shows nothing of other meetings (no previous/next links, no list of
    bodies) and links speakers by their own name: the meeting itself, its body and the
    site-wide settings decide its bytes.
    """
    digest = hashlib.blake2b(site, digest_size=20)
    digest.update(_value_bytes(body_fields(body)))
    # The content memo's key stands for the meeting's whole value, and costs nothing to hash
    # (pickling every meeting of a large archive took a tenth of a warm build).
    digest.update(b"read:" + meeting.read_key.encode() if meeting.read_key else b"value:" + _value_bytes(meeting))
    return digest.hexdigest()


def _value_bytes(value: object) -> bytes:
    """`value` pickled by value alone: the same bytes for equal values, however their objects are shared.

    A pickle's memo writes a second reference to one object as a back-reference, so a meeting
    read from the content memo (content_cache.py), whose strings are shared differently from a
    freshly parsed one, would pickle to other bytes and every page would be rendered again.
    Fast mode keeps no memo; the values here hold no cycles.
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(value)
    return buffer.getvalue()


def body_fields(body: Body) -> tuple:
    """A body's own settings (title, description, …), without its meetings."""
    return tuple((f.name, getattr(body, f.name)) for f in fields(body) if f.name != "meetings")


def derived_key(site: bytes, *parts: object) -> str:
    """A digest of the inputs of a page made from several meetings: the site's key and `parts`.

    `parts` hold the `meeting_key`s of every meeting the page shows, and whatever else it
    reads (its template's name, a body's settings, a speaker's name).
    """
    digest = hashlib.blake2b(site, digest_size=20)
    digest.update(_value_bytes(parts))
    return digest.hexdigest()
