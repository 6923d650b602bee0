"""The layouts yardstick (benchmarks/import_layouts.py): the renderer prints what real minutes
print and knows where every speech is, and the importer reads every layout back right."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest

from benchmarks.import_layouts import LAYOUTS, dated_meetings, evaluate, kanji_number, render, wareki_date

MEETING = {
    "Date": "2011/12/15",
    "ProceedingTitle": "防災対策特別委員会速記録第一号",
    "URL": "https://example.org/record/001.html",
    "Proceeding": [
        {
            "Speaker": "null",
            "Utterance": "\u3000第四委員会室\n\u3000午後一時開議\n\u3000出席委員\u3000三名\n委員長中村\u3000明彦君\n"
            "副委員長泉谷つよし君\n高橋かずみ君\n\u3000出席説明員\n総務局長遠藤\u3000雅彦君\n"
            "本日の会議に付した事件\n\u3000委員長の互選\n",
        },
        {
            "Speaker": "中村委員長",
            "Utterance": "ただいまから防災対策特別委員会を開会いたします。\n\u3000\u3000\u3000〔「異議なし」と呼ぶ者あり〕\n",
        },
        {"Speaker": "遠藤総務局長", "Utterance": "ご説明申し上げます。\n\u3000本件は、委員会の設置でございます。\n"},
        {"Speaker": "null", "Utterance": "防災対策特別委員会調査報告書（案）\n\u3000本委員会は設置された。\n"},
        {"Speaker": "高橋（か）委員", "Utterance": "私から伺います。"},
    ],
}

HEADER = """防災対策特別委員会速記録第一号
平成二十三年十二月十五日（木曜日）
　第四委員会室
　午後一時開議
　出席委員　三名
{roster}
　出席説明員
総務局長遠藤　雅彦君
本日の会議に付した事件
　委員長の互選
"""
ROSTER = "委員長中村　明彦君\n副委員長泉谷つよし君\n高橋かずみ君"


def test_the_plain_layout_prints_the_corpus_labels_after_a_circle() -> None:
    rendered = render(MEETING, "plain")
    assert rendered.text == HEADER.format(roster=ROSTER) + (
        "○中村委員長　ただいまから防災対策特別委員会を開会いたします。\n"
        "\u3000\u3000\u3000〔「異議なし」と呼ぶ者あり〕\n"
        "○遠藤総務局長　ご説明申し上げます。\n"
        "\u3000本件は、委員会の設置でございます。\n"
        "◎防災対策特別委員会調査報告書（案）\n"
        "本委員会は設置された。\n"
        "○高橋（か）委員　私から伺います。\n"
    )
    assert [(u.line, u.label, u.speech) for u in rendered.utterances] == [
        (13, "中村委員長", "ただいまから防災対策特別委員会を開会いたします。〔「異議なし」と呼ぶ者あり〕"),
        (15, "遠藤総務局長", "ご説明申し上げます。本件は、委員会の設置でございます。"),
        (19, "高橋（か）委員", "私から伺います。"),
    ]


def test_discussnet_marks_members_officials_and_the_chair_and_names_from_the_roster() -> None:
    rendered = render(MEETING, "discussnet")
    assert rendered.text == HEADER.format(roster=ROSTER) + (
        "○委員長（中村明彦君）　ただいまから防災対策特別委員会を開会いたします。\n"
        "\u3000\u3000\u3000〔「異議なし」と呼ぶ者あり〕\n"
        "◎総務局長（遠藤雅彦君）　ご説明申し上げます。\n"
        "\u3000本件は、委員会の設置でございます。\n"
        "△防災対策特別委員会調査報告書（案）\n"
        "本委員会は設置された。\n"
        "◆高橋（か）委員　私から伺います。\n"
        "\u3000\u3000\u3000午後二時散会\n"
    )
    assert [u.label for u in rendered.utterances] == ["委員長（中村明彦君）", "総務局長（遠藤雅彦君）", "高橋（か）委員"]


def test_label_alone_on_its_line_with_the_name_spaced_as_the_roster_prints_it() -> None:
    rendered = render(MEETING, "own-line")
    lines = rendered.text.split("\n")
    assert lines[12:16] == ["○委員長（中村　明彦君）", "\u3000ただいまから防災対策特別委員会を開会いたします。", "\u3000\u3000\u3000〔「異議なし」と呼ぶ者あり〕", "○総務局長（遠藤　雅彦君）"]
    assert [(u.line, u.label) for u in rendered.utterances] == [(13, "委員長（中村明彦君）"), (16, "総務局長（遠藤雅彦君）"), (21, "高橋（か）委員")]


def test_letter_spaced_roles_a_stage_direction_after_the_label_and_half_width_brackets() -> None:
    spaced = render(MEETING, "letter-spaced").text.split("\n")
    assert spaced[12:14] == ["○委 員 長（中村明彦君）  ただいまから防災対策特別委員会を開会いたしま", "す。"]
    direction = render(MEETING, "stage-direction")
    assert "○総務局長（遠藤雅彦君）　〔登壇〕　ご説明申し上げます。" in direction.text.split("\n")
    # The chair does not go to the rostrum; the speaker's first speech carries the direction.
    assert [u.speech[:5] for u in direction.utterances] == ["ただいまか", "〔登壇〕ご", "〔登壇〕私"]
    half = render(MEETING, "half-width").text.split("\n")
    assert half[12].startswith("○委員長(中村明彦君)ただいまから")
    assert "○高橋(か)委員　私から伺います。" in half


def test_kanji_zero_layout_puts_a_space_between_role_and_name_in_the_roster() -> None:
    rendered = render(MEETING, "kanji-zero")
    assert "委員長　中村　明彦君\n副委員長　泉谷つよし君\n" in rendered.text
    assert "\n〇委員長（中村明彦君）　ただいまから" in rendered.text


def test_pages_get_their_number_the_running_title_and_a_form_feed() -> None:
    layout = dataclasses.replace(LAYOUTS["tokyo"], page_lines=6)
    rendered = render(MEETING, layout)
    lines = rendered.text.split("\n")
    assert lines[6:8] == ["－ 1 －", "\f\u3000\u3000\u3000\u3000防災対策特別委員会速記録第一号"]
    assert lines[-2] == f"－ {lines.count('－ 1 －') + rendered.text.count(chr(12))} －"
    for utterance in rendered.utterances:
        assert lines[utterance.line - 1].lstrip("\f").startswith("○" + utterance.label[:2])


def test_dates_and_numbers_in_kanji() -> None:
    assert [kanji_number(n) for n in (1, 10, 15, 23, 100, 123, 2020)] == ["一", "十", "十五", "二十三", "百", "百二十三", "二千二十"]
    assert wareki_date(dt.date(2011, 12, 15)) == "平成二十三年十二月十五日（木曜日）"
    assert wareki_date(dt.date(2019, 5, 1)) == "令和元年五月一日（水曜日）"


# --- on the corpus -------------------------------------------------------------------------------

SAMPLE_STEP = 15


@pytest.fixture(scope="module")
def sample() -> list[dict]:
    from tests.conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}: these tests read ../shared/corpus")
    return dated_meetings(CORPUS)[::SAMPLE_STEP]


@pytest.mark.corpus
def test_the_corpus_has_445_dated_meetings(corpus: Path) -> None:
    assert len(dated_meetings(corpus)) == 445


@pytest.mark.corpus
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_speech_can_be_rebuilt_from_the_lines_the_truth_gives_it(corpus: Path, sample: list[dict], layout: str) -> None:
    # The yardstick checks itself: the lines of each utterance hold its marker, label and speech.
    for item in sample:
        rendered = render(item, layout)
        lines = rendered.text.split("\n")[:-1]
        assert len(lines) == len(rendered.owners)
        printed_lines: dict[int, list[str]] = {}
        for line, owner in zip(lines, rendered.owners):
            printed_lines.setdefault(owner, []).append(line)
        for index, utterance in enumerate(rendered.utterances):
            assert rendered.owners[utterance.line - 1] == index
            printed = re.sub(r"\s+", "", "".join(printed_lines[index]))
            wanted = utterance.label + re.sub(r"\s+", "", utterance.speech)
            assert printed.endswith(wanted) and printed[: -len(wanted)] in ("", "○", "〇", "◯", "◆", "◎"), (item["Date"], printed[:60])


# Every layout is read back to the mark: 99.9 % of boundaries and labels, every speech.
READ_BACK = list(LAYOUTS)


@pytest.mark.corpus
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_no_layout_makes_the_importer_refuse_a_meeting(corpus: Path, sample: list[dict], layout: str) -> None:
    (figures,) = evaluate([layout], sample, keep=3)
    assert figures.refusals == []


@pytest.mark.corpus
@pytest.mark.parametrize("layout", READ_BACK)
def test_the_importer_reads_every_layout_back(corpus: Path, sample: list[dict], layout: str) -> None:
    (figures,) = evaluate([layout], sample, keep=10)
    report = "\n".join(f"{m.meeting} line {m.line}: {m.kind}: expected {m.expected!r}, got {m.got!r}" for m in figures.mismatches)
    assert figures.refusals == []
    assert figures.boundary_share >= 0.999, report
    assert figures.label_share >= 0.999, report
    assert figures.speeches == figures.expected, report
