"""Open data: meeting.json in the 国会会議録 API shape, the utterances CSV, the bulk file, the data page."""

from __future__ import annotations

import csv
import io
import json
import random
import re
from pathlib import Path

import html5lib
import pytest

from generator.build import build_site
from generator.opendata import indented_json
from tests.conftest import REPO, TEMPLATES, meeting

RECORD = """## １ 開会

○会長　ただいまから会議を開きます。

○区側　（資料により説明）

本日の議題は二つです。

## ２ 議事

### （１）諮問について

○会長　採決します。

（投　票）

○区側　賛成１９、反対１です。
"""
DECISIONS = """decisions:
  - {item: item-2-1, result: 承認, for: 19, against: 1, method: 投票}
  - {item: item-2, subject: 部会の設置, result: 承認, for: null, against: null, method: 異議なし}
"""
SPEAKERS = """speakers:
  会長: {name: 山田太郎, group: 学識経験者}
"""


@pytest.fixture
def site(make_site, tmp_path: Path) -> Path:
    content = make_site({"test/2022-02-14.md": meeting(body=RECORD, extra=DECISIONS + SPEAKERS + "updated: 2022-03-01\n")})
    out = tmp_path / "site"
    build_site(content, TEMPLATES, out, base_url="https://example.org/minutes/")
    return out


def meeting_record(path: Path) -> dict:
    """The one meetingRecord of a meeting.json, after checking the answer's paging keys."""
    answer = json.loads(path.read_text(encoding="utf-8"))
    assert (answer["numberOfRecords"], answer["numberOfReturn"], answer["startRecord"], answer["nextRecordPosition"]) == (1, 1, 1, None)
    (record,) = answer["meetingRecord"]
    return record


def test_meeting_json_has_a_header_and_one_speech_record_per_utterance(site: Path) -> None:
    record = meeting_record(site / "test/2022-02-14/meeting.json")
    assert record["issueID"] == "test/2022-02-14" and record["meetingPath"] == "test/2022-02-14"
    assert record["nameOfHouse"] == "テスト区"
    assert record["nameOfMeeting"] == "テスト審議会"
    assert record["issue"] == "第1回 テスト審議会"
    assert record["date"] == "2022-02-14" and record["updated"] == "2022-03-01"
    assert record["meetingURL"] == "https://example.org/minutes/test/2022-02-14/"
    header, *speeches = record["speechRecord"]
    assert header["speechOrder"] == 0 and header["speaker"] == "会議録情報"
    assert [s["speechOrder"] for s in speeches] == [1, 2, 3, 4]
    first, second = speeches[0], speeches[1]
    assert first["speechID"] == "test/2022-02-14_001"
    assert first["speaker"] == "山田太郎" and first["speakerLabel"] == "会長" and first["speakerGroup"] == "学識経験者"
    assert first["speech"] == "○会長\u3000ただいまから会議を開きます。"  # as the API's: ○, label, full-width space
    assert second["speech"] == "○区側\u3000（資料により説明）\r\n本日の議題は二つです。"
    assert second["speechURL"] == "https://example.org/minutes/test/2022-02-14/#s2"
    assert speeches[2]["agendaItem"] == "item-2-1"


def test_meeting_json_carries_the_decisions(site: Path) -> None:
    record = meeting_record(site / "test/2022-02-14/meeting.json")
    assert record["decisions"] == [
        {"item": "item-2-1", "itemTitle": "（１）諮問について", "subject": None, "result": "承認",
         "votesFor": 19, "votesAgainst": 1, "method": "投票"},
        {"item": "item-2", "itemTitle": "２ 議事", "subject": "部会の設置", "result": "承認",
         "votesFor": None, "votesAgainst": None, "method": "異議なし"},
    ]  # fmt: skip


def test_speech_urls_are_root_relative_without_a_base_url(make_site, tmp_path: Path) -> None:
    content = make_site({"test/2022-02-14.md": meeting(body=RECORD)})
    build_site(content, TEMPLATES, tmp_path / "site")
    record = meeting_record(tmp_path / "site/test/2022-02-14/meeting.json")
    assert record["speechRecord"][1]["speechURL"] == "/test/2022-02-14/#s1"


