"""The search index as the site serves it: many small files, so that a query fetches only what it needs.

One lunr index over a large archive is about seven times its text (600 meetings: 89 MB), and
lunr.js would load all of it before the first answer. Here the index built for the whole archive
(index.py) is cut into files of four kinds:

- `manifest.json`: what every query needs, small: the build's `version`, the number of
  utterances and their total BM25 field length, the meetings (title, date, body, URL, agenda
  items, id, how many utterances each of its text files holds), and the first character and the
  name of each lexicon file.
- `lexicon/<name>.json`: the vocabulary, by first character: `{"terms": [...], "words": {key: [...]},
  "shards": [[position, name], ...]}`. `terms` are the index terms that start with one of the
  file's characters, in UTF-16 order; `shards` the shard that holds the first of them and each
  shard that starts among them, by the position of its first term there (the manifest would
  otherwise carry every shard's first term and name, on every query);
  `words` maps a term or a reading (めぐろ) to the index terms it stands for, where that is not the
  term itself (こども → [子供], 大震災 → [大, 震災], めぐろ → [目黒]). Segmenting a query needs the
  files of its characters only.
- `shards/<name>.json`: `[[term, {key: metadata, …}], …]`, a range of consecutive terms in UTF-16
  order with their whole postings: each utterance that holds the term, by its key
  `<meeting id>.<number>` (index.py), with lunr's metadata (`p`, the places, and `g`, the
  punctuation before them) and `l`, the utterance's length (analysis.posting_entries). No BM25
  weight is stored: a weight depends on the number of utterances, their average length and the
  term's document frequency, which every new meeting changes. The reader computes them
  (lunr_writer.idf, length_norm, weight; in the browser search-engine.js) from the manifest and
  the posting, and builds the lunr.js index of the shard from them, so scores are lunr's. The
  lengths ride in the postings, not the manifest: a query reads a few postings, and every
  utterance's length would be most of the manifest's bytes. A document's score is its dot product with the
  query vector divided by the query's magnitude, and the dot product only touches the query's
  terms, so scores from several shards recombine exactly: score = Σ score_s·|q_s| / √Σ|q_s|².
- `text/<meeting id>-<k>.json`: `[[item, text, speaker, who], …]` for consecutive utterances of
  one meeting: what a hit shows (`who` is the named speaker's key, or null where the label stands
  for the speaker), fetched only for the hits on screen.
- `speakers.json`: per meeting, in manifest order, `{"speakers": [...], "said": [...], "who":
  [...]}`: its speakers' labels, per utterance the position of its speaker's, and (for meetings
  with a named speaker) their keys. Only the speaker filter needs every hit's speaker: the page
  fetches this when a query has that filter or the reader turns to it, so a plain query does
  not pay for it (it was 60 % of the manifest's bytes, which every query fetches).

Lexicon files and shards are cut and named from their content only (chunking.py), text files
are numbered within their meeting, so a new meeting changes its own text files, the shards and
lexicon files of its terms (a boundary next to a changed term can move), and the manifest. The
browser asks for every file but the manifest with the version (a hash of them all), so it never
mixes files of two builds. Sizes are chosen by measurement (docs/search.md).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast

from ..forking import ForkedCall, can_fork
from ..output import OutputTree, in_tree_copy
from .analysis import available_cores
from .chunking import content_runs, unique_names
from .incremental import IndexState, shard_key
from .index import DocumentEntry, SearchIndex, utf16_order
from .lexicon import word_map

T = TypeVar("T")

MANIFEST_FILE = "manifest.json"
LEXICON_DIR = "lexicon"
SHARDS_DIR = "shards"
TEXT_DIR = "text"
SPEAKERS_FILE = "speakers.json"
FORMAT_VERSION = 3
MEETING_KEYS = ("title", "date", "body", "body_slug", "fiscal_year", "url", "items", "id")
"""The keys of a meeting in the manifest that are MeetingEntry's fields; `texts` is the other."""
NAME_DIGITS = 4
"""Base-36 digits of a lexicon or shard file's name (more where two names would meet)."""


