"""Reading the search files of a built site with their shape checked: a damaged file is named, never a traceback.

The files come from a folder anyone can edit, copy half-way or fill with another version's
output. Each file is checked, as it is read, against the shape `shards.py` writes, and the
manifest against the number of utterances the other files hold; anything else is a
`DamagedIndexError` naming the file, which `minutes search` reports with the advice to rebuild.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from ..i18n import _
from .lunr_writer import LENGTH, POSITIONS
from .shards import FORMAT_VERSION, MEETING_KEYS

_MEETING_TYPES: dict[str, type] = {
    "title": str, "date": str, "body": str, "body_slug": str, "fiscal_year": int, "url": str, "items": list, "id": str,
}  # fmt: skip
assert tuple(_MEETING_TYPES) == MEETING_KEYS, "_MEETING_TYPES must follow MEETING_KEYS"


class DamagedIndexError(Exception):
    """A file of the search folder that is missing, unreadable, or not what a build of this version writes."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name = name
        """The file's path inside the search folder (`manifest.json`, `shards/3.json`)."""
        self.reason = reason


def reader(folder: Path) -> Callable[[str], object]:
    """`load(name)`: the parsed JSON of a file of the search folder; DamagedIndexError when it cannot be read."""

    def load(name: str) -> object:
        try:
            data = (folder / name).read_bytes()
        except FileNotFoundError:
            raise DamagedIndexError(name, _("the file is missing")) from None
        except OSError as exc:
            raise DamagedIndexError(name, _("cannot read it ({problem})").format(problem=exc.strerror or exc)) from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise DamagedIndexError(name, _("not UTF-8 text")) from None
        try:
            return json.loads(text)
        # ValueError: not JSON, or a number beyond Python's digit limit; RecursionError: nesting.
        except (ValueError, RecursionError):
            raise DamagedIndexError(name, _("not valid JSON")) from None

    return load


def _is_int(value: object) -> bool:
    # bool is an int to Python, never to the files.
    return isinstance(value, int) and not isinstance(value, bool)


def _all(values: object, test: Callable[[object], bool]) -> bool:
    return isinstance(values, list) and all(map(test, values))


def _str_list(value: object) -> bool:
    return _all(value, lambda item: isinstance(item, str))


def check_manifest(manifest: object, name: str) -> dict:
    """`manifest` when it is a manifest of this version (see shards.py); else DamagedIndexError."""
    if not isinstance(manifest, dict):
        raise DamagedIndexError(name, _("not a search manifest"))
    found = manifest.get("format")
    if found != FORMAT_VERSION or not _is_int(found):
        raise DamagedIndexError(
            name,
            _("format {found} is not the format this version reads ({version})").format(
                found=json.dumps(found, ensure_ascii=False)[:40], version=FORMAT_VERSION
            ),
        )
    problems = [
        key
        for key, valid in (
            ("documents", _is_int(manifest.get("documents")) and manifest["documents"] >= 0),
            ("length", _is_int(manifest.get("length")) and manifest["length"] >= 0),
            ("meetings", _all(manifest.get("meetings"), _is_meeting)),
            ("lexicon", _str_list(manifest.get("lexicon"))),
            ("lexicon_files", _names(manifest.get("lexicon_files"), manifest.get("lexicon"))),
            ("longest", _is_int(manifest.get("longest")) and manifest["longest"] >= 0),
        )
        if not valid
    ]
    if problems:
        raise DamagedIndexError(name, _("'{key}' is missing or not what a build writes").format(key=problems[0]))
    said = sum(sum(meeting["texts"]) for meeting in manifest["meetings"])
    if said != manifest["documents"] or len({meeting["id"] for meeting in manifest["meetings"]}) < len(manifest["meetings"]):
        raise DamagedIndexError(name, _("its counts of utterances do not agree"))
    return manifest


def _is_name(name: object) -> bool:
    """A file or meeting name as chunking.unique_names makes it: never a path."""
    return isinstance(name, str) and 0 < len(name) <= 64 and name.isascii() and all(c.isalnum() or c == "-" for c in name)


