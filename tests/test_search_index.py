"""The search index files a build writes: lunr.js loads them, hits link and display right, and
they are cut and named from their content, so that a new meeting leaves the others' files alone."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.models import AgendaItem, Archive, Body
from generator.search.index import FIELD, SearchIndex, build_search_index, utf16_order, write_search_index
from generator.search.shards import (
    LEXICON_DIR, MANIFEST_FILE, SHARDS_DIR, SPEAKERS_FILE, TEXT_DIR, ShardSizes, write_search_files,
)  # fmt: skip
from tests.search_corpus import REPO, SMALL_SPEECHES, archive, make_meeting, run_engine, sample_index

SPEECHES = [
    ("会長", "ただいまより審議会を開催いたします。"),
    ("区側", "ＧＩＧＡスクール構想の端末、ｉＰａｄについてご説明します。"),
    # Astral (𠮟), compatibility (﨑, kept by NFKC) and other terms together: in the code point
    # order lunr.py writes, lunr.js throws "Out of order word insertion".
    ("委員", "﨑委員から𠮟責がありました。こどもの安全と東日本大震災の教訓です。"),
    ("区側", "公園での講演会を予定しております。"),
]


def small_archive():
    meeting = make_meeting("joho-kokai", "2022-02-14", "令和３年度第７回 審議会", dt.date(2022, 2, 14), SPEECHES)
    item = AgendaItem(id="item-1", level=2, title="１ 諮問事項", line=1)
    meeting.record.insert(1, item)
    for utterance in meeting.utterances[1:]:
        utterance.item_id = "item-1"
    return archive(Body(slug="joho-kokai", title="情報公開・個人情報保護審議会", meetings=[meeting]))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    write_search_index(build_search_index(small_archive(), "/minutes/"), out)
    return out


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same index cut into a shard per term: the small archive fits in one shard otherwise."""
    out = tmp_path_factory.mktemp("sharded")
    write_search_files(build_search_index(small_archive(), "/minutes/"), out / "search", ShardSizes(shard=1))
    return out


def read(site: Path, name: str) -> dict:
    return json.loads((site / "search" / name).read_text(encoding="utf-8"))


def named(site: Path, folder: str) -> list:
    """The files of `site/search/<folder>/` ("shards" or "lexicon"), parsed, in the order the manifest lists them."""
    manifest = read(site, MANIFEST_FILE)
    names = manifest["lexicon_files"]
    if folder == SHARDS_DIR:
        names = shard_names([read(site, f"{LEXICON_DIR}/{name}.json") for name in names])
    assert len(names) == len(list((site / "search" / folder).iterdir())), "a file the manifest does not name"
    return [read(site, f"{folder}/{name}.json") for name in names]


def shard_names(lexicon: list[dict]) -> list[str]:
    """The shards' names in term order, as the lexicon files (in their order) say where each starts."""
    names: list[str] = []
    for content in lexicon:
        names.extend(name for _, name in content["shards"] if not names or names[-1] != name)
    return names


def postings(site: Path) -> dict[str, dict]:
    return {term: posting for shard in named(site, SHARDS_DIR) for term, posting in shard}


def key(site: Path, number: int) -> str:
    """How the shards name the utterance `number` (1, 2, …) of the small archive's meeting."""
    (meeting,) = read(site, MANIFEST_FILE)["meetings"]
    return f"{meeting['id']}.{number}"


@pytest.mark.parametrize("layout", ["site", "sharded"])
def test_lunr_js_loads_every_shard_of_an_index_with_astral_and_compatibility_kanji(
    layout: str, request: pytest.FixtureRequest
) -> None:
    """The browser engine makes a lunr.js index of every shard and finds each term's utterances there.

    In the code point order lunr.py writes, lunr.js would throw "Out of order word insertion" on
    the astral and compatibility kanji; asking for every term loads every shard.
    """
    site = request.getfixturevalue(layout)
    found = postings(site)
    assert {"𠮟", "﨑"} <= set(found)
    terms = list(found)
    answers = run_engine(site, terms)
    refs = {key(site, number): str(number - 1) for number in range(1, len(SPEECHES) + 1)}
    hit: set[str] = set()
    for term, answer in zip(terms, answers, strict=True):
        assert answer.get("error") is None, (term, answer.get("error"))
        got = {h["ref"] for h in answer["hits"]}
        assert {refs[k] for k in found[term]} <= got, term
        hit |= got
    assert hit == set(refs.values())
    if layout == "sharded":
        assert len(named(site, SHARDS_DIR)) == len(terms)


