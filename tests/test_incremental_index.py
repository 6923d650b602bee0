"""A build that keeps its search index in the cache updates it for what changed, and writes what a build from scratch writes.

The archive is the search tests' slice of the corpus (about 1,700 utterances in four bodies).
Each case builds the index of one archive with the cache of a build of another, and compares
every search file with those of a build without a cache.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from pathlib import Path

import pytest

from generator.models import Archive, Paragraph
from generator.search.incremental import STATE_FILE, load_state, version as incremental_version
from generator.search.index import PendingSearchIndex, write_search_index
from tests.search_corpus import make_meeting, sample_archive

pytestmark = pytest.mark.corpus


@functools.cache
def _base() -> Archive:
    return sample_archive()


def base() -> Archive:
    """A copy of the search tests' archive, free to change."""
    return copy.deepcopy(_base())


def files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path."""
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def build(archive: Archive, out: Path, cache: Path | None) -> tuple[dict[str, bytes], PendingSearchIndex]:
    """The search files of `archive` (with the cache folder `cache`), and the index that wrote them."""
    with PendingSearchIndex(archive, "/", jobs=1, cache_dir=cache) as pending:
        index = pending.result()
    write_search_index(index, out, jobs=1)
    return files(out / "search"), pending


def without_first_meeting(archive: Archive) -> Archive:
    archive.bodies[0].meetings.pop(0)
    return archive


def with_an_edited_speech(archive: Archive) -> Archive:
    meeting = archive.bodies[-1].meetings[0]
    utterance = meeting.utterances[1]
    utterance.parts = [Paragraph("ＧＩＧＡスクール構想の端末について、新しい語「ぬえくさの」を加えます。", utterance.line)]
    return archive


def with_a_new_meeting_first(archive: Archive) -> Archive:
    body = archive.bodies[0]
    meeting = make_meeting(body.slug, "1990-04-01", "第1回 臨時会", dt.date(1990, 4, 1), [
        ("議長（山田太郎君）", "ただいまから臨時会を開会いたします。"),
        ("１番（佐藤花子君）", "子どもの居場所づくりと、ＬＧＷＡＮ－ＡＳＰの利用について伺います。ぬばたまの夜。"),
    ])  # fmt: skip
    body.meetings.insert(0, meeting)
    return archive


CHANGES = {
    # (the archive before, after, how many meetings the update analyses)
    "a meeting added that sorts first": (base, lambda: with_a_new_meeting_first(base()), 1),
    "a meeting removed": (base, lambda: without_first_meeting(base()), 0),
    "a meeting added back": (lambda: without_first_meeting(base()), base, 1),
    "one speech edited": (base, lambda: with_an_edited_speech(base()), 1),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_an_updated_index_is_the_index_built_from_scratch(change: str, tmp_path: Path) -> None:
    make_before, make_after, analysed = CHANGES[change]
    before, after = make_before(), make_after()
    cache = tmp_path / "cache"
    build(before, tmp_path / "before", cache)
    updated, pending = build(after, tmp_path / "updated", cache)
    assert pending.incremental, "the kept index was not used"
    assert pending.analysed == analysed, "only the meeting that came or changed is analysed"
    kept = load_state(cache, incremental_version())
    assert kept is not None and kept.maps is not None, "the word maps are kept with the index, not made again"
    scratch, fresh = build(after, tmp_path / "scratch", None)
    assert not fresh.incremental
    assert updated.keys() == scratch.keys()
    assert [name for name in scratch if updated[name] != scratch[name]] == []


def test_only_the_files_of_a_new_meetings_terms_change(tmp_path: Path) -> None:
    before, _ = build(base(), tmp_path / "before", None)
    after, _ = build(with_a_new_meeting_first(base()), tmp_path / "after", None)
    changed = {name for name in after if before.get(name) != after[name]}
    shards = [name for name in after if name.startswith("shards/")]
    texts = [name for name in after if name.startswith("text/")]
    # The new meeting's own text file and the manifest; of the shards, those of its few terms.
    assert len([name for name in changed if name.startswith("text/")]) == 1
    assert "manifest.json" in changed
    assert 0 < len([name for name in changed if name.startswith("shards/")]) < len(shards) / 4
    assert len(texts) > 100


def test_a_damaged_or_foreign_kept_index_is_built_again(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build(base(), tmp_path / "first", cache)
    (cache / STATE_FILE).write_bytes(b"not a pickle")
    again, pending = build(with_an_edited_speech(base()), tmp_path / "again", cache)
    assert not pending.incremental
    scratch, _ = build(with_an_edited_speech(base()), tmp_path / "scratch", None)
    assert again == scratch
    # The build from scratch kept a good index again: the next build updates it.
    _, pending = build(base(), tmp_path / "third", cache)
    assert pending.incremental


def test_a_kept_index_of_other_code_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    build(base(), tmp_path / "first", cache)
    monkeypatch.setattr("generator.search.index.incremental_version", lambda: "another version")
    _, pending = build(with_an_edited_speech(base()), tmp_path / "again", cache)
    assert not pending.incremental


def test_a_kept_index_is_of_other_code_when_its_word_maps_code_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kept index holds TermMaps objects: after an upgrade that changes term_maps.py, they are not read back."""
    before = incremental_version()
    read = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: read(path) + (b"\n# changed" if path.name == "term_maps.py" else b""))
    assert incremental_version() != before


def test_a_process_that_keeps_the_index_and_its_word_maps_writes_what_a_build_from_scratch_writes(tmp_path: Path) -> None:
    """As the `minutes serve` search worker does: one kept index, its word maps updated change after change."""
    cache = tmp_path / "cache"
    kept = None
    steps = [base, lambda: with_a_new_meeting_first(base()), lambda: with_an_edited_speech(with_a_new_meeting_first(base())), lambda: without_first_meeting(base()), base]
    for number, make in enumerate(steps):
        with PendingSearchIndex(make(), "/", jobs=1, cache_dir=cache, kept=kept, save=False) as pending:
            index = pending.result()
        assert pending.incremental == (number > 0) and pending.kept.maps is not None, number
        kept = pending.kept
        write_search_index(index, tmp_path / f"kept-{number}", jobs=1)
        scratch, _ = build(make(), tmp_path / f"scratch-{number}", None)
        updated = files(tmp_path / f"kept-{number}" / "search")
        # The word maps reach the lexicon files: a stale map would change one of them.
        assert [name for name in scratch if updated.get(name) != scratch[name]] == [], number
        assert updated.keys() == scratch.keys(), number
