"""The speaker-label reader: every form of label the issue lists, in a minutes frame, and the lines
that open with a marker but name no speaker."""

from __future__ import annotations

import pytest

from generator.importer.pdftext import parse_pdf_text
from generator.importer.record import ImportedHeading, ImportedStageDirection, ImportedUtterance
from generator.importer.writer import meeting_to_markdown
from generator.reader import read_meeting_text

HEADER = "令和６年第１回テスト市議会定例会会議録\n令和６年３月１日（金曜日）午前10時開議\n"
OPENING = "○議長（山田太郎君）　ただいまから本日の会議を開きます。\n"


def read(record: str, header: str = HEADER) -> list[ImportedUtterance]:
    return parse_pdf_text(header + record, "forms.txt").utterances


def first_words(utterance: ImportedUtterance) -> str:
    """The start of the speech, stage directions marked `SD:`."""
    parts = [f"SD:{p.text}" if isinstance(p, ImportedStageDirection) else p.text for p in utterance.parts]
    return "|".join(parts)[:20]


# Each line is set after the chair's opening line; the second utterance must be read as given.
FORMS = [
    # markers
    ("〇市長（佐藤一郎君）　お答えします。", "市長（佐藤一郎君）", "お答えします。"),
    ("◯市長（佐藤一郎君）　お答えします。", "市長（佐藤一郎君）", "お答えします。"),
    ("◆１８番（鈴木花子議員）　質問します。", "１８番（鈴木花子議員）", "質問します。"),
    ("◎市長（佐藤一郎君）　お答えします。", "市長（佐藤一郎君）", "お答えします。"),
    ("□総務部長（田中次郎君）　説明します。", "総務部長（田中次郎君）", "説明します。"),
    ("●教育長（高橋三郎君）　説明します。", "教育長（高橋三郎君）", "説明します。"),
    # a role with the name in brackets, with or without an honorific inside
    ("○市長（佐藤一郎）　お答えします。", "市長（佐藤一郎）", "お答えします。"),
    ("○委員長（鈴木花子様）　報告します。", "委員長（鈴木花子様）", "報告します。"),
    ("○参考人（鈴木花子さん）　申し上げます。", "参考人（鈴木花子さん）", "申し上げます。"),
    # seats as the role, in full-width, half-width or kanji digits, with 第, or inside the brackets
    ("○１番（鈴木花子君）　質問します。", "１番（鈴木花子君）", "質問します。"),
    ("○12番(鈴木花子君)　質問します。", "12番(鈴木花子君)", "質問します。"),
    ("○十二番（鈴木花子君）　質問します。", "十二番（鈴木花子君）", "質問します。"),
    ("○第３番（鈴木花子君）　質問します。", "第３番（鈴木花子君）", "質問します。"),
    ("○議員（３番 鈴木花子）　質問します。", "議員（３番鈴木花子）", "質問します。"),
    # half-width brackets, and a closing bracket the source forgot
    ("○市長(佐藤一郎君)  お答えします。", "市長(佐藤一郎君)", "お答えします。"),
    ("○市長（佐藤一郎君　お答えします。", "市長（佐藤一郎君", "お答えします。"),
    # the name before the role, the name alone with 君, everything in brackets
    ("○鈴木委員長　報告します。", "鈴木委員長", "報告します。"),
    ("○鈴木花子君　質問します。", "鈴木花子君", "質問します。"),
    ("○（鈴木花子議長）　休憩します。", "（鈴木花子議長）", "休憩します。"),
    ("○（鈴木(花)委員）　質問します。", "（鈴木(花)委員）", "質問します。"),
    ("○〔鈴木委員〕　質問します。", "〔鈴木委員〕", "質問します。"),
    # disambiguated names and continuation marks
    ("○高橋（か）委員　私から質問します。", "高橋（か）委員", "私から質問します。"),
    ("○小松(久)委員　私から質問します。", "小松(久)委員", "私から質問します。"),
    ("◆１８番（鈴木花子議員）（続）　次に伺います。", "１８番（鈴木花子議員）", "SD:（続）|次に伺います。"),
    # spaces inside labels
    ("○町長（佐藤　一郎君）　お答えします。", "町長（佐藤一郎君）", "お答えします。"),
    ("○鈴木　花子委員長　報告します。", "鈴木花子委員長", "報告します。"),
    ("○総 務 部 長　説明します。", "総務部長", "説明します。"),
    ("○市長 佐藤 一郎君　お答えします。", "市長佐藤一郎君", "お答えします。"),
    # separators: none after a closing bracket, one half-width space, a stage direction after the label
    ("○市長（佐藤一郎君）お答えします。", "市長（佐藤一郎君）", "お答えします。"),
    ("○市長（佐藤一郎君） お答えします。", "市長（佐藤一郎君）", "お答えします。"),
    ("○市長（佐藤一郎君）〔登壇〕　お答えします。", "市長（佐藤一郎君）", "SD:〔登壇〕|お答えします。"),
    ("○１番（鈴木花子君）（拍手）　質問します。", "１番（鈴木花子君）", "SD:（拍手）|質問します。"),
    # a colon between label and speech (江別市), a closing bracket never opened (石岡市)
    ("○市長（佐藤一郎君）：お答えします。", "市長（佐藤一郎君）", "お答えします。"),
    ("○佐藤市長:お答えします。", "佐藤市長", "お答えします。"),
    ("○佐藤市長）お答えします。", "佐藤市長", "お答えします。"),
    ("○鈴木（行）委員長）お答えします。", "鈴木（行）委員長", "お答えします。"),
    # a speaker who speaks once, and a long title joined with 兼
    ("○安藤スポーツ振興局総務部長　招致に関する予算は計上しています。", "安藤スポーツ振興局総務部長", "招致に関する予算は計上"),
    ("◎総務部長兼危機管理監（田中次郎君）　説明します。", "総務部長兼危機管理監（田中次郎君）", "説明します。"),
]


