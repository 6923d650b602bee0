"""The search index as the site serves it: many small files, so that a query fetches only what it needs.

One lunr index over a large archive is about seven times its text (600 meetings: 89 MB), and
lunr.js would load all of it before the first answer. Here the index built once for the whole
archive (global idf and BM25 weights, index.py) is cut into numbered files of four kinds:

- `manifest.json`: what every query needs, small: the build's `version`, the meetings (title,
  date, body, URL, agenda items, their speakers' names and who said each utterance), and where
  the other files start: the first character of each lexicon file, the first term of each
  shard, the number of utterances in each text file.
- `lexicon/N.json`: the vocabulary, by first character: `{"terms": [...], "words": {key: [...]}}`.
  `terms` are the index terms that start with one of the file's characters, in UTF-16 order;
  `words` maps a term or a reading (めぐろ) to the index terms it stands for, where that is not the
  term itself (こども → [子供], 大震災 → [大, 震災], めぐろ → [目黒]). Segmenting a query needs the
  files of its characters only.
- `shards/N.json`: a loadable lunr.js index (`lunr.Index.load`) of a range of consecutive terms
  in UTF-16 order: their postings with the global `_index` and their metadata (`p`, the places,
  and `g`, the punctuation before them: analysis.posting_entries), and each document's field-vector
  components for those terms only. A document's score is its dot product with the query vector
  divided by the query's magnitude, and the dot product only touches the query's terms, so scores
  from several shards recombine exactly: score = Σ score_s·|q_s| / √Σ|q_s|².
- `text/N.json`: `[[item, text], …]` for consecutive refs: what a hit shows, fetched only for
  the hits on screen.

The browser asks for every file but the manifest with the version (a hash of them all), so it
never mixes files of two builds. Sizes are chosen by measurement (docs/search.md).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ..forking import ForkedCall, can_fork
from .analysis import available_cores
from .index import FIELD, DocumentEntry, SearchIndex, utf16_order
from .lexicon import word_map
from .lunr_writer import LUNR_VERSION, LunrParts

T = TypeVar("T")

MANIFEST_FILE = "manifest.json"
LEXICON_DIR = "lexicon"
SHARDS_DIR = "shards"
TEXT_DIR = "text"
FORMAT_VERSION = 1
MEETING_KEYS = ("title", "date", "body", "body_slug", "fiscal_year", "url", "items")
"""The keys of a meeting in the manifest that are MeetingEntry's fields; `speakers` and `said` are the rest."""


@dataclass(frozen=True)
class ShardSizes:
    """Target sizes in bytes of uncompressed JSON: a file is closed once it reaches its target.

    A single term's postings or a single first character's words are never split, so a file can
    be larger than its target.
    """

    lexicon: int = 8_000
    shard: int = 32_000
    text: int = 8_000


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


# Postings and field vectors are most of the bytes: written in their own order (documents and
# terms are added in a fixed order, so the bytes stay the same build after build), without
# sorting millions of keys or checking for cycles.
_INDEX_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def _index_json(value: object) -> bytes:
    return _INDEX_JSON.encode(value).encode("utf-8")


def _posting_json(posting: dict) -> bytes:
    """A posting as lunr.js reads it: its documents' entries are JSON text already (analysis.posting_entries)."""
    return f'{{"_index":{posting["_index"]},"{FIELD}":{{{",".join(posting[FIELD])}}}}}'.encode()


def _posting_size(posting: dict) -> int:
    """`len(_posting_json(posting))`, counted without writing it: the entries are ASCII."""
    documents = posting[FIELD]
    entries = sum(map(len, documents)) + len(documents) - 1
    return len('{"_index":,"":{}}') + len(FIELD) + len(str(posting["_index"])) + entries


def _runs(items: Iterable[tuple[T, int]], target: int) -> Iterator[list[T]]:
    """`items` ((item, size in bytes) in order) cut into consecutive runs of about `target` bytes.

    A run is closed once it reaches its target, so one large item makes a run of its own.
    """
    run: list[T] = []
    size = 0
    for item, item_size in items:
        run.append(item)
        size += item_size
        if size >= target:
            yield run
            run, size = [], 0
    if run:
        yield run


