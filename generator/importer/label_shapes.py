"""The shapes of speaker labels and the character classes the label reader is built of.

`shape` says whether a compacted word is a speaker label and which kind (`議長`, `議長（多田政拓君）`,
`高橋（か）委員`, `山田太郎君`, `（山田太郎議長）`); the patterns here are shared by the reader
(`labels.py`) and by what tells rosters and tables from speech (`rosters.py`).
"""

from __future__ import annotations

import functools
import re

from .headings import DIRECTION_WORDS

SPACE = " \t\u3000"
MARKERS = "○〇◯◆◎□△●◇■"
"""Marks printed before a speaker's label."""
MEMBER_MARKERS = "◆"
"""Marks that commercial minutes systems print before a member's label."""
OFFICIAL_MARKERS = "◎"
"""Marks that commercial minutes systems print before the mayor's and officials' labels."""

J = "\u3005\u3006\u30f6\u30fc\u30fb\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003ffff"
"""Japanese letters: kana, kanji (the astral ones too), 々, ヶ, ー and the middle dot."""
KANJI = re.compile("[\u3005\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff\u30a0-\u30ff]")
HIRAGANA_ONLY = re.compile("[\u3040-\u309f]+")
DIGITS = "0-9０-９〇一二三四五六七八九十百"
OPEN, CLOSE = "（(〔［[【", "）)〕］]】"
PAIRS = dict(zip(OPEN, CLOSE))
ARABIC = frozenset("0123456789０１２３４５６７８９")
"""Digits that cannot open a name (kanji numerals can: 三浦, 五十嵐, 一ノ瀬)."""

# What a label ends with: a role (any …長, …委員, …監, a side such as 区側), or an honorific.
ROLE_END = (
    r"長|委員|議員|理事|参事|参与|主幹|主査|主事|主任|監|管理者|書記|事務局|幹事|説明員|説明者|参考人|証人|"
    r"公述人|監査人|代理人|管財人|大臣|政務官|知事|補佐|専門員|担当|司会|司会者|座長|側|当局|執行部|顧問|官|代表|職員|"
    r"オブザーバー|アドバイザー|コーディネーター|講師|技師|係|兼務|事務取扱"
)
HONORIFIC = r"君|議員|様|さん|氏|委員"
FINAL = frozenset(word[-1] for word in f"{ROLE_END}|{HONORIFIC}|番".split("|")) | frozenset(CLOSE)
"""The characters a label can end with: a cheap first test, since most lines open with no label."""
PUNCTUATION = re.compile(r"[、。，．,「」『』？！?!:：；;＝=]")
SEAT = rf"第?[{DIGITS}]{{1,4}}番"
NAME = rf"[{J}]{{1,12}}"
ROLE = re.compile(rf"(?:[{J}{DIGITS}]{{0,60}}?(?:{ROLE_END})|{SEAT}(?:議員)?)")
DISAMBIGUATED = re.compile(rf"(?P<name>{NAME})[（(][{J}]{{1,3}}[）)](?P<role>[{J}]{{0,20}}(?:{ROLE_END}))")
NAMED = re.compile(rf"(?P<role>[^（(【]+?)[（(【](?P<inner>(?:{SEAT})?[{J}]{{1,16}}(?:[（(][{J}]{{1,3}}[）)])?[{J}]{{0,4}})(?P<close>[）)】]?)")
TITLE = re.compile(f"[{J}{DIGITS}]{{1,60}}")
WITH_HONORIFIC = re.compile(rf"(?:{SEAT})?[{J}{DIGITS}]{{1,40}}(?:{HONORIFIC})")
# Lines of the header that look like a label: who attended, not who speaks.
NOT_SPEAKERS = re.compile(
    r"(?:出席|欠席|遅刻|早退|(?:説明|職務)のため[^。]{0,8}出席した|署名|会議録署名|傍聴)(?:説明)?(?:議員|委員|者|人|員|[^。]{0,6}職員)|"
    r"議事日程|会議次第|本日の会議に付した事件"
)
ERA_DATE = re.compile(f"(?:明治|大正|昭和|平成|令和)[元{DIGITS}]+年")
# Rows of a list of changes in membership (`○辞任　　相川　　博君`, `○選任　　原田　　大君`).
LIST_ROW = re.compile(r"(?:辞任|選任|辞職|就任|退任|補欠|欠員)")
LONGEST = 56
"""The longest label, compacted: Tokyo prints titles such as
`土屋オリンピック・パラリンピック準備局ラグビーワールドカップ準備担当部長国際大会準備担当部長兼務` (51)."""
ENDS_HONORIFIC = re.compile(f"(?:{HONORIFIC})$")
SEAT_LABEL = re.compile(f"{SEAT}(?:議員)?")
SEAT_FIRST = re.compile(f"^{SEAT}")
LETTERS = re.compile(f"[{J}]+")
PIECE = re.compile(f"[^{SPACE}]+")
COMPACT = re.compile(f"[{SPACE}]+")
HIRAGANA_ANY = re.compile("[\u3040-\u309f]")
# What no speech opens with: a comma, a mark opening the next row of a list, a particle or a
# conjunction that goes on with a sentence wrapped after a name (`…君　を指名いたします。`).
CONTINUES = re.compile(r"[，,、]|[○◯](?!〇)|(?:の|を|が|及び|並びに|又は|若しくは|宛て)(?![ぁ-ゖ])")