@dataclass(frozen=True)
class ShardSizes:
    """Target sizes in bytes of uncompressed JSON: files hold about this much on average.

    A single term's postings, a single first character's words or a single speech is never
    split, so a file can be larger than its target; text files are closed once they reach it.
    """

    lexicon: int = 4_000
    shard: int = 16_000
    text: int = 4_000


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


_ESCAPED = re.compile(r'["\\\x00-\x1f\ud800-\udfff]')
"""What `_json` writes other than as itself: quotes, backslashes, control characters (and a lone surrogate, which cannot be encoded)."""


def _json_size(terms: list[str], words: dict[str, list[str]]) -> int:
    """`len(_json((terms, words)))`, counted without making the JSON (a lexicon's every character is sized, on every build).

    Strings `_json` writes as they are take their UTF-8 length and two quotes; the rest is
    brackets, colons and commas. Where a string holds something written otherwise, the JSON is made.
    """
    joined_terms = ",".join(terms)
    keys = ",".join(words)
    values = ",".join([",".join(found) for found in words.values()])
    if _ESCAPED.search(joined_terms) or _ESCAPED.search(keys) or _ESCAPED.search(values):
        return len(_json((terms, words)))
    # [terms,words]: a list of n strings is 2 + its strings' joined length + 2n quotes; a dict of
    # m entries (each "key":[values]) is 2 + its keys' and values' joined lengths + 5m for the
    # quotes, colon and brackets + 2 quotes per value, less the m - 1 commas the joins counted
    # once too many.
    words_size = 2
    if words:
        words_size += len(keys.encode()) + len(values.encode()) + 4 * len(words) + 1 + 2 * sum(map(len, words.values()))
    return 3 + 2 + len(joined_terms.encode()) + 2 * len(terms) + words_size


def _posting_json(term: str, entries: str) -> bytes:
    """A term and its posting as a shard holds it: its documents' entries are JSON text already (analysis.posting_entries)."""
    return b"[" + _json(term) + b",{" + entries.encode() + b"}]"


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


@dataclass
class FilesMemo:
    """What the search files of a process's last `write_search_files` were made from, for its next call.

    A long-lived process (the `minutes serve` search worker) writes index after index from data
    it keeps: a shard or text file made from the very same postings or speeches as last time has
    the same bytes, so it is linked from the last output instead of being serialized again.
    """

    sources: dict[str, tuple[object, str]] = field(default_factory=dict)
    """Relative path → (what the file was made from, its content digest)."""


