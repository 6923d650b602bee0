"""The Markdown writer: what it writes reads back, through the project's reader, as the same record."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.common.utils import MD_TRIM_CHARS

from generator.importer.record import (
    ImportedDecision,
    ImportedHeading,
    ImportedMeeting,
    ImportedParagraph,
    ImportedStageDirection,
    ImportedUtterance,
)
from generator.importer.writer import meeting_to_markdown
from generator.models import AgendaItem, Meeting, StageDirection, Utterance
from generator.reader import read_meeting_text
from generator.render import markdown


def read_back(meeting: ImportedMeeting) -> Meeting:
    """Write `meeting`, read the Markdown with the reader, and fail on any reader error."""
    markdown = meeting_to_markdown(meeting)
    result, diagnostics = read_meeting_text(markdown, "body/2022-02-14.md")
    errors = [str(d) for d in diagnostics if d.is_error]
    assert result is not None and not errors, (errors, markdown)
    return result


def trimmed(text: str) -> str:
    # Markdown trims a paragraph's ends (ASCII and full-width spaces alike): that is all it may change.
    return text.strip(MD_TRIM_CHARS)


def utterance_texts(meeting: Meeting) -> list[tuple[str, list[str]]]:
    return [(u.speaker.label, [part.text for part in u.parts]) for u in meeting.utterances]


def said(*texts: str) -> list[ImportedParagraph]:
    """Paragraphs of a speech, all on line 1 (the writer does not use their lines)."""
    return [ImportedParagraph(text, 1) for text in texts]


def make_meeting(**fields: object) -> ImportedMeeting:
    return ImportedMeeting(title="令和３年度第７回 情報公開・個人情報保護審議会", date=dt.date(2022, 2, 14), **fields)  # type: ignore[arg-type]


TRICKY = [
    "○本日の会議に付した案件",
    "〇災害対策特別委員",
    "◯印の付いた議案",
    "　　○字下げされた丸",
    "# 見出しではない",
    "> 引用ではない",
    "- 箇条書きではない",
    "+ 同じく",
    "* 同じく",
    "=== 下線ではない",
    "___",
    "| 表ではない |",
    "```",
    "~~~ 囲みではない",
    "<div>ＨＴＭＬではない</div>",
    "[参照]: https://example.jp/",
    "1. 番号付きではない",
    "12) これも",
    "C:\\temp\\*.txt と \\○ と \\\\ と末尾の\\",
    "&amp; と &#12354; はそのまま",
    "**強調ではない** と `コードではない` と [リンク](ではない)",
    "　全角空白で始まる段落（字下げ）",
]


def test_tricky_paragraphs_read_back_unchanged() -> None:
    parts: list[ImportedParagraph | ImportedStageDirection] = [
        *said("最初の段落です。", *TRICKY),
        ImportedStageDirection("〔「異議なし」と呼ぶ者あり〕", 1),
    ]
    meeting = make_meeting(
        blocks=[
            ImportedHeading(2, "１ 会長あいさつ", 1),
            ImportedUtterance("会長", 1, parts),
            ImportedHeading(3, "（１）諮問について #", 2),
            ImportedStageDirection("（投  票）", 3),
            ImportedUtterance("区側", 2, [ImportedStageDirection("（資料により説明）（約６分）", 2)]),
            ImportedUtterance("委員", 4, said("\\○で始まる発言")),
        ]
    )
    result = read_back(meeting)
    expected_parts = ["最初の段落です。", *[trimmed(t) for t in TRICKY], "〔「異議なし」と呼ぶ者あり〕"]
    assert utterance_texts(result) == [
        ("会長", expected_parts),
        ("区側", ["（資料により説明）（約６分）"]),
        ("委員", ["\\○で始まる発言"]),
    ]
    headings = [(b.level, b.title) for b in result.record if isinstance(b, AgendaItem)]
    assert headings == [(2, "１ 会長あいさつ"), (3, "（１）諮問について #")]
    # A stage direction before any utterance of its section stands on its own, nobody's words.
    assert [b.text for b in result.record if isinstance(b, StageDirection)] == ["（投  票）"]
    assert isinstance(result.utterances[1].parts[0], StageDirection)


def test_each_paragraph_is_one_line_and_utterances_start_with_the_circle() -> None:
    long_speech = "それでは、定刻になりましたので、ただいまより" * 20
    markdown = meeting_to_markdown(make_meeting(blocks=[ImportedUtterance("会長", 1, said(long_speech, "続きです。"))]))
    body = markdown.split("---\n", 2)[2]
    assert body == f"\n○会長\u3000{long_speech}\n\n続きです。\n"


def test_preamble_lines_with_a_circle_are_escaped_and_start_no_utterance() -> None:
    meeting = make_meeting(
        preamble=["令和六年十月九日（水曜日）", "○本日の会議に付した案件", "　石破内閣不信任決議案"],
        blocks=[ImportedUtterance("議長（額賀福志郎君）", 1, said("これより会議を開きます。"))],
    )
    markdown = meeting_to_markdown(meeting)
    assert "\n\\○本日の会議に付した案件\n" in markdown
    result = read_back(meeting)
    assert utterance_texts(result) == [("議長（額賀福志郎君）", ["これより会議を開きます。"])]


class _RenderedParagraphs(HTMLParser):
    """The text of each paragraph of rendered HTML, and every tag met (to catch stray markup)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.tags: set[str] = set()
        self.inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "p":
            self.paragraphs.append("")
            self.inside = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.paragraphs[-1] += data