@pytest.mark.parametrize(("line", "label", "speech"), FORMS, ids=[form[1] for form in FORMS])
def test_each_printed_form_gives_its_label_and_speech(line: str, label: str, speech: str) -> None:
    utterances = read(OPENING + line + "\n")
    assert [u.label for u in utterances] == ["議長（山田太郎君）", label]
    assert first_words(utterances[1]).startswith(speech)


def test_a_label_alone_on_its_line_speaks_on_the_next() -> None:
    utterances = read(OPENING + "○市長（佐藤一郎君）\nお答えします。\n")
    assert [(u.label, first_words(u)) for u in utterances][1] == ("市長（佐藤一郎君）", "お答えします。")


def test_a_role_and_a_bare_name_are_one_label_only_when_the_roster_prints_the_name() -> None:
    roster = "出席説明員\n総務課長　　田中次郎　　　企画課長　　伊藤五郎\n"
    line = "○総務課長 田中次郎　説明します。\n"
    with_roster = read(OPENING + line, HEADER + roster)
    assert with_roster[1].label == "総務課長田中次郎"
    assert first_words(with_roster[1]) == "説明します。"
    # Without a roster `田中次郎` might as well be the speech's first words: kept as speech.
    without = read(OPENING + line)
    assert (without[1].label, first_words(without[1])) == ("総務課長", "田中次郎\u3000説明します。")


@pytest.mark.parametrize(
    "line",
    [
        "◎ 日程第４ 議案第１号",
        "◎日程第４　議案第１号",
        "△開議の宣告",
        "○出席議員（２０名）",
        "○出席議員　２０名",
        "○議事日程（第２号）",
        "○議事日程 第２号",
        "○ 会議録署名議員",
        "○本日の会議に付した事件",
    ],
)
def test_marked_lines_that_name_no_speaker_never_speak(line: str) -> None:
    meeting = parse_pdf_text(HEADER + OPENING + line + "\n○市長（佐藤一郎君）　お答えします。\n", "forms.txt")
    assert [u.label for u in meeting.utterances] == ["議長（山田太郎君）", "市長（佐藤一郎君）"]


