"""The search index files a build writes: lunr.js loads them, hits link and display right."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.models import AgendaItem, Body
from generator.search.index import build_search_index, utf16_order, write_search_index
from tests.search_corpus import REPO, archive, make_meeting

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


def load_in_lunr_js(search_dir: Path) -> str:
    """Load index.json with lunr.js 2.3.9 in Node; returns what Node printed."""
    node = shutil.which("node")
    assert node, "node is missing"
    script = (
        "const lunr = require(process.argv[1]);"
        "const data = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));"
        "const idx = lunr.Index.load(data);"
        "console.log(Object.keys(idx.fieldVectors).length);"
    )
    completed = subprocess.run(
        [node, "-e", script, str(REPO / "node_modules" / "lunr"), str(search_dir / "index.json")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    write_search_index(build_search_index(small_archive(), "/minutes/"), out)
    return out


def read(site: Path, name: str) -> dict:
    return json.loads((site / "search" / name).read_text(encoding="utf-8"))


def test_lunr_js_loads_an_index_with_astral_and_compatibility_kanji(site: Path) -> None:
    assert load_in_lunr_js(site / "search") == "4"


def test_the_inverted_index_is_in_utf16_order(site: Path) -> None:
    terms = [term for term, _ in read(site, "index.json")["invertedIndex"]]
    assert {"𠮟", "﨑"} <= set(terms)
    assert terms == sorted(terms, key=utf16_order)
    assert terms != sorted(terms), "the sample must hold terms whose two orders differ"


def test_one_document_per_utterance_with_what_a_hit_shows(site: Path) -> None:
    store = read(site, "docs.json")
    (meeting,) = store["meetings"]
    assert meeting == {
        "title": "令和３年度第７回 審議会", "date": "2022-02-14", "body": "情報公開・個人情報保護審議会",
        "body_slug": "joho-kokai", "fiscal_year": 2021, "url": "/minutes/joho-kokai/2022-02-14/",
        "items": ["１ 諮問事項"],
    }  # fmt: skip
    assert store["docs"][0] == [0, 1, "会長", None, SPEECHES[0][1]]
    assert store["docs"][2] == [0, 3, "委員", 0, SPEECHES[2][1]]


def test_postings_record_where_each_term_stands(site: Path) -> None:
    postings = dict((term, posting) for term, posting in read(site, "index.json")["invertedIndex"])
    text = SPEECHES[2][1]
    start, length = postings["𠮟"]["text"]["2"]["p"]
    assert text[start : start + length] == "𠮟"
    # The normalized form stands where the word is written: 子供 at こども.
    start, length = postings["子供"]["text"]["2"]["p"]
    assert text[start : start + length] == "こども"
    # Sub-units of a compound stand inside it.
    start, length = postings["震災"]["text"]["2"]["p"]
    assert text[start - 4 : start + length] == "東日本大震災"


def test_term_maps_lead_a_typed_word_to_the_indexed_terms(site: Path) -> None:
    terms = read(site, "terms.json")
    assert terms["normalized"]["こども"] == "子供"
    assert terms["normalized"]["giga"] == "ギガ"
    assert terms["units"]["東日本大震災"] == ["東", "日本", "大", "震災"]
    assert "京都" not in terms["units"]
    # A reading leads to its word, unless two words share it (公園 and 講演 are both こうえん).
    assert terms["readings"]["しんさい"] == "震災"
    assert "こうえん" not in terms["readings"]


def test_building_twice_writes_the_same_bytes(tmp_path: Path, site: Path) -> None:
    write_search_index(build_search_index(small_archive(), "/minutes/"), tmp_path)
    for name in ("index.json", "docs.json", "terms.json"):
        assert (tmp_path / "search" / name).read_bytes() == (site / "search" / name).read_bytes()


def test_a_given_tokenizer_is_used_for_every_utterance(tmp_path: Path, site: Path) -> None:
    """A cache in front of the tokenizer (as `minutes serve` keeps one) gives the same index."""
    from generator.search.tokenizer import JapaneseTokenizer

    seen: list[str] = []

    class Recording:
        def tokenize(self, text: str) -> list:
            seen.append(text)
            return JapaneseTokenizer().tokenize(text)

    write_search_index(build_search_index(small_archive(), "/minutes/", tokenizer=Recording()), tmp_path)
    assert seen == [text for _, text in SPEECHES]
    assert (tmp_path / "search" / "index.json").read_bytes() == (site / "search" / "index.json").read_bytes()


def test_an_archive_without_utterances_gets_an_empty_index(tmp_path: Path) -> None:
    write_search_index(build_search_index(archive(), "/"), tmp_path)
    assert load_in_lunr_js(tmp_path / "search") == "0"
    assert read(tmp_path, "docs.json") == {"meetings": [], "docs": []}