def test_preamble_shows_every_character_once_rendered() -> None:
    preamble = ["__重要__", "資料[1](a)", "*強調* と ![画像](b.png) と <https://example.jp/>", *TRICKY]
    meeting = make_meeting(preamble=preamble, blocks=[ImportedUtterance("会長", 1, said("開会します。"))])
    result = read_back(meeting)
    rendered = _RenderedParagraphs()
    rendered.feed(str(markdown(result.preamble)))
    assert rendered.paragraphs == [trimmed(text) for text in preamble]
    assert rendered.tags == {"p"}
    # The open data takes the preamble as text: the escapes are gone there too.
    assert result.preamble_text == "\n".join(trimmed(text) for text in preamble)


def test_front_matter_keeps_order_types_and_strings() -> None:
    meeting = make_meeting(
        time="14:00-17:15",
        venue="yes",
        attendees={"委員": ["浅田", "植野"], "区側": ["情報政策推進部長"]},
        observers=0,
        materials=["0:10", "null"],
        speakers={"議長（額賀福志郎君）": {"name": "額賀福志郎", "position": "議長", "group": "無所属"}},
        decisions=[
            ImportedDecision(item="item-1-1", result="承認", method="投票", votes_for=19, votes_against=1),
            ImportedDecision(item="item-2", result="承認", method="異議なし"),
        ],
        source_url="https://example.jp/minutes/1",
        pdf_url="https://example.jp/minutes/1.pdf",
        issue_id="121405254X00420241009",
        blocks=[
            ImportedHeading(2, "２ 議事", 1),
            ImportedHeading(3, "（１）諮問", 2),
            ImportedHeading(2, "３ 報告", 3),
            ImportedUtterance("会長", 4, said("はい。")),
        ],
    )
    markdown = meeting_to_markdown(meeting)
    front = markdown.split("---\n")[1]
    assert "\ndate: 2022-02-14\n" in front
    assert '\ntime: "14:00-17:15"\n' in front
    assert "議長（額賀福志郎君）: {name: 額賀福志郎, position: 議長, group: 無所属}" in front
    values = yaml.safe_load(front)
    assert list(values) == [
        "title", "date", "time", "venue", "attendees", "observers", "materials",
        "speakers", "decisions", "source_url", "pdf_url", "issue_id",
    ]  # fmt: skip
    assert values["date"] == dt.date(2022, 2, 14)
    assert values["venue"] == "yes" and values["materials"] == ["0:10", "null"] and values["observers"] == 0
    assert values["decisions"] == [
        {"item": "item-1-1", "result": "承認", "for": 19, "against": 1, "method": "投票"},
        {"item": "item-2", "result": "承認", "for": None, "against": None, "method": "異議なし"},
    ]
    result = read_back(meeting)
    assert [(d.item, d.votes_for, d.votes_against) for d in result.decisions] == [("item-1-1", 19, 1), ("item-2", None, None)]