class _Files:
    """The files of the search folder as they are made: each is handed to `save(relative path, bytes)`, which returns its digest.

    The version hashes every file's path and content, in the order they are added. With a
    `memo`, a file made from what the memo holds for it is handed to `reuse(relative path)`
    first with the digest it had, and made only if that fails.
    """

    def __init__(self, save: Callable[[str, bytes], str], reuse: Callable[[str, str], bool] | None = None, memo: FilesMemo | None = None) -> None:
        self._save = save
        self._reuse = reuse
        self._digest = hashlib.blake2b(digest_size=8)
        self._memo = memo
        self._sources: dict[str, tuple[object, str]] = {}

    def add_from(self, folder: str, name: str, source: object, make: Callable[[], bytes]) -> str:
        """Add `<folder>/<name>.json`, made by `make()` from `source` (compared with the memo's); returns its digest."""
        digest = self.make_from(folder, name, source, make)
        self._digest.update(_file_name(folder, name).encode() + b"\0" + digest.encode())
        return digest

    def add_known(self, folder: str, name: str, digest: str, make: Callable[[], bytes]) -> None:
        """Add `<folder>/<name>.json`, known to have `digest` as its content digest: linked from the last output, or made by `make()` if that fails."""
        path = _file_name(folder, name)
        if self._reuse is None or not self._reuse(path, digest):
            digest = self._save(path, make())
        self._digest.update(path.encode() + b"\0" + digest.encode())

    def make_from(self, folder: str, name: str, source: object, make: Callable[[], bytes]) -> str:
        """Write `<folder>/<name>.json` as `add_from` does, but leave it to `add_written` to count it in; returns its digest."""
        path = _file_name(folder, name)
        known = self._memo.sources.get(path) if self._memo is not None else None
        if known is not None and self._reuse is not None and known[0] == source and self._reuse(path, known[1]):
            digest = known[1]
        else:
            digest = self._save(path, make())
        if self._memo is not None:
            self._sources[path] = (source, digest)
        return digest

    def close_memo(self) -> None:
        """Hand what this call made to the memo, for the next."""
        if self._memo is not None:
            self._memo.sources = self._sources

    def add(self, folder: str, name: str, value: object) -> None:
        """Add `<folder>/<name>.json`."""
        self.add_file(_file_name(folder, name), value)

    def add_file(self, path: str, value: object) -> None:
        """Add the file `path` (relative to the search folder)."""
        self._digest.update(path.encode() + b"\0" + self._save(path, _json(value)).encode())

    def add_written(self, folder: str, names: list[str], digests: list[str]) -> None:
        """Count in files of `folder` written apart (`make_from`, `_write_shards`, linked), by their content digests."""
        for name, digest in zip(names, digests):
            self._digest.update(_file_name(folder, name).encode() + b"\0" + digest.encode())

    def version(self) -> str:
        """A hash of every file added: a build of different content gets a new version."""
        return self._digest.hexdigest()


def _file_name(folder: str, name: str) -> str:
    return f"{folder}/{name}.json"


def _longest(index: SearchIndex) -> int:
    terms = (term for term, _, _ in index.postings)
    return max((len(word) for word in (*terms, *index.readings)), default=0)


def _meetings(index: SearchIndex, texts: list[list[int]]) -> list[dict]:
    """The meetings as the manifest lists them, each with its text files' sizes.

    Documents come in meeting order and are numbered 1, 2, … within their meeting, so the sums
    of `texts` tell a ref's meeting and number.
    """
    return [{**{key: getattr(meeting, key) for key in MEETING_KEYS}, "texts": counts} for meeting, counts in zip(index.meetings, texts)]


def _speakers(index: SearchIndex) -> list[dict]:
    """Per meeting: its speakers' labels, per utterance the position of its speaker's, and their keys where one is named."""
    said: list[list[int]] = [[] for _ in index.meetings]
    speakers: list[dict[str, int]] = [{} for _ in index.meetings]
    who: list[dict[str, str | None]] = [{} for _ in index.meetings]
    for doc in index.documents:
        names = speakers[doc.meeting]
        said[doc.meeting].append(names.setdefault(doc.speaker, len(names)))
        who[doc.meeting].setdefault(doc.speaker, doc.who)
    return [
        {
            "speakers": list(speakers[position]), "said": said[position],
            # The speaker filter's keys, only for meetings with a named speaker (null: the label
            # stands for the speaker).
            **({"who": list(who[position].values())} if any(who[position].values()) else {}),
        }  # fmt: skip
        for position in range(len(index.meetings))
    ]


