"""The list of every message in docs/ja/errors.md, written from the Japanese catalog so it cannot drift.

`python -m generator.message_docs` rewrites the part of docs/ja/errors.md between its two markers;
tests/test_i18n.py fails when that part is not what this module writes from the catalog.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .i18n import DOMAIN, LOCALE_DIR

BEGIN = "<!-- messages: begin (written by python -m generator.message_docs; do not edit by hand) -->"
END = "<!-- messages: end -->"

# Where a message comes from decides the section it is listed in (first match wins).
SECTIONS: list[tuple[str, str]] = [
    ("generator/importer/", "会議録の取り込み（minutes import）"),
    ("generator/permalinks.py", "固定リンクの確認（minutes check --against）"),
    ("generator/serve/", "プレビュー（minutes serve）"),
    ("generator/search/", "検索（minutes search）"),
    ("generator/scaffold.py", "新しいアーカイブの作成（minutes init）"),
    ("generator/", "会議録の確認とサイトの作成（minutes check / build）"),
]


@dataclass(frozen=True)
class ListedMessage:
    """One message of the catalog as the guide lists it: English, Japanese and where it comes from."""

    english: str
    japanese: str
    source: str


def listed_messages(po_file: Path | None = None) -> list[ListedMessage]:
    """The catalog's whole messages, without command help, progress words and pieces of other messages."""
    from babel.messages.pofile import read_po

    path = po_file or LOCALE_DIR / "ja" / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    found = []
    for message in catalog:
        english = message.id[0] if isinstance(message.id, tuple) else message.id
        japanese = message.string[0] if isinstance(message.string, tuple) else message.string
        if english and _is_whole_message(english):
            found.append(ListedMessage(english, japanese, message.locations[0][0] if message.locations else ""))
    return found


def _is_whole_message(english: str) -> bool:
    """Whether `english` is a message a user reads on its own line (not --help text, not a piece)."""
    # --help texts start with a capital; pieces of other messages start with a space or a comma,
    # and words like "rebuilt" or "not valid JSON" only complete another message.
    if not english[0].islower() and english[0] not in "-{":
        return False
    return len(english.split()) >= 4


def render(messages: list[ListedMessage]) -> str:
    """The Markdown listing `messages` by section, each as its Japanese text and the English original."""
    lines = [BEGIN, ""]
    for prefix, title in SECTIONS:
        chosen = [m for m in messages if m.source.startswith(prefix) and _section_of(m) == title]
        if not chosen:
            continue
        lines += [f"### {title}", ""]
        for message in chosen:
            lines.append(f"- {_markdown(message.japanese)}  ")
            lines.append(f"  英語: {_code(message.english)}")
        lines.append("")
    lines.append(END)
    return "\n".join(lines) + "\n"


def _section_of(message: ListedMessage) -> str:
    return next(title for prefix, title in SECTIONS if message.source.startswith(prefix))


def _code(text: str) -> str:
    """`text` as inline code; a text holding a backtick is fenced with two, as Markdown allows."""
    one_line = " ".join(text.split("\n"))
    return f"`` {one_line} ``" if "`" in one_line else f"`{one_line}`"


def _markdown(text: str) -> str:
    """`text` safe inside a Markdown list item: a line end becomes a space, markup characters are escaped."""
    return re.sub(r"([\\`*_<>\[\]|])", r"\\\1", " ".join(text.split("\n")))


def rewrite(document: str, messages: list[ListedMessage]) -> str:
    """`document` with the part between the markers replaced by the current list."""
    start, end = document.index(BEGIN), document.index(END) + len(END) + 1
    return document[:start] + render(messages) + document[end:]


def main(argv: list[str]) -> int:
    """Rewrite the list in the guide given (default docs/ja/errors.md)."""
    path = Path(argv[0]) if argv else Path("docs/ja/errors.md")
    path.write_text(rewrite(path.read_text(encoding="utf-8"), listed_messages()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
