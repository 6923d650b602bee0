"""The content memo: a warm load reads unchanged meeting files from the cache and gives what a fresh read gives."""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from benchmarks.tokyo_corpus import write_tokyo
from generator import content, content_cache
from generator.build import build_site
from generator.content import load_archive
from generator.forking import ForkedCall
from tests.conftest import BODY_INDEX, REPO, SITE_INDEX, TEMPLATES, meeting, write_files
from tests.test_build import files_of

GOOD = {
    "test/2022-02-14.md": meeting(body="## 開会\n\n○会長　開会します。\n\n○委員　質問します。\n"),
    "test/2022-03-01.md": meeting(title="第2回 テスト審議会", date="2022-03-01", body="○会長　再開します。\n"),
    # A warning of the file itself (its name is not its date) and one of the folder.
    "test/2022-04-01.md": meeting(title="第3回 テスト審議会", date="2022-04-02"),
    "test/notes.txt": "not a meeting",
}
BROKEN = {
    **GOOD,
    "test/2022-05-01.md": meeting(date="2022-13-45"),
    "test/2022-06-01.md": b"---\ntitle: \x82\xa0\n",
    "test/2022-07-01.md": meeting(date="2022-07-01", extra="aliases: [test/2022-03-01]\n"),
}


def memo_files(cache: Path) -> list[Path]:
    """The memo files kept under the build cache `cache`."""
    return sorted((cache / content_cache.FOLDER).glob(f"*{content_cache.SUFFIX}"))


def texts(diagnostics: list) -> list[str]:
    return [str(d) for d in diagnostics]


@pytest.fixture
def typed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The content folder as a user types it (`content`), from the folder it is in."""
    monkeypatch.chdir(tmp_path)
    return Path("content")


@pytest.fixture
def no_parsing(monkeypatch: pytest.MonkeyPatch):
    """Make reading any meeting file's text fail, from the moment the returned function is called."""

    def forbid() -> None:
        def fail(*args: object, **kwargs: object) -> None:
            raise AssertionError(f"parsed {args[1]} again")

        monkeypatch.setattr(content, "read_meeting_text", fail)

    return forbid


def test_a_warm_load_gives_the_same_archive_and_warnings_without_parsing(make_site, typed: Path, tmp_path: Path, no_parsing) -> None:
    make_site(GOOD)
    site = typed
    fresh = load_archive(site)
    cold = load_archive(site, tmp_path / "cache")
    assert len(memo_files(tmp_path / "cache")) == 3
    no_parsing()
    warm = load_archive(site, tmp_path / "cache")
    assert fresh[0] is not None and fresh[0].meetings[0].utterances[1].text == "質問します。"
    assert cold == warm == fresh
    assert texts(warm[1]) == [
        "content/test/2022-04-01.md:3: warning: file name says 2022-04-01 but date: is 2022-04-02",
        "content/test/notes.txt:1: warning: not published: only Markdown files (.md) directly in a body folder are meetings",
    ]


def test_errors_of_unchanged_files_are_still_reported_from_the_memo(make_site, typed: Path, tmp_path: Path, no_parsing) -> None:
    make_site(BROKEN)
    site = typed
    fresh = load_archive(site)
    assert fresh[0] is None
    load_archive(site, tmp_path / "cache")
    no_parsing()
    warm = load_archive(site, tmp_path / "cache")
    assert warm == fresh
    assert "content/test/2022-05-01.md:3: error: invalid date '2022-13-45': write a real date as YYYY-MM-DD" in texts(warm[1])
    assert any(t.startswith("content/test/2022-06-01.md:2: error: file is not UTF-8") for t in texts(warm[1]))
    # Checks across files run on every load: the alias that is another meeting's path.
    assert any(t.startswith("content/test/2022-07-01.md:4: error: alias 'test/2022-03-01' is the path of") for t in texts(warm[1]))