def test_the_kanji_zero_opening_a_wrapped_line_is_text_and_reported() -> None:
    record = OPENING + "○市長（佐藤一郎君）　割合は前年度より\n〇ポイント五上がりました。\n〇一三年度の数字です。\n"
    meeting = parse_pdf_text(HEADER + record, "forms.txt")
    assert [u.label for u in meeting.utterances] == ["議長（山田太郎君）", "市長（佐藤一郎君）"]
    assert "".join(p.text for p in meeting.utterances[1].parts) == "割合は前年度より〇ポイント五上がりました。〇一三年度の数字です。"
    lines = {note.line for note in meeting.notes if "kanji zero" in note.message}
    assert lines == {5, 6}


def test_a_roster_in_the_header_never_speaks_and_no_header_line_fails_the_meeting() -> None:
    header = (
        HEADER
        + "出席委員　十三名\n委員長　中村　明彦君\n副委員長泉谷つよし君\n委員　山田太郎君　鈴木花子君\n"
        + "説明のため出席した者\n市長　　佐藤一郎\n副市長　　伊藤五郎\n"
    )
    meeting = parse_pdf_text(header + OPENING + "○市長（佐藤一郎君）　お答えします。\n", "forms.txt")
    assert [u.label for u in meeting.utterances] == ["議長（山田太郎君）", "市長（佐藤一郎君）"]


def test_bare_labels_with_a_roster_block() -> None:
    header = HEADER + "委員長　中村　明彦君\n副委員長　泉谷つよし君\n本日の会議に付した事件\n予算の調査\n"
    record = "中村委員長　ただいまから委員会を開会いたします。\n泉谷副委員長　質問します。\n中村委員長　答弁を求めます。\n"
    meeting = parse_pdf_text(header + record, "forms.txt")
    assert [u.label for u in meeting.utterances] == ["中村委員長", "泉谷副委員長", "中村委員長"]


def test_the_printed_marker_becomes_the_speakers_side_and_the_record_is_written_with_the_format_marker() -> None:
    record = OPENING + "◆１８番（鈴木花子議員）　質問します。\n◎市長（佐藤一郎君）　お答えします。\n"
    meeting = parse_pdf_text(HEADER + record, "forms.txt")
    assert meeting.speakers == {"１８番（鈴木花子議員）": {"side": "member"}, "市長（佐藤一郎君）": {"side": "official"}}
    markdown = meeting_to_markdown(meeting)
    assert "\n○１８番（鈴木花子議員）\u3000質問します。\n" in markdown
    assert "\n○市長（佐藤一郎君）\u3000お答えします。\n" in markdown
    read_back, diagnostics = read_meeting_text(markdown, "body/2024-03-01.md", "body/2024-03-01.md")
    assert not diagnostics
    assert [u.speaker.side for u in read_back.utterances] == [None, "member", "official"]


def test_bare_labels_alone_on_their_line_speak_on_the_next() -> None:
    # 群馬県議会 委員会: the label on a line of its own, the speech indented below.
    record = "中村委員\n　委員はどういう人を選任するのか。\n関総務課長\n　教育委員会が委嘱することとなる。\n中村委員\n　了解した。\n"
    attendance = "３．出席委員\n委員長:中村紀雄、副委員長:安孫子哲\n委員:岩井均、委員:塚原仁\n４．欠席委員\nなし\n"
    meeting = parse_pdf_text(HEADER + attendance + record, "forms.txt")
    assert [(u.label, first_words(u)) for u in meeting.utterances] == [
        ("中村委員", "委員はどういう人を選任するのか。"),
        ("関総務課長", "教育委員会が委嘱することとなる。"),
        ("中村委員", "了解した。"),
    ]


def test_bare_labels_with_a_colon_or_a_stray_bracket_and_no_space() -> None:
    colon = "委員長（相馬君）：ただいまより委員会を開会いたします。\n本間君：議案第４４号について討論します。\n委員長（相馬君）：討論を終わります。\n"
    assert [(u.label, first_words(u)[:6]) for u in read(colon)] == [
        ("委員長（相馬君）", "ただいまより"),
        ("本間君", "議案第４４号"),
        ("委員長（相馬君）", "討論を終わります"[:6]),
    ]
    stray = "谷田川委員長）ただ今から，委員会を開会いたします。\n市長）本日は大変お忙しいところ，ありがとうございます。\n谷田川委員長）ありがとうございました。\n"
    assert [u.label for u in read(stray)] == ["谷田川委員長", "市長", "谷田川委員長"]
    # The officials present, listed with commas after the brackets, are the header.
    listed = "経済部長（市村明），経済部次長（沼田耕），農政課長（山田一）\n"
    assert [u.label for u in read(stray, HEADER + listed)] == ["谷田川委員長", "市長", "谷田川委員長"]