def test_terms_are_in_utf16_order_within_and_across_shards(sharded: Path) -> None:
    terms = [term for shard in named(sharded, SHARDS_DIR) for term, _ in shard]
    assert {"𠮟", "﨑"} <= set(terms)
    assert terms == sorted(terms, key=utf16_order)
    assert terms != sorted(terms), "the sample must hold terms whose two orders differ"
    # Each lexicon file says which shard holds its first term and where each later shard starts.
    by_term = {term: name for shard, name in zip(named(sharded, SHARDS_DIR), shard_names(named(sharded, LEXICON_DIR))) for term, _ in shard}
    for lexicon in named(sharded, LEXICON_DIR):
        assert lexicon["shards"][0][0] == 0
        for (start, name), following in zip(lexicon["shards"], lexicon["shards"][1:] + [[len(lexicon["terms"]), None]]):
            assert {by_term[term] for term in lexicon["terms"][start : following[0]]} == {name}


def test_the_manifest_and_text_files_hold_what_a_hit_shows(site: Path) -> None:
    manifest = read(site, MANIFEST_FILE)
    (meeting,) = manifest["meetings"]
    assert {name: value for name, value in meeting.items() if name not in ("id", "texts")} == {
        "title": "令和３年度第７回 審議会", "date": "2022-02-14", "body": "情報公開・個人情報保護審議会",
        "body_slug": "joho-kokai", "fiscal_year": 2021, "url": "/minutes/joho-kokai/2022-02-14/",
        "items": ["１ 諮問事項"],
    }  # fmt: skip
    # The meeting's text files are named by its id and numbered: the manifest counts their utterances.
    assert sorted(path.name for path in (site / "search" / TEXT_DIR).iterdir()) == [
        f"{meeting['id']}-{number}.json" for number in range(len(meeting["texts"]))
    ]
    chunks = [read(site, f"{TEXT_DIR}/{meeting['id']}-{number}.json") for number in range(len(meeting["texts"]))]
    assert [len(chunk) for chunk in chunks] == meeting["texts"]
    texts = [doc for chunk in chunks for doc in chunk]
    # Each names its speaker (and no named person: these labels stand for themselves).
    assert texts == [[None, SPEECHES[0][1], "会長", None], [0, SPEECHES[1][1], "区側", None], [0, SPEECHES[2][1], "委員", None], [0, SPEECHES[3][1], "区側", None]]
    # Who said every utterance is in a file of its own, which only the speaker filter fetches.
    assert read(site, SPEAKERS_FILE) == [{"speakers": ["会長", "区側", "委員"], "said": [0, 1, 2, 1]}]
    assert sum(meeting["texts"]) == manifest["documents"] == 4
    # The total length is what BM25's average needs: the sum of the lengths the postings carry.
    lengths = {utterance: entry["l"] for posting in postings(site).values() for utterance, entry in posting.items()}
    assert len(lengths) == 4 and manifest["length"] == sum(lengths.values())


def test_postings_record_where_each_term_stands(site: Path) -> None:
    found = postings(site)
    text = SPEECHES[2][1]
    third = key(site, 3)
    start, length = found["𠮟"][third]["p"]
    assert text[start : start + length] == "𠮟"
    # The normalized form stands where the word is written: 子供 at こども.
    start, length = found["子供"][third]["p"]
    assert text[start : start + length] == "こども"
    # Sub-units of a compound stand inside it.
    start, length = found["震災"][third]["p"]
    assert text[start - 4 : start + length] == "東日本大震災"


def test_postings_count_the_punctuation_before_a_term(site: Path) -> None:
    """ｉＰａｄ follows 「、」: the browser learns that 端末 and ｉＰａｄ stand in a row without the text."""
    found = postings(site)
    second = key(site, 2)
    assert found["ipad"][second]["g"] == [0, 1]
    assert "g" not in found["スクール"][second]