class _Files:
    """The files of the search folder as they are made: each is handed to `save(relative path, bytes)`.

    Each folder's files are numbered in the order they are added; the version hashes them all.
    """

    def __init__(self, save: Callable[[str, bytes], None]) -> None:
        self._save = save
        self._counts: dict[str, int] = {}
        self._digest = hashlib.blake2b(digest_size=8)

    def add(self, folder: str, value: object) -> None:
        """Add the next file of `folder`: `<folder>/0.json`, `<folder>/1.json`, …"""
        self.add_bytes(folder, _json(value))

    def add_bytes(self, folder: str, data: bytes) -> None:
        """Add the next file of `folder`, already serialized."""
        name = self._next_name(folder)
        self._digest.update(name.encode() + b"\0" + _digest(data))
        self._save(name, data)

    def add_written(self, folder: str, digests: list[bytes]) -> None:
        """Count in the next files of `folder`, written elsewhere (by `_write_shards`), by their `_digest`."""
        for digest in digests:
            self._digest.update(self._next_name(folder).encode() + b"\0" + digest)

    def _next_name(self, folder: str) -> str:
        number = self._counts.get(folder, 0)
        self._counts[folder] = number + 1
        return _file_name(folder, number)

    def version(self) -> str:
        """A hash of every file added: a build of different content gets a new version."""
        return self._digest.hexdigest()


def _file_name(folder: str, number: int) -> str:
    return f"{folder}/{number}.json"


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _longest(index: SearchIndex) -> int:
    terms = (term for term, _ in index.parts.inverted)
    return max((len(word) for word in (*terms, *index.readings)), default=0)


def _meetings(index: SearchIndex) -> list[dict]:
    """The meetings, each with its speakers' names and, per utterance, the position of its speaker's.

    Documents come in meeting order and are numbered 1, 2, … within their meeting, so the lengths
    of `said` tell a ref's meeting and number.
    """
    said: list[list[int]] = [[] for _ in index.meetings]
    speakers: list[dict[str, int]] = [{} for _ in index.meetings]
    who: list[dict[str, str | None]] = [{} for _ in index.meetings]
    for doc in index.documents:
        names = speakers[doc.meeting]
        said[doc.meeting].append(names.setdefault(doc.speaker, len(names)))
        who[doc.meeting].setdefault(doc.speaker, doc.who)
    return [
        {
            **{key: getattr(meeting, key) for key in MEETING_KEYS},
            "speakers": list(speakers[position]), "said": said[position],
            # The speaker filter's keys, only for meetings with a named speaker: a few bytes of the
            # manifest every query loads (null: the label stands for the speaker).
            **({"who": list(who[position].values())} if any(who[position].values()) else {}),
        }  # fmt: skip
        for position, meeting in enumerate(index.meetings)
    ]


def _lexicon_files(index: SearchIndex, target: int, out: _Files) -> list[str]:
    """Add the lexicon files; returns the first character of each, in UTF-16 order."""
    terms = [term for term, _ in index.parts.inverted]
    words = word_map(set(terms), index.normalized, index.units, index.readings)
    by_char: dict[str, tuple[list[str], dict[str, list[str]]]] = {}
    for term in terms:
        by_char.setdefault(term[0], ([], {}))[0].append(term)
    for key, found in words.items():
        by_char.setdefault(key[0], ([], {}))[1][key] = found
    chars = sorted(by_char, key=utf16_order)
    table = []
    for run in _runs(((char, len(_json(by_char[char]))) for char in chars), target):
        content = {"terms": [], "words": {}}
        for char in run:
            char_terms, char_words = by_char[char]
            content["terms"].extend(char_terms)
            content["words"].update(char_words)
        out.add(LEXICON_DIR, content)
        table.append(run[0])
    return table


def _plan_shards(index: SearchIndex, target: int) -> tuple[list[list[tuple[str, dict]]], list[int]]:
    """The shards: runs of consecutive terms (term, posting), each about `target` bytes of postings; and their sizes."""
    sized = (((term, posting), _posting_size(posting)) for term, posting in index.parts.inverted)
    runs = list(_runs(((item, item[1]) for item in sized), target))
    return [[entry for entry, _ in run] for run in runs], [sum(size for _, size in run) for run in runs]