def test_a_table_of_names_and_offices_never_speaks() -> None:
    header = (
        HEADER
        + "出席議員（４名）\n　　１番　　片岡直博　　　２番　　河村　孝\n　　３番　　山本哲也　　　４番　　木下順一\n"
        + "議場出席説明者\n　　市長　　　木田久主一　　副市長　　木下憲一\n　　村 長 萩原 達雄 副 村 長 齋藤 一郎\n"
    )
    meeting = parse_pdf_text(header + OPENING + "○市長（佐藤一郎君）　お答えします。\n", "forms.txt")
    assert [u.label for u in meeting.utterances] == ["議長（山田太郎君）", "市長（佐藤一郎君）"]
    # The same table in minutes whose labels carry no mark.
    bare = "議長（山田太郎君）　ただいまから本日の会議を開きます。\n市長（佐藤一郎君）　お答えします。\n"
    meeting = parse_pdf_text(header.replace("議場出席説明者", "説明のため出席した者") + bare, "forms.txt")
    assert [u.label for u in meeting.utterances] == ["議長（山田太郎君）", "市長（佐藤一郎君）"]


def test_a_marked_label_alone_before_a_table_is_a_header_line() -> None:
    header = HEADER + "○議場出席説明者\n　　市長　　　木田久主一　　副市長　　木下憲一\n"
    meeting = parse_pdf_text(header + OPENING, "forms.txt")
    assert [u.label for u in meeting.utterances] == ["議長（山田太郎君）"]


def test_a_label_printed_without_the_documents_mark_speaks_only_after_its_speaker_takes_the_rostrum() -> None:
    # 熊本市議会: `○寺本義勝　議長` for the chair, the member's label printed without the mark.
    record = (
        "○寺本義勝　議長　　日程第１「一般質問」を行います。\n　田中敦朗議員。\n"
        "　　　〔３０番　田中敦朗議員　登壇　拍手〕\n田中敦朗　議員　　皆さん、おはようございます。\n"
        "○寺本義勝　議長　　投票の結果を報告します。\n田中　良議員　　百二十五票\n"
    )
    meeting = parse_pdf_text(HEADER + record, "forms.txt")
    assert [(u.label, first_words(u)[:5]) for u in meeting.utterances] == [
        ("寺本義勝議長", "日程第１「"),
        ("田中敦朗議員", "皆さん、お"),
        ("寺本義勝議長", "投票の結果を"[:5]),
    ]
    assert "田中\u3000良議員\u3000\u3000百二十五票" in "".join(p.text for p in meeting.utterances[2].parts)


def test_the_side_is_kept_only_where_the_minutes_print_both_marks() -> None:
    # 鳥取県議会 prints ◎ for the chair, ○ for members and ● for officials: ◎ says nothing of the side.
    record = "◎野田委員長　ただいまから開会します。\n○斉木委員　質問します。\n●山嵜警察本部長　お答えします。\n"
    meeting = parse_pdf_text(HEADER + record, "forms.txt")
    assert [u.label for u in meeting.utterances] == ["野田委員長", "斉木委員", "山嵜警察本部長"]
    assert meeting.speakers == {}


def test_labels_broken_over_two_lines_are_joined() -> None:
    # 松川村議会 as a minutes site stores it, and 行橋市教育委員会 as text from a PDF's table.
    broken = "◎村長(\n平林明人君) 皆様おはようございます。\n○議長(\n白澤富貴子君) 日程第４に入ります。\n"
    assert [(u.label, first_words(u)) for u in read(broken)] == [
        ("村長(平林明人君)", "皆様おはようございます。"),
        ("議長(白澤富貴子君)", "日程第４に入ります。"),
    ]
    cells = "○教育政策係長\n大園健朗君\nそれでは、教育委員会を開催します。\n○教育長\n笹山忠則君\nそれでは、開会させていただきます。\n"
    assert [(u.label, first_words(u)[:6]) for u in read(cells)] == [
        ("教育政策係長大園健朗君", "それでは、教"),
        ("教育長笹山忠則君", "それでは、開"),
    ]


