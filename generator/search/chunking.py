"""Where the search files are cut and what they are named: from content alone, never from positions.

A build after one meeting was added must rewrite only the files that meeting touches. Cutting a
sorted list "once a file reaches its target size" would shift every later boundary when one
item grows; numbering files or documents in archive order would rename every later one when a
meeting sorts early. Here:

- a boundary falls before an item when the item itself says so (`content_runs`): its hash,
  compared with its own size over the target size, so big items start files more often and a
  file holds about the target size on average; an item at least as big as the target also ends
  its file. An item that grows or a new item moves at most the boundaries around it.
- names are the start of a hash of what the file or document stands for (`unique_names`), as
  short as keeps them apart.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_SCALE = 2.0**64


@functools.cache  # a process that writes index after index (the serve worker) hashes the same terms each time
def _hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")


def _base36(number: int) -> str:
    digits = []
    while number:
        number, digit = divmod(number, 36)
        digits.append(_DIGITS[digit])
    return "".join(reversed(digits)).rjust(13, "0")


def unique_names(keys: Iterable[str], length: int) -> dict[str, str]:
    """key → a short name made from the key's hash: its first `length` base-36 digits, more where two keys share them.

    A key's name changes only when another key's hash starts the same way (for 4 digits and a
    thousand keys, one new key in about 1,700).
    """
    full = {key: _base36(_hash(key)) for key in keys}
    names: dict[str, str] = {}
    by_prefix: dict[str, list[str]] = {}
    for key, digits in full.items():
        by_prefix.setdefault(digits[:length], []).append(key)
    for prefix, sharing in by_prefix.items():
        if len(sharing) == 1:
            names[sharing[0]] = prefix
            continue
        size = length
        while len({full[key][:size] for key in sharing}) < len(sharing) and size < len(full[sharing[0]]):
            size += 1
        for key in sharing:
            names[key] = full[key][:size]
    if len(set(names.values())) < len(names):  # two keys with one 64-bit hash: name them by the key itself
        names = {key: f"{name}-{hashlib.blake2b(key.encode(), digest_size=16).hexdigest()}" for key, name in names.items()}
    return names


def content_runs(items: Iterable[tuple[T, str, int]], target: int) -> Iterator[list[T]]:
    """`items` ((item, key, size in bytes), in order) cut into runs of about `target` bytes on average.

    A run starts at an item whose key hashes below its size over the target (every item as big
    as the target does), or after an item as big as the target; the first item starts the first
    run. Whether a boundary falls at an item depends on that item and the one before it only.
    """
    run: list[T] = []
    previous_size = 0
    for item, key, size in items:
        if run and (previous_size >= target or _hash(key) < size / target * _SCALE):
            yield run
            run = []
        run.append(item)
        previous_size = size
    if run:
        yield run