def _lexicon_files(index: SearchIndex, target: int, shards: list[tuple[str, str]], out: _Files) -> tuple[list[str], list[str]]:
    """Add the lexicon files, with where `shards` ((first term, name), in order) start; returns the first character of each, in UTF-16 order, and their names."""
    terms = [term for term, _, _ in index.postings]
    words = word_map(set(terms), index.normalized, index.units, index.readings)
    by_char: dict[str, tuple[list[str], dict[str, list[str]]]] = {}
    for term in terms:
        by_char.setdefault(term[0], ([], {}))[0].append(term)
    for key, found in words.items():
        by_char.setdefault(key[0], ([], {}))[1][key] = found
    chars = sorted(by_char, key=utf16_order)
    runs = list(content_runs(((char, char, _json_size(*by_char[char])) for char in chars), target))
    firsts = [run[0] for run in runs]
    names = unique_names(firsts, NAME_DIGITS)
    starts = iter(shards)
    following = next(starts, None)
    current: str | None = None
    for run in runs:
        content: dict = {"terms": [], "words": {}}
        for char in run:
            char_terms, char_words = by_char[char]
            content["terms"].extend(char_terms)
            content["words"].update(char_words)
        located = [[0, current]] if current is not None and content["terms"] else []
        for position, term in enumerate(content["terms"]):
            if following is not None and following[0] == term:
                current = following[1]
                if position == 0:
                    located = []
                located.append([position, current])
                following = next(starts, None)
        content["shards"] = located
        out.add(LEXICON_DIR, names[run[0]], content)
    return firsts, [names[first] for first in firsts]


def _plan_shards(index: SearchIndex, target: int) -> tuple[list[list[tuple[str, str, int]]], list[int]]:
    """The shards: runs of consecutive terms (term, entries, count), about `target` bytes of postings each; and their sizes.

    A posting's size is its entries' length (they are ASCII) and a few bytes around them.
    """
    runs = list(content_runs(((posting, posting[0], len(posting[1]) + 8) for posting in index.postings), target))
    return runs, [sum(len(entries) + 8 for _, entries, _ in run) for run in runs]


def _shard(terms: list[tuple[str, str, int]]) -> bytes:
    """One shard: its terms and their postings, written from each posting's entries."""
    return b"[" + b",".join(_posting_json(term, entries) for term, entries, _ in terms) + b"]"


def _linked_shards(kept: IndexState, names: list[str], keys: list[tuple[str, str, int, int]], reuse: Callable[[str, str], bool]) -> list[str | None]:
    """The digest of each shard (of `names` and `keys`) that the last build wrote from the same key and `reuse` linked; None for the others."""
    digests: list[str | None] = []
    for name, key in zip(names, keys):
        path = _file_name(SHARDS_DIR, name)
        known = kept.shards.get(path)
        digests.append(known[1] if known is not None and known[0] == key and reuse(path, known[1]) else None)
    return digests


def _write_shards(tree: OutputTree, prefix: str, shards: list[list[tuple[str, str, int]]], names: list[str]) -> list[str]:
    """Write `shards` as `<prefix>shards/<name>.json` into `tree`; returns their content digests (in a forked helper, `in_tree_copy`)."""
    return [tree.write_bytes(prefix + _file_name(SHARDS_DIR, name), _shard(shard)) for name, shard in zip(names, shards)]


def _text_runs(documents: list[DocumentEntry], target: int) -> list[list[DocumentEntry]]:
    """A meeting's utterances cut into the runs its text files hold."""
    return list(_runs(((doc, len(doc.text.encode("utf-8")) + 8) for doc in documents), target))


def _text_file(run: list[DocumentEntry]) -> bytes:
    return _json([[doc.item, doc.text, doc.speaker, doc.who] for doc in run])


def _documents_digest(documents: list[DocumentEntry]) -> str:
    """A digest of what a meeting's text files are made from: each utterance's agenda item, text, speaker and key."""
    digest = hashlib.blake2b(digest_size=16)
    for doc in documents:
        # Lengths before the strings: no two lists of utterances feed it the same bytes.
        who = "-" if doc.who is None else f"{len(doc.who)}:{doc.who}"
        digest.update(f"{doc.item},{len(doc.speaker)}:{doc.speaker},{who},{len(doc.text)}:".encode())
        digest.update(doc.text.encode())
    return digest.hexdigest()