def test_an_edited_file_is_read_again_and_only_it(make_site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(GOOD)
    load_archive(site, tmp_path / "cache")
    (site / "test" / "2022-03-01.md").write_text(meeting(date="2022-03-01", body="○会長　休憩します。\n"), encoding="utf-8")
    parsed: list[str] = []
    read = content.read_meeting_text
    monkeypatch.setattr(content, "read_meeting_text", lambda text, rel, shown: parsed.append(rel) or read(text, rel, shown))
    archive, _ = load_archive(site, tmp_path / "cache")
    assert parsed == ["test/2022-03-01.md"]
    assert [u.text for u in archive.meetings[1].utterances] == ["休憩します。"]
    assert archive == load_archive(site)[0]
    assert len(memo_files(tmp_path / "cache")) == 3  # the edited file's old memo is gone


def test_a_meeting_carries_the_key_of_what_it_was_read_from(make_site, tmp_path: Path) -> None:
    """A warm build keys a meeting's pages by it: the same for a fresh parse and the memo, another after an edit."""
    site = make_site(GOOD)
    fresh, _ = load_archive(site, tmp_path / "cache")
    memo, _ = load_archive(site, tmp_path / "cache")
    assert [m.read_key for m in memo.meetings] == [m.read_key for m in fresh.meetings]
    assert all(m.read_key for m in fresh.meetings) and len({m.read_key for m in fresh.meetings}) == len(fresh.meetings)
    assert [m.read_key for m in load_archive(site)[0].meetings] == ["" for _ in fresh.meetings]  # no cache, no key
    (site / "test" / "2022-03-01.md").write_text(meeting(date="2022-03-01", body="○会長　休憩します。\n"), encoding="utf-8")
    edited, _ = load_archive(site, tmp_path / "cache")
    assert [m.read_key == f.read_key for m, f in zip(edited.meetings, fresh.meetings)] == [True, False, True]


def test_a_removed_file_disappears_and_so_does_its_memo(make_site, tmp_path: Path) -> None:
    site = make_site(GOOD)
    load_archive(site, tmp_path / "cache")
    (site / "test" / "2022-03-01.md").unlink()
    archive, _ = load_archive(site, tmp_path / "cache")
    assert [m.slug for m in archive.meetings] == ["2022-02-14", "2022-04-01"]
    assert len(memo_files(tmp_path / "cache")) == 2


def test_a_new_error_in_an_edited_file_is_reported(make_site, typed: Path, tmp_path: Path) -> None:
    make_site(GOOD)
    site = typed
    load_archive(site, tmp_path / "cache")
    (site / "test" / "2022-03-01.md").write_text(meeting(date="2022-03-01", body="○会長\n"), encoding="utf-8")
    archive, diagnostics = load_archive(site, tmp_path / "cache")
    assert archive is None
    assert "content/test/2022-03-01.md:6: error: utterance '会長' has nothing after its label" in texts(diagnostics)


@pytest.mark.parametrize("damage", [b"", b"garbage", b"\x80\x05K\x01.", "truncated", "another file's"])
def test_a_damaged_or_foreign_memo_is_read_again_silently(make_site, tmp_path: Path, damage: bytes | str) -> None:
    site = make_site(BROKEN)
    fresh = load_archive(site)
    load_archive(site, tmp_path / "cache")
    files = memo_files(tmp_path / "cache")
    for index, path in enumerate(files):
        if damage == "truncated":
            path.write_bytes(path.read_bytes()[:-20])
        elif damage == "another file's":
            path.write_bytes(files[(index + 1) % len(files)].read_bytes())
        else:
            path.write_bytes(damage)
    assert load_archive(site, tmp_path / "cache") == fresh
    # Read again, the memo is whole once more.
    assert load_archive(site, tmp_path / "cache") == fresh


def test_a_memo_of_another_code_version_is_not_trusted(make_site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(GOOD)
    fresh = load_archive(site)
    monkeypatch.setattr(content_cache, "code_version", lambda: "an older minutes")
    load_archive(site, tmp_path / "cache")
    # Give the older version's memo a title no file has: seen only when that memo is used.
    for path in memo_files(tmp_path / "cache"):
        key, meeting_read, problems = pickle.loads(path.read_bytes())
        meeting_read.title = "古い版の読み"
        path.write_bytes(pickle.dumps((key, meeting_read, problems), protocol=5))
    assert {m.title for m in load_archive(site, tmp_path / "cache")[0].meetings} == {"古い版の読み"}
    monkeypatch.undo()
    assert load_archive(site, tmp_path / "cache") == fresh


def test_a_memo_in_english_does_not_answer_in_japanese(make_site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site({"test/2022-02-14.md": meeting(body="○会長\n")})
    english = texts(load_archive(site, tmp_path / "cache")[1])
    monkeypatch.setenv("LC_ALL", "ja_JP.UTF-8")
    japanese = texts(load_archive(site, tmp_path / "cache")[1])
    assert japanese == texts(load_archive(site)[1]) != english


def test_the_memo_follows_the_content_folder_as_typed(make_site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site({"test/2022-02-14.md": meeting(body="○会長\n")})
    load_archive(site, tmp_path / "cache")
    monkeypatch.chdir(site.parent)
    # Messages name the folder as the user typed it, also when the memo was written under another spelling.
    assert texts(load_archive(Path("content"), tmp_path / "cache")[1]) == texts(load_archive(Path("content"))[1])
    assert texts(load_archive(Path("content"), tmp_path / "cache")[1])[0].startswith("content/test/2022-02-14.md:6: error:")


def _build_twice_and_fresh(content_dir: Path, tmp_path: Path) -> tuple[dict[str, bytes], dict[str, bytes], dict[str, bytes]]:
    """The site built without a cache, with an empty cache, and again with the cache now warm."""
    build_site(content_dir, TEMPLATES, tmp_path / "fresh")
    build_site(content_dir, TEMPLATES, tmp_path / "cold", cache_dir=tmp_path / "cache")
    assert memo_files(tmp_path / "cache")
    build_site(content_dir, TEMPLATES, tmp_path / "warm", cache_dir=tmp_path / "cache")
    return files_of(tmp_path / "fresh"), files_of(tmp_path / "cold"), files_of(tmp_path / "warm")


def test_a_build_from_the_memo_writes_the_same_site_for_the_bundled_archive(tmp_path: Path) -> None:
    fresh, cold, warm = _build_twice_and_fresh(REPO / "content", tmp_path)
    assert fresh == cold == warm


def test_a_build_from_the_memo_writes_the_same_site_for_a_corpus_slice(corpus: Path, tmp_path: Path) -> None:
    content_dir = write_files(tmp_path / "content", {"_index.md": SITE_INDEX})
    written, _warnings = write_tokyo(content_dir, corpus, limit=8)
    assert written == 8
    fresh, cold, warm = _build_twice_and_fresh(content_dir, tmp_path)
    assert fresh == cold == warm
    assert sum(p.endswith("/index.html") for p in warm) > written


def _load_twice_in_a_fresh_process(folder: str, site: str, cache: str) -> tuple[list, list[int], int]:
    """Load `site` cold then warm with `parallel`, in a process of no other thread (a test run may
    have left some, and a process forks only without them): (the two loads, the body folders each
    forked helper read, the memo files after the cold load)."""
    import os

    os.chdir(folder)
    content.PARALLEL_MIN_BYTES = 0
    forked: list[int] = []
    content.ForkedCall = lambda *args: forked.append(len(args[2])) or ForkedCall(*args)  # type: ignore[assignment]
    cold = load_archive(Path(site), Path(cache), parallel=True)
    memo = len(memo_files(Path(cache)))

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"parsed {args[1]} again")

    content.read_meeting_text = fail  # type: ignore[assignment]
    warm = load_archive(Path(site), Path(cache), parallel=True)
    return [cold, warm], forked, memo


def test_a_helper_reading_half_the_bodies_gives_the_same_archive_problems_and_memo(make_site, typed: Path, tmp_path: Path) -> None:
    """A cold load of a large archive hands about half of the body folders to a forked helper."""
    bodies = {f"{name}/_index.md": BODY_INDEX.replace("テスト審議会", f"{name} 審議会") for name in ("alpha", "beta", "gamma")}
    files = {**BROKEN, **bodies, **{f"{name}/{path.split('/', 1)[1]}": text for name in ("alpha", "beta", "gamma") for path, text in BROKEN.items()}}
    make_site(files)
    sequential = load_archive(typed)
    with ProcessPoolExecutor(1, multiprocessing.get_context("spawn")) as pool:
        (cold, warm), forked, memo = pool.submit(_load_twice_in_a_fresh_process, str(tmp_path), str(typed), str(tmp_path / "cache")).result()
    assert len(forked) == 1 and 0 < forked[0] < 4  # some of the four body folders, not all
    assert cold == sequential and sequential[0] is None
    assert sum("error: invalid date '2022-13-45'" in text for text in texts(cold[1])) == 4
    # What the helper read is in the memo: a warm load parses nothing, and in one process.
    assert memo == 4 * 6
    assert warm == sequential
