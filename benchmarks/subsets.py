"""Subsets of a content folder for the growth benchmark: the first N meetings of a fixed mixed order.

The order sorts every meeting file by a hash of its path below the content folder
(`tokyo-bank/2009-09-25.md`), so it is the same on every run and machine, mixes the bodies (the
Diet's one-meeting bodies, the Tokyo committees, 安平町 and 目黒区) in about their share of the
whole, and makes each subset contain the smaller ones: 100 ⊂ 200 ⊂ 400 ⊂ 600. A subset is
written as a content folder of its own, `benchmarks/out/subset-<N>-content/`: the site's
`_index.md`, the `_index.md` of every body with a meeting in it, and those meetings.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from benchmarks.corpus import OUT, ContentSet
from benchmarks.scratch import retire

INDEX = "_index.md"


def meeting_files(content: Path) -> list[str]:
    """The meeting files of a content folder, as paths relative to it (`body/date.md`), sorted."""
    return sorted(
        path.relative_to(content).as_posix()
        for path in content.glob("*/*.md")
        if path.name != INDEX and not path.parent.name.startswith(".")
    )


def mixed_order(meetings: list[str]) -> list[str]:
    """`meetings` (relative paths) in the benchmark's fixed order: by a hash of the path."""
    return sorted(meetings, key=lambda name: (hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), name))


def choose(meetings: list[str], size: int) -> list[str]:
    """The first `size` meetings of the fixed order (all of them when there are fewer)."""
    return mixed_order(meetings)[:size]


def write_subset(content: Path, size: int, out: Path = OUT) -> ContentSet:
    """Write the subset of `size` meetings of `content` into `out/subset-<size>-content/` (replacing it)."""
    chosen = choose(meeting_files(content), size)
    folder = out / f"subset-{size}-content"
    retire(folder)
    folder.mkdir(parents=True)
    shutil.copyfile(content / INDEX, folder / INDEX)
    for name in chosen:
        body = name.split("/", 1)[0]
        (folder / body).mkdir(exist_ok=True)
        if (content / body / INDEX).is_file() and not (folder / body / INDEX).exists():
            shutil.copyfile(content / body / INDEX, folder / body / INDEX)
        shutil.copyfile(content / name, folder / name)
    return ContentSet(f"{len(chosen)} meetings", folder)
