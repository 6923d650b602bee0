"""The Markdown writer: one `ImportedMeeting` as one file of the minutes format.

Every importer hands its meetings to `meeting_to_markdown`, so the format's escaping rules live
here alone. The contract is that the reader gives back exactly the text that was written:
utterance labels and speeches, headings, stage directions and the preamble, character for
character, except leading and trailing whitespace of a paragraph (Markdown trims it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml

from ..minutes_markdown import CIRCLES
from .record import (
    ImportedBlock,
    ImportedDecision,
    ImportedHeading,
    ImportedMeeting,
    ImportedParagraph,
    ImportedStageDirection,
    ImportedUtterance,
)

LABEL_SEPARATOR = "\u3000"
"""The full-width space between an utterance's label and its speech."""

_ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
# A backslash before ASCII punctuation is a CommonMark escape, and the reader also drops it
# before a circle (`\○`): in both places a literal backslash must itself be escaped.
_BACKSLASH = re.compile(r"\\(?=[" + re.escape(_ASCII_PUNCTUATION + CIRCLES) + "])")
# `&amp;`, `&#12354;`: the reader would otherwise show the character the entity stands for.
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# Characters that open a Markdown block at the start of a line: headings, quotes, lists,
# thematic breaks and setext underlines, tables, code fences, HTML, link reference definitions.
_BLOCK_MARKERS = "#>-+*=_|`~<["
_ORDERED_LIST = re.compile(r"[0-9]+(?=[.)])")
# What markdown-it trims from both ends of a paragraph (CommonMark whitespace and U+3000): a
# circle after such a run still opens an utterance, so the escape goes right before the circle.
_TRIMMED = " \t\v\f\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
# What can open inline markup in a rendered paragraph; `\\` first, so no escape is doubled.
_INLINE_MARKUP = re.compile(r"[\\`*_\[\]<>!&]")
_LINE_BREAK = re.compile(r"[\r\n]")


class _Dumper(yaml.SafeDumper):
    """Safe YAML output with flow style only where it was asked for (short lists and entries)."""

    def ignore_aliases(self, data: Any) -> bool:
        # Anchors and aliases (`&id001`) would puzzle anyone editing the front matter by hand.
        return True


class _FlowMap(dict):
    """A mapping written in flow style: `{name: 額賀福志郎, position: 議長}`."""


class _FlowList(list):
    """A list written in flow style: `[浅田, 植野, 岡田]`."""


class _Quoted(str):
    """A string always written in double quotes (a time such as `14:00` would read as a number)."""


_Dumper.add_representer(
    _FlowMap, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)
)
_Dumper.add_representer(
    _FlowList, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)
)
_Dumper.add_representer(
    _Quoted, lambda dumper, data: dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style='"')
)


UTTERANCE_END = "* * *"
"""A thematic break: ends the current utterance, so that the paragraphs after it stand alone."""


def meeting_to_markdown(meeting: ImportedMeeting) -> str:
    """Write `meeting` in the Markdown minutes format: front matter, preamble, then the record.

    Blocks are written in order and read back in order. A stage direction that follows an
    utterance is read as part of it, as the format has it; a paragraph outside any utterance that
    follows one (the record's closing 以上, signatures) is written after a thematic break `* * *`,
    which ends the utterance. Raises ValueError for what the format cannot hold: an utterance whose first part is empty,
    a label that is empty or contains a space, a heading that is not level 2 or 3, or a paragraph
    with a line break in it (each paragraph is written on one line and never wrapped).
    """
    paragraphs: list[str] = []
    for text in meeting.preamble:
        paragraphs.extend(_plain_paragraph(text, escape=escape_preamble))
    in_utterance = False
    for block in meeting.blocks:
        if isinstance(block, ImportedParagraph) and in_utterance:
            paragraphs.append(UTTERANCE_END)
        if isinstance(block, (ImportedHeading, ImportedParagraph)):
            in_utterance = False
        elif isinstance(block, ImportedUtterance):
            in_utterance = True
        paragraphs.extend(_block_paragraphs(block))
    body = "\n\n".join(paragraphs)
    return f"---\n{front_matter_yaml(meeting)}---\n" + (f"\n{body}\n" if body else "")


