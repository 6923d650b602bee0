"""The minutes format: fixture files (Markdown record → expected model) and the reader's details."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.models import AgendaItem, Paragraph, StageDirection, Utterance
from generator.reader import read_meeting_text
from generator.render import markdown

FIXTURES = Path(__file__).parent / "fixtures" / "format"
FRONT = "---\ntitle: 第1回\ndate: 2022-02-14\n{extra}---\n\n"


def summarize(block: object) -> dict:
    """The parts of a record block the fixtures pin down."""
    if isinstance(block, AgendaItem):
        return {"item": block.id, "level": block.level, "title": block.title}
    if isinstance(block, Paragraph):
        return {"paragraph": block.text}
    assert isinstance(block, Utterance), f"unexpected block: {block}"
    return {
        "utterance": block.number,
        "label": block.speaker.label,
        "role": block.speaker.role,
        "name": block.speaker.name,
        "item": block.item_id,
        "parts": [["stage" if isinstance(p, StageDirection) else "p", p.text] for p in block.parts],
    }


@pytest.mark.parametrize("case", sorted(p.stem for p in FIXTURES.glob("*.md")))
def test_format_fixture(case: str) -> None:
    record = (FIXTURES / f"{case}.md").read_text(encoding="utf-8")
    meeting, diagnostics = read_meeting_text(FRONT.format(extra="") + record, "test/2022-02-14.md")
    assert diagnostics == []
    assert meeting is not None
    expected = json.loads((FIXTURES / f"{case}.json").read_text(encoding="utf-8"))
    assert [summarize(b) for b in meeting.record] == expected


def test_line_numbers_point_into_the_file() -> None:
    text = FRONT.format(extra="venue: 会議室\n") + "前文です。\n\n## １ 開会\n\n○会長　開会します。\n\n続けます。\n"
    meeting, _ = read_meeting_text(text, "test/2022-02-14.md")
    assert meeting is not None
    item, utterance = meeting.record
    assert (item.line, utterance.line, utterance.parts[1].line) == (9, 11, 13)


def test_preamble_is_markdown_before_the_first_utterance_or_heading() -> None:
    text = FRONT.format(extra="") + "会議次第\n\n\\○本日の会議に付した案件\n\n○議長　開会します。\n"
    meeting, _ = read_meeting_text(text, "test/2022-02-14.md")
    assert meeting is not None
    assert meeting.preamble == "会議次第\n\n\\○本日の会議に付した案件"
    assert str(markdown(meeting.preamble)) == "<p>会議次第</p>\n<p>○本日の会議に付した案件</p>\n"
    assert len(meeting.utterances) == 1


def test_speakers_map_completes_the_label() -> None:
    extra = "speakers:\n  議長（額賀福志郎君）: {name: 額賀福志郎, position: 議長, group: 無所属}\n"
    meeting, _ = read_meeting_text(FRONT.format(extra=extra) + "○議長（額賀福志郎君）　開会します。\n", "t/2022-02-14.md")
    assert meeting is not None
    speaker = meeting.utterances[0].speaker
    assert (speaker.role, speaker.name, speaker.position, speaker.group) == ("議長", "額賀福志郎", "議長", "無所属")


def test_markup_in_speech_is_kept_as_text() -> None:
    text = FRONT.format(extra="") + "○委員　<img src=x onerror=alert(1)> と *強調* です。\n"
    meeting, _ = read_meeting_text(text, "t/2022-02-14.md")
    assert meeting is not None
    assert meeting.utterances[0].text == "<img src=x onerror=alert(1)> と *強調* です。"


def test_astral_and_rare_characters_survive() -> None:
    text = FRONT.format(extra="") + "○委員　𠮟責と髙﨑さん、ｉＰａｄ。\n"
    meeting, _ = read_meeting_text(text, "t/2022-02-14.md")
    assert meeting is not None and meeting.utterances[0].text == "𠮟責と髙﨑さん、ｉＰａｄ。"


def test_numbers_keep_how_they_were_written() -> None:
    # YAML 1.1 reads 14:00 as 840 (base 60) and 0x10 as 16: text fields keep the file's characters.
    extra = "time: 14:00-17:15\nvenue: 0x10\nobservers: 1_000\nmaterials: [1.10, 資料]\n"
    meeting, diagnostics = read_meeting_text(FRONT.format(extra=extra) + "○会長　開会。\n", "t/2022-02-14.md")
    assert diagnostics == [] and meeting is not None
    assert (meeting.time, meeting.venue, meeting.observers, meeting.materials) == ("14:00-17:15", "0x10", "1_000", ["1.10", "資料"])
    meeting, _ = read_meeting_text(FRONT.format(extra="time: 14:00\n") + "○会長　開会。\n", "t/2022-02-14.md")
    assert meeting is not None and meeting.time == "14:00"


def test_preamble_text_has_no_markdown_escapes() -> None:
    text = FRONT.format(extra="") + "会議次第\n\n\\○本日の会議に付した案件\n\n1\\. 議案\n\n○議長　開会します。\n"
    meeting, _ = read_meeting_text(text, "t/2022-02-14.md")
    assert meeting is not None
    assert meeting.preamble_text == "会議次第\n○本日の会議に付した案件\n1. 議案"


def test_numbers_split_across_lines_join_without_a_space() -> None:
    meeting, _ = read_meeting_text(FRONT.format(extra="") + "○委員　予算は12\n34万円、LGWAN\nservice です。\n", "t/2022-02-14.md")
    assert meeting is not None and meeting.utterances[0].text == "予算は1234万円、LGWAN service です。"