def test_the_lexicon_leads_a_typed_word_to_the_indexed_terms(site: Path) -> None:
    words: dict[str, list[str]] = {}
    for lexicon in named(site, LEXICON_DIR):
        words.update(lexicon["words"])
    assert words["こども"] == ["子供"]
    assert words["giga"] == ["ギガ"]
    assert words["東日本大震災"] == ["東", "日本", "大", "震災"]
    assert "京都" not in words
    # A reading leads to its word, unless two words share it (公園 and 講演 are both こうえん).
    assert words["しんさい"] == ["震災"]
    assert "こうえん" not in words


def files(site: Path) -> dict[str, bytes]:
    return {str(path.relative_to(site)): path.read_bytes() for path in (site / "search").rglob("*") if path.is_file()}


def test_building_twice_writes_the_same_bytes(tmp_path: Path, site: Path) -> None:
    write_search_index(build_search_index(small_archive(), "/minutes/"), tmp_path)
    assert files(tmp_path) == files(site)


def test_a_given_tokenizer_is_used_for_every_utterance(tmp_path: Path, site: Path) -> None:
    """A cache in front of the tokenizer (as `minutes serve` keeps one) gives the same index."""
    from generator.search.tokenizer import JapaneseTokenizer, Words

    seen: list[str] = []

    class Recording:
        def words(self, text: str) -> Words:
            seen.append(text)
            return JapaneseTokenizer().words(text)

    write_search_index(build_search_index(small_archive(), "/minutes/", tokenizer=Recording()), tmp_path)
    assert seen == [text for _, text in SPEECHES]
    assert files(tmp_path) == files(site)


def test_an_archive_without_utterances_gets_an_empty_index(tmp_path: Path) -> None:
    write_search_index(build_search_index(archive(), "/"), tmp_path)
    manifest = read(tmp_path, MANIFEST_FILE)
    assert (manifest["meetings"], manifest["lexicon_files"], manifest["documents"]) == ([], [], 0)
    (answer,) = run_engine(tmp_path, ["予算"])
    assert (answer.get("error"), answer["total"]) == (None, 0)


HELPED_WRITE = """
import json, sys
from pathlib import Path
from generator.search.index import build_search_index
from generator.search.shards import ShardSizes, write_search_files
from tests.test_search_index import small_archive

index = build_search_index(small_archive(), "/minutes/")
out = Path(sys.argv[1])
memory = {jobs: write_search_files(index, out / str(jobs), ShardSizes(shard=1), jobs=jobs) for jobs in (1, 2)}
print(json.dumps(memory))
"""


def test_a_forked_helper_writes_the_same_search_files(tmp_path: Path) -> None:
    """With `jobs` 2 a forked process writes half of the shards: every file comes out the same as from one process.

    Run in a fresh interpreter: the helper is forked only where no other thread runs, and a test
    session may hold server threads.
    """
    done = subprocess.run([sys.executable, "-c", HELPED_WRITE, str(tmp_path)], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    memory = json.loads(done.stdout)
    assert memory["1"] == 0
    assert memory["2"] > 0, "no helper process wrote shards"

    def files(root: Path) -> dict[str, bytes]:
        return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}

    alone, helped = files(tmp_path / "1"), files(tmp_path / "2")
    assert len([name for name in alone if name.startswith(SHARDS_DIR)]) >= 10
    assert helped == alone


# Where the files are cut -------------------------------------------------------------------

SMALL_SIZES = ShardSizes(lexicon=200, shard=300, text=200)
"""Small files, so that three short meetings make dozens of them."""
ADDED = [("委員", "図書館を改修します。")]
"""The speech of a meeting added before the others: new terms (図書館, 改修) and common ones (を, ます)."""


def meetings_archive(added: bool = False) -> Archive:
    """Two meetings of one body, and with `added` a third whose path sorts before theirs."""
    meetings = [
        make_meeting("shingikai", "2022-02-14", "第2回 審議会", dt.date(2022, 2, 14), SPEECHES),
        make_meeting("shingikai", "2022-03-14", "第3回 審議会", dt.date(2022, 3, 14), SMALL_SPEECHES),
    ]
    if added:
        meetings.insert(0, make_meeting("shingikai", "2021-04-01", "第1回 審議会", dt.date(2021, 4, 1), ADDED))
    return archive(Body(slug="shingikai", title="審議会", meetings=meetings))