def _shard(terms: list[tuple[str, dict]], parts: LunrParts) -> bytes:
    """One loadable lunr index: the postings of `terms` and their components of the field vectors.

    Written from each posting's bytes, the top-level keys sorted as `_json` writes them.
    """
    vectors: dict[int, list[float]] = defaultdict(list)
    # Terms in index order: each document's components come out ordered, as lunr.Vector keeps them.
    for index in sorted(posting["_index"] for _, posting in terms):
        for ref, weight in zip(*parts.weights(index)):
            vectors[ref] += (index, weight)
    field_vectors = [[f"{FIELD}/{ref}", vectors[ref]] for ref in sorted(vectors)]
    inverted = b",".join(b"[" + _json(term) + b"," + _posting_json(posting) + b"]" for term, posting in terms)
    return b"".join((
        b'{"fieldVectors":', _index_json(field_vectors), b',"fields":', _json([FIELD]),
        b',"invertedIndex":[', inverted, b'],"pipeline":[],"version":', _json(LUNR_VERSION), b"}",
    ))  # fmt: skip


def _write_shards(folder: Path, shards: list[list[tuple[str, dict]]], first: int, parts: LunrParts) -> list[bytes]:
    """Write `shards` as `shards/<first>.json`, … into `folder`; returns their `_digest`s (in a helper process)."""
    digests = []
    save = _save_into(folder)
    for number, shard in enumerate(shards, first):
        data = _shard(shard, parts)
        digests.append(_digest(data))
        save(_file_name(SHARDS_DIR, number), data)
    return digests


def _text_files(documents: list[DocumentEntry], target: int, out: _Files) -> list[int]:
    """Add the text files; returns how many documents each holds (small numbers pack well)."""
    sized = ((ref, len(doc.text.encode("utf-8")) + 8) for ref, doc in enumerate(documents))
    table = []
    for run in _runs(sized, target):
        out.add(TEXT_DIR, [[documents[ref].item, documents[ref].text] for ref in run])
        table.append(len(run))
    return table


def write_search_files(index: SearchIndex, folder: Path, sizes: ShardSizes = ShardSizes(), jobs: int | None = None) -> int:
    """Write the search files of `index` into `folder` (the site's `search/`), creating it.

    With `jobs` 2 or more, or by default for a large index on a machine of several cores, a
    forked helper process (forking.py) writes the second half of the shards while this one
    writes the rest; the files are the same either way. Returns the helper's own memory in bytes
    (0 without a helper).
    """
    for subfolder in (LEXICON_DIR, SHARDS_DIR, TEXT_DIR):
        (folder / subfolder).mkdir(parents=True, exist_ok=True)
    shards, shard_sizes = _plan_shards(index, sizes.shard)
    split = _helper_split(shard_sizes, jobs)
    helper = ForkedCall(_write_shards, folder, shards[split:], split, index.parts) if split < len(shards) else None
    try:
        save = _save_into(folder)
        out = _Files(save)
        manifest = {
            "format": FORMAT_VERSION,
            "documents": len(index.documents),
            "meetings": _meetings(index),
            "lexicon": _lexicon_files(index, sizes.lexicon, out),
            "shards": [shard[0][0] for shard in shards],
        }
        manifest["texts"] = _text_files(index.documents, sizes.text, out)
        for shard in shards[:split]:
            out.add_bytes(SHARDS_DIR, _shard(shard, index.parts))
        if helper is not None:
            out.add_written(SHARDS_DIR, helper.result())
        manifest["longest"] = _longest(index)
        manifest["version"] = out.version()
        save(MANIFEST_FILE, _json(manifest))
    except BaseException:
        if helper is not None:
            helper.cancel()
        raise
    return helper.private_memory if helper is not None else 0


HELPER_MIN_BYTES = 4_000_000
"""Below this many bytes of postings, forking a helper costs more than it saves."""
HELPER_SHARE = 0.55
"""The helper's share of the shard bytes: this process also writes the lexicon and text files."""


def _helper_split(sizes: list[int], jobs: int | None) -> int:
    """How many of the shards (of `sizes` bytes) this process writes: all, or the first part when a helper writes the rest."""
    if (jobs is not None and jobs < 2) or not can_fork():
        return len(sizes)
    if jobs is None and (available_cores() < 2 or sum(sizes) < HELPER_MIN_BYTES):
        return len(sizes)
    mine = sum(sizes) * (1 - HELPER_SHARE)
    written = 0
    for number, size in enumerate(sizes):
        if written >= mine:
            return number
        written += size
    return len(sizes)


def _save_into(folder: Path) -> Callable[[str, bytes], None]:
    """`save(relative path, bytes)` into `folder`.

    Each file is written as soon as it is made: a writer thread would wait for the interpreter
    lock behind the thread that makes the files, and fall seconds behind on a large archive.
    """

    def save(name: str, data: bytes) -> None:
        (folder / name).write_bytes(data)

    return save