def test_lenticular_brackets_hold_a_name_with_an_honorific_only() -> None:
    header = HEADER + "市執行部　【生活環境部】\n生活環境部長（広瀬峰昌）\n"
    record = "◯議長【及川栄吉君】  きのうに続きまして会議を開きます。\n◯町長【木村俊雄君】  お答えします。\n"
    assert [u.label for u in read(record, header)] == ["議長【及川栄吉君】", "町長【木村俊雄君】"]


def test_a_numbered_heading_run_into_a_label_is_split() -> None:
    # 羽村市都市計画審議会: the store ran the heading and the first label into one line.
    record = (
        "８ 会議の内容都市計画課係長（水野剛史君） 本日は、大変お忙しい中ありがとうございます。\n"
        "委員（永田好道君） 永田と申します。よろしくお願いします。\n"
        "都市計画課係長（水野剛史君） 次に、議案の説明に入ります。\n"
    )
    meeting = parse_pdf_text(HEADER + record, "forms.txt")
    assert [b.text for b in meeting.blocks if isinstance(b, ImportedHeading)] == ["８ 会議の内容"]
    assert [(u.line, u.label) for u in meeting.utterances] == [
        (3, "都市計画課係長（水野剛史君）"),
        (4, "委員（永田好道君）"),
        (5, "都市計画課係長（水野剛史君）"),
    ]


def test_the_triangle_opens_an_agenda_heading() -> None:
    record = OPENING + "△日程第１　一般質問\n○市長（佐藤一郎君）　お答えします。\n"
    meeting = parse_pdf_text(HEADER + record, "forms.txt")
    assert [b.text for b in meeting.blocks if isinstance(b, ImportedHeading)] == ["日程第１　一般質問"]
    assert [u.label for u in meeting.utterances] == ["議長（山田太郎君）", "市長（佐藤一郎君）"]


def test_a_roster_name_printed_with_a_space_still_tells_where_a_spaced_label_ends() -> None:
    roster = "出席説明員\n総務課長　　田中　次郎　　企画課長　　伊藤　五郎\n"
    record = OPENING + "○総務課長 田中 次郎　お答えします。\n○委員　山田太郎君　鈴木花子君\n"
    meeting = parse_pdf_text(HEADER + roster + record, "forms.txt")
    assert [(u.label, first_words(u)[:7]) for u in meeting.utterances] == [
        ("議長（山田太郎君）", "ただいまから本"),
        ("総務課長田中次郎", "お答えします。"),
    ]
    assert any(note.line == 7 and "roster line" in note.message for note in meeting.notes)


@pytest.mark.parametrize(
    "lines",
    [
        # a report's signature over its addressee
        "予算特別委員長　本橋ひろたか\n東京都議会議長　石川良一殿\n",
        # a petition's representative and its signers
        "代表　村田茂外九、一三八人\n",
        # a career history
        "昭和六十二年四月第五商業高等学校事務室長　平成元年四月総務局副主幹\n",
        # the end of a sentence wrapped after a name
        "六十九番森口つかさ君　を指名いたします。\n",
        # offices and names between commas
        "（委員）浅田、植野、岡田、前田、かいでん\n",
    ],
)
def test_lines_of_bare_minutes_that_never_speak(lines: str) -> None:
    record = "会長　　ただいまから審議会を開会します。\n委員　　資料について質問があります。\n" + lines + "会長　　以上です。\n"
    meeting = parse_pdf_text(HEADER + record, "forms.txt")
    assert [u.label for u in meeting.utterances] == ["会長", "委員", "会長"]
    kept = "".join(p.text for p in meeting.utterances[1].parts)
    assert lines.split("\n")[0].replace("　", "") in kept.replace("\u3000", "")