def test_csv_has_a_row_per_utterance_and_opens_in_excel(make_site, tmp_path: Path) -> None:
    content = make_site(
        {
            "test/2022-02-14.md": meeting(body=RECORD),
            "test/2022-03-01.md": meeting(date="2022-03-01", body='○委員　"引用"と、改行\n\n次の段落\n'),
        }
    )
    build_site(content, TEMPLATES, tmp_path / "site")
    data = (tmp_path / "site/data/utterances.csv").read_bytes()
    assert data.startswith("\ufeff".encode())  # Excel reads UTF-8 only with a BOM
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == 5
    assert [r["speechID"] for r in rows][-1] == "test/2022-03-01_001"
    assert rows[-1]["speech"] == '"引用"と、改行\n次の段落'
    assert rows[0]["nameOfMeeting"] == "テスト審議会" and rows[0]["date"] == "2022-02-14"


def test_bulk_file_holds_every_meeting(make_site, tmp_path: Path) -> None:
    content = make_site({"test/2022-02-14.md": meeting(), "test/2022-03-01.md": meeting(date="2022-03-01")})
    build_site(content, TEMPLATES, tmp_path / "site")
    bulk = json.loads((tmp_path / "site/data/meetings.json").read_text(encoding="utf-8"))
    assert (bulk["numberOfRecords"], bulk["numberOfReturn"], bulk["startRecord"], bulk["nextRecordPosition"]) == (2, 2, 1, None)
    assert [m["issueID"] for m in bulk["meetingRecord"]] == ["test/2022-02-14", "test/2022-03-01"]
    single = meeting_record(tmp_path / "site/test/2022-03-01/meeting.json")
    assert bulk["meetingRecord"][1] == single


def test_bulk_file_is_paged_as_the_api_pages_its_answers(make_site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("generator.opendata.MEETINGS_PER_PAGE", 2)
    dates = ["2022-02-14", "2022-03-01", "2022-04-01"]
    content = make_site({f"test/{d}.md": meeting(date=d) for d in dates})
    build_site(content, TEMPLATES, tmp_path / "site")
    first = json.loads((tmp_path / "site/data/meetings.json").read_text(encoding="utf-8"))
    assert (first["numberOfRecords"], first["numberOfReturn"], first["nextRecordPosition"]) == (3, 2, 3)
    second = json.loads((tmp_path / "site/data/meetings-3.json").read_text(encoding="utf-8"))
    assert (second["startRecord"], second["numberOfReturn"], second["nextRecordPosition"]) == (3, 1, None)
    assert [m["date"] for m in first["meetingRecord"] + second["meetingRecord"]] == dates


def test_data_page_links_the_files_and_states_the_reuse_terms(site: Path) -> None:
    page = (site / "data/index.html").read_text(encoding="utf-8")
    for target in ("meetings.json", "utterances.csv", "../feed.xml", "../permalinks.json"):
        assert f'href="{target}"' in page
    assert "著作権法第40条第1項" in page
    assert "出典" in page


def test_decisions_show_in_the_agenda_at_the_heading_and_on_the_decisions_page(site: Path) -> None:
    page = (site / "test/2022-02-14/index.html").read_text(encoding="utf-8")
    toc = page[page.index('<nav class="toc"') : page.index("</nav>", page.index('<nav class="toc"'))]
    assert re.search(r'href="#item-2-1">（１）諮問について</a> <span class="toc-decision">【<strong class="decision-result">承認</strong>（投票：賛成19・反対1）】', toc)
    heading = page.index('id="item-2-1"')
    assert page.index('<p class="decision-note">', heading) < page.index('id="s3"')
    assert "部会の設置：<strong class=\"decision-result\">承認</strong>（異議なし）" in page
    listing = (site / "decisions/index.html").read_text(encoding="utf-8")
    assert 'href="../test/2022-02-14/#item-2-1">（１）諮問について</a>' in listing
    assert "（投票：賛成19・反対1）" in listing


SEED_DECISIONS = [(19, 1), (17, 2), (17, 0), (16, 1), (17, 0)]


def test_seed_meeting_json_has_all_248_speeches_and_five_decisions(tmp_path: Path) -> None:
    build_site(REPO / "content", TEMPLATES, tmp_path / "site")
    record = meeting_record(tmp_path / "site/joho-kokai/2022-02-14/meeting.json")
    assert len(record["speechRecord"]) == 1 + 248  # the header, then every utterance
    assert [(d["votesFor"], d["votesAgainst"]) for d in record["decisions"]] == SEED_DECISIONS
    assert [d["item"] for d in record["decisions"]] == ["item-2-1", "item-3-1", "item-3-2", "item-3-3", "item-3-4"]
    page = (tmp_path / "site/joho-kokai/2022-02-14/index.html").read_text(encoding="utf-8")
    assert page.count('class="toc-decision"') == 5 and page.count('class="decision-note"') == 5
    assert "（投票：賛成16・反対1）" in page
    listing = (tmp_path / "site/decisions/index.html").read_text(encoding="utf-8")
    assert listing.count("<tr>") == 1 + 5  # header and one row per decision


def test_speech_urls_of_a_renumbered_meeting_use_the_fragment_its_page_opens_them_by(make_site, tmp_path: Path) -> None:
    body = "".join(f"○委員　発言{n}です。\n\n" for n in range(1, 6))
    content = make_site({"test/2022-02-14.md": meeting(body=body, extra="renumbered: {s4: s4, s5: s4, s6: s5}\n")})
    build_site(content, TEMPLATES, tmp_path / "site")
    record = meeting_record(tmp_path / "site/test/2022-02-14/meeting.json")
    urls = [s["speechURL"].split("#")[1] for s in record["speechRecord"][1:]]
    # #s5 would open s4 (the old s5 was removed); the current s5 is reached by its old anchor s6.
    assert urls == ["s1", "s2", "s3", "s4", "s6"]


def test_pages_with_decisions_are_valid_html(site: Path) -> None:
    for path in sorted(site.rglob("*.html")):
        parser = html5lib.HTMLParser(strict=True)
        parser.parse(path.read_bytes())
        assert parser.errors == [], f"{path}: {parser.errors[:3]}"


def test_csv_cells_that_look_like_formulas_stay_text_and_json_keeps_them_as_written(make_site, tmp_path: Path) -> None:
    body = "○委員　=HYPERLINK(\"http://x.test\",\"x\")\n\n○@委員　+SUM(1)\n\n○会長　-5％です。\n\n○会長　普通の発言\n"
    content = make_site({"test/2022-02-14.md": meeting(body=body)})
    build_site(content, TEMPLATES, tmp_path / "site")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "site/data/utterances.csv").read_text(encoding="utf-8-sig"), newline="")))
    assert [r["speech"] for r in rows] == ["'=HYPERLINK(\"http://x.test\",\"x\")", "'+SUM(1)", "'-5％です。", "普通の発言"]
    assert rows[1]["speakerLabel"] == "'@委員"
    speeches = meeting_record(tmp_path / "site/test/2022-02-14/meeting.json")["speechRecord"][1:]
    assert [s["speech"] for s in speeches][:3] == ["○委員\u3000=HYPERLINK(\"http://x.test\",\"x\")", "○@委員\u3000+SUM(1)", "○会長\u3000-5％です。"]
    page = (tmp_path / "site/data/index.html").read_text(encoding="utf-8")
    assert "先頭に <code>'</code>（アポストロフィ）を付けています" in page