def _names(names: object, firsts: object) -> bool:
    return _all(names, _is_name) and isinstance(firsts, list) and len(names) == len(firsts)  # type: ignore[arg-type]


def _is_meeting(meeting: object) -> bool:
    if not isinstance(meeting, dict):
        return False
    if not all(_is_int(meeting.get(key)) if kind is int else isinstance(meeting.get(key), kind) for key, kind in _MEETING_TYPES.items()):
        return False
    if not _str_list(meeting["items"]) or not _is_name(meeting["id"]):
        return False
    return _all(meeting.get("texts"), lambda count: _is_int(count) and count > 0)


def check_lexicon(lexicon: object, name: str) -> tuple[list[str], dict[str, list[str]], list[tuple[str, str]]]:
    """The terms, the word map and the shards ((a term the shard holds, its name)) of a lexicon file; DamagedIndexError when it is not one."""
    if isinstance(lexicon, dict) and _str_list(lexicon.get("terms")):
        terms, words, shards = lexicon["terms"], lexicon.get("words"), lexicon.get("shards")
        if isinstance(words, dict) and all(map(_str_list, words.values())) and _all(shards, lambda entry: _is_shard_start(entry, len(terms))):
            return terms, words, [(terms[position], file) for position, file in shards]
    raise DamagedIndexError(name, _("not a lexicon file"))


def _is_shard_start(entry: object, terms: int) -> bool:
    return isinstance(entry, list) and len(entry) == 2 and _is_int(entry[0]) and 0 <= entry[0] < terms and _is_name(entry[1])


def check_texts(texts: object, name: str, count: int, items: Callable[[int], int]) -> list[list]:
    """The `count` [item, text, speaker, who] entries of a text file; `items(k)` is how many agenda items the k-th one's meeting has."""
    if isinstance(texts, list) and len(texts) == count:
        for position, entry in enumerate(texts):
            if not (isinstance(entry, list) and len(entry) == 4 and all(isinstance(value, str) for value in entry[1:3])):
                break
            if entry[3] is not None and not isinstance(entry[3], str):
                break
            item = entry[0]
            if item is not None and not (_is_int(item) and 0 <= item < items(position)):
                break
        else:
            return texts
    raise DamagedIndexError(name, _("not the text file the manifest describes"))


def check_speakers(said: object, name: str, meetings: list[dict]) -> list[dict]:
    """speakers.json: per meeting of the manifest's `meetings`, its speakers' labels, who said each utterance, their keys."""

    def valid(entry: object, meeting: dict) -> bool:
        if not (isinstance(entry, dict) and _str_list(entry.get("speakers"))):
            return False
        speakers = entry["speakers"]
        if "who" in entry and not (_all(entry["who"], lambda key: key is None or isinstance(key, str)) and len(entry["who"]) == len(speakers)):
            return False
        positions = entry.get("said")
        return _all(positions, lambda position: _is_int(position) and 0 <= position < len(speakers)) and len(positions) == sum(meeting["texts"])  # type: ignore[arg-type]

    if isinstance(said, list) and len(said) == len(meetings) and all(map(valid, said, meetings)):
        return said
    raise DamagedIndexError(name, _("not the speakers file the manifest describes"))


def check_shard(shard: object, name: str, refs: dict[str, int]) -> list[list]:
    """A shard ([[term, {key: metadata}], …]) shaped as shards.py writes it, naming only utterances of `refs` (key → ref)."""
    if _all(shard, lambda entry: _is_posting(entry, refs)):
        return shard  # type: ignore[return-value]
    raise DamagedIndexError(name, _("not a shard of this index"))


def _is_posting(entry: object, refs: dict[str, int]) -> bool:
    if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str) and isinstance(entry[1], dict)):
        return False
    for key, metadata in entry[1].items():
        if not (key in refs and isinstance(metadata, dict)):
            return False
        flat = metadata.get(POSITIONS)
        if not (_all(flat, _is_int) and len(flat) % 2 == 0 and flat and _is_int(metadata.get(LENGTH)) and metadata[LENGTH] > 0):
            return False
    return True