def _text_files(index: SearchIndex, target: int, out: _Files, kept: IndexState | None = None, sources: list[str] | None = None) -> list[list[int]]:
    """Add the text files, each of consecutive utterances of one meeting; returns, per meeting, how many each holds.

    With a `kept` index, a meeting whose utterances are those its text files were last written
    from has them linked without making them; what was written is recorded there. A meeting's
    utterances are told by its entry in `sources` where given (a digest of everything the
    meeting is made from), else by a digest of them.
    """
    by_meeting: list[list[DocumentEntry]] = [[] for _ in index.meetings]
    for doc in index.documents:
        by_meeting[doc.meeting].append(doc)
    written: dict[str, tuple[tuple[str, int], list[str], list[int]]] = {}
    counts: list[list[int]] = []
    for position, (meeting, documents) in enumerate(zip(index.meetings, by_meeting)):
        key = ((sources[position] if sources is not None else _documents_digest(documents)), target) if kept is not None else None
        known = kept.texts.get(meeting.id) if kept is not None else None
        if known is not None and known[0] == key:
            # Cut only if a file of the last output cannot be linked (edited by hand, or gone).
            runs_of = functools.cache(lambda documents=documents: _text_runs(documents, target))
            for number, digest in enumerate(known[1]):
                out.add_known(TEXT_DIR, f"{meeting.id}-{number}", digest, lambda number=number, runs_of=runs_of: _text_file(runs_of()[number]))
            written[meeting.id] = known
            counts.append(known[2])
            continue
        runs = _text_runs(documents, target)
        digests = [
            out.add_from(TEXT_DIR, f"{meeting.id}-{number}", run, lambda run=run: _text_file(run)) for number, run in enumerate(runs)
        ]
        counts.append([len(run) for run in runs])
        if key is not None:
            written[meeting.id] = (key, digests, counts[-1])
    if kept is not None:
        kept.texts = written
    return counts