@functools.lru_cache(maxsize=8192)
def shape(label: str) -> str | None:
    """The shape of a compacted label, or None when it is no speaker label.

    `role` (議長, 山田委員, １番), `named` (議長（多田政拓君）, with or without its closing bracket),
    `disambiguated` (高橋（か）委員), `honorific` (山田太郎君, 議長山田太郎君), `bracketed` (（山田太郎議長）).
    """
    if not label or label[-1] not in FINAL or len(label) > LONGEST or PUNCTUATION.search(label):
        return None
    if label[0] in "〇" or not KANJI.search(label) or NOT_SPEAKERS.search(label) or LIST_ROW.match(label):
        return None
    if ERA_DATE.match(label):
        return None  # `昭和六十二年四月第五商業高等学校事務室長`: a row of a career history
    if label[0] in OPEN and label[-1] == PAIRS.get(label[0]):
        inner = label[1:-1]
        return "bracketed" if inner and inner[0] not in OPEN and shape(inner) in ("role", "honorific", "disambiguated") else None
    if DISAMBIGUATED.fullmatch(label):
        return "disambiguated"
    named = NAMED.fullmatch(label)
    if named:
        role, inner = named["role"], named["inner"]
        # A name with an honorific in brackets is a label whatever the title before it says.
        honorific = ENDS_HONORIFIC.search(inner) is not None
        if "【" in label and not honorific:
            return None  # `市執行部　【生活環境部】`: a heading of the officials' list; `議長【及川栄吉君】` speaks
        if (ROLE.fullmatch(role) or role == "" or honorific and TITLE.fullmatch(role)) and _name_inside(
            inner, closed=bool(named["close"])
        ):
            return "named"
        return None
    if re.search(r"[（(）)〔〕【】]", label):
        return None
    if label.endswith(("君", "氏", "様", "さん")) and WITH_HONORIFIC.fullmatch(label):
        # A seat opens `１番山田太郎君`; any other digit first is a number, not a name.
        return "honorific" if label[0] not in ARABIC or re.match(SEAT, label) else None
    if ROLE.fullmatch(label) and (label[0] not in ARABIC or SEAT_LABEL.fullmatch(label)):
        # A digit opens a seat (`１番`), never an office: `1東京都知事` is a row of a table.
        return "role"
    return None


def _name_inside(inner: str, closed: bool) -> bool:
    """Whether the text in a label's brackets is a name: `多田政拓君`, `１番 山田太郎`, `山田議員`."""
    name = SEAT_FIRST.sub("", inner)
    if not name or name[0] in ARABIC:
        return False
    if ENDS_HONORIFIC.search(name):
        return True
    # Without its closing bracket, only an honorific shows where the name ends; a note in
    # brackets after a label (（資料により説明）) is no name.
    return (
        closed
        and len(name) <= 10
        and not re.search("[\u3040-\u309f]{4}", name)
        and not HIRAGANA_ONLY.fullmatch(name)
        and not DIRECTION_WORDS.search(name)
    )


def joined_words(pieces: list[str]) -> list[str]:
    """The words of space-separated pieces, letter-spaced runs joined (`村 長` → `村長`)."""
    words: list[str] = []
    run = ""
    for piece in pieces:
        if len(piece) == 1 and piece not in ARABIC:
            run += piece
            continue
        if run:
            words.append(run)
            run = ""
        words.append(piece)
    if run:
        words.append(run)
    return words


def is_bare_name(text: str) -> bool:
    """Whether `text` is one name as rosters print it (`植竹ゆかり`, `長谷部　健`), spaces aside."""
    return name_shaped(COMPACT.sub("", text)) and len(PIECE.findall(text)) <= 2


def name_shaped(text: str) -> bool:
    """A name as a roster prints it: two to eight kanji or kana, no digits, not only hiragana."""
    return 2 <= len(text) <= 8 and bool(LETTERS.fullmatch(text)) and not HIRAGANA_ONLY.fullmatch(text)


def speech_like(rest: str) -> bool:
    """Whether the text after a bare label reads as speech rather than a roster's name (`市長　佐藤一郎`)."""
    pieces = PIECE.findall(rest)
    if len(pieces) >= 2 and all(len(piece) == 1 for piece in pieces):
        return False  # a letter-spaced name: `樋 口 し ほ み`
    return (
        sum(map(len, pieces)) > 8
        or rest[0] in OPEN
        or bool(re.search(r"[、。，．？！]", rest))
        or HIRAGANA_ONLY.search(rest) is not None
    )