def test_csv_cells_beginning_with_a_tab_or_carriage_return_stay_text(make_site, tmp_path: Path) -> None:
    # OWASP lists tab and carriage return with = + - @; a speech loses its leading blanks, a
    # quoted title keeps them.
    content = make_site(
        {
            "test/2022-02-14.md": meeting(title='"\\t=1+1"', body="○会長　開会します。\n"),
            "test/2022-02-15.md": meeting(title='"\\r@SUM(1)"', date="2022-02-15", body="○会長　開会します。\n"),
        }
    )
    build_site(content, TEMPLATES, tmp_path / "site")
    data = (tmp_path / "site/data/utterances.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data, newline="")))
    assert [r["issue"] for r in rows] == ["'\t=1+1", "'\r@SUM(1)"]
    records = json.loads((tmp_path / "site/data/meetings.json").read_text(encoding="utf-8"))["meetingRecord"]
    assert [r["issue"] for r in records] == ["\t=1+1", "\r@SUM(1)"]


def _shapes(rng: random.Random, depth: int = 0) -> object:
    """A random JSON value: nested dicts and lists of the scalars open data holds, and a few it never does."""
    roll = rng.random()
    if depth < 4 and roll < 0.25:
        return {rng.choice(["speech", "発言", "a\nb", 'q"', ""]) + str(n): _shapes(rng, depth + 1) for n in range(rng.randint(0, 4))}
    if depth < 4 and roll < 0.5:
        return [_shapes(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return rng.choice([None, True, False, 0, -3, 1.5, 10**20, "子ども\n\t\"\\", "", "〇議長（山田太郎君）"])


def test_open_data_json_is_what_json_writes_with_an_indent_of_one(site: Path) -> None:
    rng = random.Random(20261206)
    values = [_shapes(rng) for _ in range(3000)] + [{1: [{2: "数の鍵"}]}]
    values.append(json.loads((site / "data" / "meetings.json").read_text(encoding="utf-8")))
    for value in values:
        assert indented_json(value) == json.dumps(value, ensure_ascii=False, indent=1)