@pytest.mark.parametrize(
    ("utterance", "problem"),
    [
        (ImportedUtterance("会長", 7, []), "empty first part"),
        (ImportedUtterance("会長", 7, said("  \u3000 ", "続き")), "empty first part"),
        (ImportedUtterance("議長 (山田君)", 7, said("はい。")), "contains a space"),
        (ImportedUtterance("", 7, said("はい。")), "is empty"),
        (ImportedUtterance("会長", 7, said("一行目\n二行目")), "line break"),
    ],
)
def test_what_the_format_cannot_hold_is_refused(utterance: ImportedUtterance, problem: str) -> None:
    with pytest.raises(ValueError, match=problem) as raised:
        meeting_to_markdown(make_meeting(blocks=[utterance]))
    assert "line 7" in str(raised.value)


# Characters that mean something to Markdown or to the minutes format, among ordinary text.
_ALPHABET = "○〇◯\\#>-+*=_|`~<[]()!&;:.)0123456789 \t\u3000\u00a0あ漢字（）〔〕「」。、abcZ"
_text = st.text(alphabet=_ALPHABET, min_size=1, max_size=30).filter(lambda t: t.strip(MD_TRIM_CHARS) != "")
_label = st.text(alphabet="会長区側委員議（）君〇○0123456789abc\\#-", min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    turns=st.lists(st.tuples(_label, st.lists(_text, min_size=1, max_size=4)), min_size=1, max_size=4),
    heading=_text,
)
def test_any_text_reads_back_as_written(turns: list[tuple[str, list[str]]], heading: str) -> None:
    blocks: list[ImportedHeading | ImportedUtterance] = [ImportedHeading(2, heading, 1)]
    blocks += [ImportedUtterance(label, 2, said(*parts)) for label, parts in turns]
    result = read_back(make_meeting(blocks=blocks))
    assert utterance_texts(result) == [(label, [trimmed(p) for p in parts]) for label, parts in turns]
    assert [b.title for b in result.record if isinstance(b, AgendaItem)] == [heading.strip(MD_TRIM_CHARS)]
    assert all(isinstance(b, (AgendaItem, Utterance)) for b in result.record)


@settings(max_examples=100, deadline=None)
@given(
    title=_text,
    time=_text,
    label=_label,
    names=st.lists(_text, max_size=3),
    observers=st.one_of(st.integers(min_value=0, max_value=99), _text),
)
def test_front_matter_round_trips_through_yaml(title: str, time: str, label: str, names: list[str], observers: object) -> None:
    meeting = make_meeting(
        time=time,
        attendees={"委員": names},
        observers=observers,
        speakers={label: {"name": title, "group": time}},
        blocks=[ImportedParagraph("前文", 1)],
    )
    meeting.title = title
    values = yaml.safe_load(meeting_to_markdown(meeting).split("\n---\n")[0].removeprefix("---\n"))
    assert values["title"] == title and values["time"] == time and values["observers"] == observers
    assert values["attendees"] == {"委員": names}
    assert values["speakers"] == {label: {"name": title, "group": time}}
    assert values["date"] == dt.date(2022, 2, 14)


def test_closing_paragraphs_after_the_last_speech_stay_out_of_it() -> None:
    meeting = make_meeting(
        blocks=[
            ImportedUtterance(label="会長", line=1, parts=said("以上で閉会いたします。")),
            ImportedParagraph(text="以   上", line=3),
            ImportedParagraph(text="署名議員　工藤秀一", line=4),
        ]
    )
    read = read_back(meeting)
    assert utterance_texts(read) == [("会長", ["以上で閉会いたします。"])]
    assert [block.text for block in read.record[1:]] == ["以   上", "署名議員　工藤秀一"]