def write_search_files(
    index: SearchIndex,
    folder: Path,
    sizes: ShardSizes = ShardSizes(),
    jobs: int | None = None,
    tree: OutputTree | None = None,
    memo: FilesMemo | None = None,
    sources: list[str] | None = None,
) -> int:
    """Write the search files of `index` into `folder` (the site's `search/`), creating it.

    Given the build's output `tree` (whose root holds `folder`), the files go through it, so a
    file the last build wrote with the same bytes is linked from the live site, not written.
    With `jobs` 2 or more, or by default for an index of at least HELPER_MIN_BYTES of postings on
    a machine of several cores, a forked helper process (forking.py) writes the last shards
    (HELPER_SHARE of their bytes, all of them in a build from scratch) while this one writes the
    rest; the files are the same either way. A `memo` of the last call (`FilesMemo`) spares
    making the shards and text files this process writes again when they are made from the same
    data. Else, with the index's `kept` index,
    a shard of the key (incremental.shard_key) the last build wrote it from is linked from the
    last output without being made; the shards written are recorded there for the next build,
    and so are the text files, by `sources` where given: per meeting of the index, a digest of
    everything it is made from (the build's output keys, the serve worker's digests of the
    meetings' pickles), which spares digesting or comparing its utterances (with a `memo` too).
    Returns the helper's own memory in bytes (0 without a helper).
    """
    if tree is None:
        tree, prefix = OutputTree(folder), ""
    else:
        prefix = folder.relative_to(tree.root).as_posix() + "/"
    for subfolder in (LEXICON_DIR, SHARDS_DIR, TEXT_DIR):
        (folder / subfolder).mkdir(parents=True, exist_ok=True)
    shards, shard_sizes = _plan_shards(index, sizes.shard)
    firsts = [shard[0][0] for shard in shards]
    named = unique_names(firsts, NAME_DIGITS)
    names = [named[first] for first in firsts]

    def save(name: str, data: bytes) -> str:
        return tree.write_bytes(prefix + name, data)

    def reuse(name: str, digest: str) -> bool:
        # The last output may be another call's than the memo's: only its file of these bytes will do.
        return tree.previous_digest(prefix + name) == digest and tree.reuse(prefix + name)

    # A process that keeps a memo of its last files (the serve worker) tells them apart by that,
    # at less cost than by the kept index's keys; the kept index's record stays true meanwhile
    # (its keys are made from the same marks, its digests are checked against the last output).
    kept = index.kept if memo is None else None
    keys = [shard_key(shard, kept.changed) for shard in shards] if kept is not None else []
    # Text files are told apart by `sources` at less cost than by the memo, which compares their utterances.
    texts_kept = index.kept if memo is None or sources is not None else None
    digests = _linked_shards(kept, names, keys, reuse) if kept is not None else [None] * len(shards)
    todo = [number for number, digest in enumerate(digests) if digest is None]
    # Without a record of the text files (a build from scratch) every one is written, more files
    # than there are shards: the helper takes all the shards meanwhile.
    every_text = memo is None and (index.kept is None or not index.kept.texts)
    split = _helper_split([shard_sizes[number] for number in todo], jobs, 1.0 if every_text else HELPER_SHARE)
    helped = todo[split:]
    helper = ForkedCall(in_tree_copy, tree, _write_shards, tree, prefix, [shards[k] for k in helped], [names[k] for k in helped]) if helped else None
    try:
        out = _Files(save, reuse, memo)
        lexicon, lexicon_names = _lexicon_files(index, sizes.lexicon, list(zip(firsts, names)), out)
        texts = _text_files(index, sizes.text, out, texts_kept, sources)
        for number in todo[:split]:
            shard = shards[number]
            digests[number] = out.make_from(SHARDS_DIR, names[number], shard, lambda shard=shard: _shard(shard))
        if helper is not None:
            for number, digest in zip(helped, tree.absorb(helper.result())):
                digests[number] = digest
        assert None not in digests, "a shard was neither linked nor written"
        written = cast(list[str], digests)
        out.add_written(SHARDS_DIR, names, written)
        if kept is not None:
            kept.shards = {_file_name(SHARDS_DIR, name): (key, digest) for name, key, digest in zip(names, keys, written)}
        out.add_file(SPEAKERS_FILE, _speakers(index))
        manifest = {
            "format": FORMAT_VERSION,
            "documents": len(index.documents),
            "length": index.length,
            "meetings": _meetings(index, texts),
            "lexicon": lexicon,
            "lexicon_files": lexicon_names,
            "longest": _longest(index),
            "version": out.version(),
        }
        save(MANIFEST_FILE, _json(manifest))
        out.close_memo()
    except BaseException:
        if helper is not None:
            helper.cancel()
        raise
    return helper.private_memory if helper is not None else 0


HELPER_MIN_BYTES = 4_000_000
"""Below this many bytes of postings, forking a helper costs more than it saves."""
HELPER_SHARE = 0.55
"""The helper's share of the shard bytes when few text files are written (this process writes the
lexicon and text files). When all are, the helper writes every shard: 0.43-0.45 s instead of
0.53-0.62 s for the corpus's search files on a tmpfs, 2.07-2.11 s instead of 2.28-2.35 s on
this project's benchmark disk, where creating a file costs more."""


def _helper_split(sizes: list[int], jobs: int | None, share: float = HELPER_SHARE) -> int:
    """How many of the shards (of `sizes` bytes) this process writes: all, or the first part when a helper writes the rest."""
    if (jobs is not None and jobs < 2) or not can_fork():
        return len(sizes)
    if jobs is None and (available_cores() < 2 or sum(sizes) < HELPER_MIN_BYTES):
        return len(sizes)
    mine = sum(sizes) * (1 - share)
    written = 0
    for number, size in enumerate(sizes):
        if written >= mine:
            return number
        written += size
    return len(sizes)