def written(index: SearchIndex, folder: Path, sizes: ShardSizes) -> dict[str, bytes]:
    """The search files of `index` written with `sizes` into `folder`: relative path → bytes."""
    write_search_files(index, folder, sizes, jobs=1)
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*.json"))}


def parsed(found: dict[str, bytes], kind: str) -> list[tuple[str, Any]]:
    """The files of `kind` ("shards" or "lexicon") in `found`, in the manifest's order: (path, parsed JSON)."""
    manifest = json.loads(found[MANIFEST_FILE])
    names = manifest["lexicon_files"]
    if kind == SHARDS_DIR:
        names = shard_names([json.loads(found[f"{LEXICON_DIR}/{name}.json"]) for name in names])
    assert len(names) == len([path for path in found if path.startswith(kind + "/")]), "a file the manifest does not name"
    return [(f"{kind}/{name}.json", json.loads(found[f"{kind}/{name}.json"])) for name in names]


def compact(value: object) -> int:
    """The bytes of `value` as the search files write JSON."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


@pytest.mark.parametrize("sizes", [ShardSizes(), SMALL_SIZES, ShardSizes(shard=1)], ids=["default", "small", "one term a shard"])
def test_each_term_is_in_one_shard_with_its_whole_posting(sizes: ShardSizes, tmp_path: Path) -> None:
    index = build_search_index(meetings_archive(), "/")
    shards = parsed(written(index, tmp_path, sizes), SHARDS_DIR)
    in_files = [(term, posting) for _, shard in shards for term, posting in shard]
    expected = [(term, json.loads("{" + ",".join(posting[FIELD]) + "}")) for term, posting in index.parts.inverted]
    assert in_files == expected
    if sizes == SMALL_SIZES:
        assert 10 < len(shards) < len(expected)


def test_a_term_at_least_as_big_as_the_target_sits_alone_in_its_shard(tmp_path: Path) -> None:
    target = SMALL_SIZES.shard
    shards = parsed(written(build_search_index(meetings_archive(), "/"), tmp_path, SMALL_SIZES), SHARDS_DIR)
    big = [term for _, shard in shards for term, posting in shard if compact(posting) >= target]
    assert big and any(len(shard) > 1 for _, shard in shards), "the sample must hold big and small terms"
    for _, shard in shards:
        if len(shard) > 1:
            assert not [term for term, posting in shard if compact(posting) >= target], shard


def test_a_meetings_text_files_close_once_they_reach_their_target(tmp_path: Path) -> None:
    """Text files hold consecutive utterances of one meeting, about `text` bytes each (a speech is never split)."""
    found = written(build_search_index(meetings_archive(), "/"), tmp_path, SMALL_SIZES)
    target = SMALL_SIZES.text
    for meeting in json.loads(found[MANIFEST_FILE])["meetings"]:
        chunks = [json.loads(found[f"{TEXT_DIR}/{meeting['id']}-{number}.json"]) for number in range(len(meeting["texts"]))]
        assert [len(chunk) for chunk in chunks] == meeting["texts"]
        sizes = [[len(text.encode("utf-8")) + 8 for _, text, *_ in chunk] for chunk in chunks]
        # Every file but the last reaches the target, and would not without its last speech.
        assert all(sum(chunk) >= target > sum(chunk[:-1]) for chunk in sizes[:-1])
        assert 0 < sum(sizes[-1]) and sum(sizes[-1][:-1]) < target
    assert any(len(meeting["texts"]) > 1 for meeting in json.loads(found[MANIFEST_FILE])["meetings"])


@pytest.mark.corpus
def test_shard_and_lexicon_files_average_about_their_target_size(corpus: Path, tmp_path: Path) -> None:
    """On some 1,900 utterances the files hold their target size on average, whatever their content."""
    sizes = ShardSizes()
    found = written(sample_index(), tmp_path, sizes)
    for kind, target in ((SHARDS_DIR, sizes.shard), (LEXICON_DIR, sizes.lexicon)):
        lengths = [len(found[path]) for path, _ in parsed(found, kind)]
        assert len(lengths) >= 40, kind
        assert 0.75 <= sum(lengths) / len(lengths) / target <= 1.33, (kind, sum(lengths) / len(lengths))
    # Shards of several terms too: a term's posting is never split, so big terms make big shards of their own.
    several = [len(found[path]) for path, shard in parsed(found, SHARDS_DIR) if len(shard) > 1]
    assert 0.75 <= sum(several) / len(several) / sizes.shard <= 1.33


def first_characters(found: dict[str, bytes]) -> dict[str, tuple[list, dict]]:
    """The vocabulary of the lexicon files by first character: its terms and its words."""
    chars: dict[str, tuple[list, dict]] = {}
    for _, lexicon in parsed(found, LEXICON_DIR):
        for term in lexicon["terms"]:
            chars.setdefault(term[0], ([], {}))[0].append(term)
        for word, leads in lexicon["words"].items():
            chars.setdefault(word[0], ([], {}))[1][word] = leads
    return chars


def test_a_meeting_added_first_leaves_the_files_without_its_terms_as_they_were(tmp_path: Path) -> None:
    """A new meeting sorts before all others: the shard, lexicon and text files of other terms and meetings keep their bytes and names.

    Only a file that holds one of its terms (or a word leading to one) may change, or a file right
    next to such a term: a boundary can appear at a changed term, cutting short the file before
    it, and depends on the term before it too. Its own text files are new.
    """
    before = written(build_search_index(meetings_archive(), "/"), tmp_path / "before", SMALL_SIZES)
    after = written(build_search_index(meetings_archive(added=True), "/"), tmp_path / "after", SMALL_SIZES)
    manifest = json.loads(after[MANIFEST_FILE])
    added = manifest["meetings"][0]
    assert added["title"] == "第1回 審議会"
    own = {term for _, shard in parsed(after, SHARDS_DIR) for term, posting in shard if any(k.startswith(added["id"] + ".") for k in posting)}
    assert {"図書館", "改修", "を"} <= own

    # Text files: the other meetings' are untouched; the added meeting has its own.
    texts = {path for path in after if path.startswith(TEXT_DIR + "/")}
    mine = {f"{TEXT_DIR}/{added['id']}-{number}.json" for number in range(len(added["texts"]))}
    assert mine <= texts
    assert {path: after[path] for path in texts - mine} == {path: data for path, data in before.items() if path.startswith(TEXT_DIR + "/")}

    def kept(kind: str, items: Callable[[Any], list[str]], touched: set[str]) -> int:
        """Check that every file of `kind` after the addition that none of `touched` concerns is as before; returns how many."""
        files = [(path, items(content)) for path, content in parsed(after, kind)]
        count = 0
        for number, (path, held) in enumerate(files):
            before_it = files[number - 1][1][-1:] if number else []
            after_it = files[number + 1][1][:1] if number + 1 < len(files) else []
            if not touched & {*before_it, *held, *after_it}:
                assert before.get(path) == after[path], path
                count += 1
        return count

    # Shards hold terms.
    shards = len(parsed(after, SHARDS_DIR))
    unchanged = kept(SHARDS_DIR, lambda shard: [term for term, _ in shard], own)
    assert unchanged >= shards // 3, (unchanged, shards)

    # Lexicon files hold first characters: those whose terms or words changed begin one of the
    # added meeting's terms or a word that leads to one (a reading: としょかん → 図書館).
    old, new = first_characters(before), first_characters(after)
    changed = {char for char in old.keys() | new.keys() if old.get(char) != new.get(char)}
    leading = {word for _, words in new.values() for word, leads in words.items() if set(leads) & own}
    assert changed and changed <= {term[0] for term in own} | {word[0] for word in leading}
    lexicon = len(parsed(after, LEXICON_DIR))
    unchanged = kept(LEXICON_DIR, lambda file: sorted({word[0] for word in (*file["terms"], *file["words"])}, key=utf16_order), changed)
    assert unchanged >= lexicon // 3, (unchanged, lexicon)