def front_matter_yaml(meeting: ImportedMeeting) -> str:
    """The front matter of `meeting` as YAML (without the `---` fences), keys in the format's order."""
    values: dict[str, Any] = {"title": meeting.title, "date": meeting.date}
    if meeting.time is not None:
        values["time"] = _Quoted(meeting.time)
    if meeting.venue is not None:
        values["venue"] = meeting.venue
    if isinstance(meeting.attendees, dict):
        values["attendees"] = {group: _FlowList(names) for group, names in meeting.attendees.items()}
    elif meeting.attendees is not None:
        values["attendees"] = _FlowList(meeting.attendees)
    if meeting.observers is not None:
        values["observers"] = meeting.observers
    if meeting.materials:
        values["materials"] = _FlowList(meeting.materials)
    if meeting.speakers:
        values["speakers"] = {
            label: _FlowMap((key, info[key]) for key in ("name", "position", "group", "side", "role", "reading") if info.get(key) is not None)
            for label, info in meeting.speakers.items()
        }
    if meeting.decisions:
        values["decisions"] = [_decision(decision) for decision in meeting.decisions]
    for key, value in (
        ("source_url", meeting.source_url),
        ("pdf_url", meeting.pdf_url),
        ("issue_id", meeting.issue_id),
    ):
        if value is not None:
            values[key] = value
    return yaml.dump(values, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def _decision(decision: ImportedDecision) -> _FlowMap:
    entry = _FlowMap()
    entry["item"] = decision.item
    if decision.subject is not None:
        entry["subject"] = decision.subject
    entry["result"] = decision.result
    # Counts are always written, null where the record gives none, so a reader sees the gap.
    entry["for"] = decision.votes_for
    entry["against"] = decision.votes_against
    if decision.method is not None:
        entry["method"] = decision.method
    return entry


def _block_paragraphs(block: ImportedBlock) -> list[str]:
    if isinstance(block, ImportedHeading):
        return [_heading(block)]
    if isinstance(block, ImportedUtterance):
        return _utterance(block)
    if isinstance(block, (ImportedStageDirection, ImportedParagraph)):
        return _plain_paragraph(block.text)
    raise TypeError(f"not a block of an imported meeting: {block!r}")


def _heading(heading: ImportedHeading) -> str:
    if heading.level not in (2, 3):
        raise ValueError(f"line {heading.line}: heading level {heading.level} is not 2 or 3: {heading.text!r}")
    text = _one_line(heading.text, heading.line).strip(" \t")
    if not text:
        raise ValueError(f"line {heading.line}: empty heading")
    text = escape_inline(text)
    # Markdown drops a closing run of `#` after a space; an escaped first `#` keeps the run.
    trailing = len(text) - len(text.rstrip("#"))
    if trailing:
        text = text[:-trailing] + "\\" + text[-trailing:]
    return "#" * heading.level + " " + text


def _utterance(utterance: ImportedUtterance) -> list[str]:
    label = utterance.label
    if not label or any(char.isspace() or char in _TRIMMED for char in label):
        raise ValueError(f"line {utterance.line}: speaker label {label!r} is empty or contains a space")
    texts = [part.text for part in utterance.parts]
    first = _one_line(texts[0], utterance.line).strip(_TRIMMED) if texts else ""
    if not first:
        # The reader rejects a label with nothing after it, so this cannot be written.
        raise ValueError(f"line {utterance.line}: utterance of {label!r} has an empty first part")
    paragraphs = [f"○{escape_inline(label)}{LABEL_SEPARATOR}{escape_inline(first)}"]
    for text in texts[1:]:
        paragraphs.extend(_plain_paragraph(text, utterance.line))
    return paragraphs


def _plain_paragraph(text: str, line: int | None = None, escape: Callable[[str], str] | None = None) -> list[str]:
    """A paragraph that is not an utterance, escaped (by `escape_paragraph` unless told); none for a blank one."""
    text = _one_line(text, line).strip(" \t")
    if not text.strip(_TRIMMED):
        return []
    return [(escape or escape_paragraph)(text)]


def _one_line(text: str, line: int | None) -> str:
    if _LINE_BREAK.search(text):
        where = f"line {line}: " if line is not None else ""
        raise ValueError(f"{where}paragraph contains a line break: {text!r}")
    return text


def escape_inline(text: str) -> str:
    """Escape `text` inside a paragraph: literal backslashes before punctuation, and entity look-alikes."""
    return _ENTITY.sub(r"\\&", _BACKSLASH.sub(r"\\\\", text))


def escape_paragraph(text: str) -> str:
    """Escape `text` as a whole paragraph that is not an utterance and must read back unchanged."""
    return _escape_block_start(escape_inline(text))


def escape_preamble(text: str) -> str:
    """Escape `text` as a preamble paragraph, which is rendered as Markdown and must show unchanged.

    The record's paragraphs are shown as text, but the preamble goes through the Markdown
    renderer, so every character that can open inline markup (emphasis, code, links, images,
    autolinks, entities) is escaped, and a literal backslash with them.
    """
    return _escape_block_start(_INLINE_MARKUP.sub(r"\\\g<0>", text))


def _escape_block_start(text: str) -> str:
    """`text` with the start escaped that would otherwise open a Markdown block or an utterance."""
    lead = len(text) - len(text.lstrip(_TRIMMED))
    if lead < len(text) and text[lead] in CIRCLES:
        return text[:lead] + "\\" + text[lead:]
    if text[0] in _BLOCK_MARKERS:
        return "\\" + text
    number = _ORDERED_LIST.match(text)
    if number:
        return text[: number.end()] + "\\" + text[number.end() :]
    return text
