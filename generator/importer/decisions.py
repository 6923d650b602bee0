"""Decisions (議決) read from what the record says: vote counts, results and how they were taken.

Two ways of deciding are common in minutes:
- a count, announced by the secretariat and confirmed by the chair, then the result
  (`賛成１９、反対１です。` … `本件諮問については承認といたします。`);
- no objection (`ご異議ありませんか。` (「異議なし」の声あり) `異議なしと認めます。したがって議案第１号は
  原案のとおり可決されました。`), the result worded as the record words it.

Every decision found is a reading of free text, so each is reported as a guess for review.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..i18n import _
from .headings import item_ids
from .record import (
    ImportedBlock,
    ImportedDecision,
    ImportedHeading,
    ImportedStageDirection,
    ImportedUtterance,
    SourceNote,
)

_N = r"[0-9０-９]+|ゼロ|なし|無し"
_COUNTS = re.compile(rf"賛成(?:が|は)?\s*(?P<for>{_N})\s*(?:名|人|票)?\s*[、，,]?\s*反対(?:が|は)?\s*(?P<against>{_N})")
_RESULT_WORDS = (
    ("不承認", "不承認"),
    ("承認", "承認"),
    ("否決", "否決"),
    ("可決", "可決"),
    ("継続審議", "継続審議"),
    ("継続して審議", "継続審議"),
    ("不採択", "不採択"),
    ("採択", "採択"),
    ("了承", "了承"),
)
# The chair's closing sentence: 本件諮問については承認といたします / 本件につきましては…継続して審議…
_CLOSING = re.compile(r"本件|本諮問|本案|本議案|したがって|よって|従って")
_NO_OBJECTION = re.compile(r"異議(?:なし|無し|がない|がありません)と認め")
_RESOLUTION = re.compile(
    r"(?:よって|したがって|従って)、?(?P<subject>[^。]+?)は、?(?P<result>[^。]+?)"
    r"(?:されました|いたしました|致しました|しました|されたものと認めます|とします|といたします)$"
)
_SUBJECT = re.compile(r"(?P<subject>[^、。]+?)(?:につきまして|について)、?(?:の)?(?:可否|賛否)")
_SUBJECT_LEAD = re.compile(r"^(?:まずは|まず|では|それでは|次に)、?")
_METHODS = (("投票", "投票"), ("投  票", "投票"), ("挙手", "挙手"), ("起立", "起立"))
_SPACE = re.compile(r"[ \t\u3000]+")


@dataclass
class _Sentence:
    text: str
    line: int
    item: str | None
    heading: str
    direction: bool
    """A stage direction, not speech."""


@dataclass
class _Vote:
    votes_for: int | None
    votes_against: int | None
    item: str | None
    heading: str
    line: int
    method: str | None
    subject: str | None


def find_decisions(blocks: list[ImportedBlock]) -> tuple[list[ImportedDecision], list[SourceNote]]:
    """The decisions the record states, each with a note asking for review (they are read from prose).

    A decision read before any agenda heading is not returned (the format ties each decision to
    an item) but reported, so that the editor can add it by hand.
    """
    decisions: list[ImportedDecision] = []
    notes: list[SourceNote] = []
    vote: _Vote | None = None
    method: str | None = None
    subject: str | None = None
    no_objection = False
    item: str | None = None
    for sentence in _sentences(blocks):
        if sentence.item != item:
            item, vote, method, subject, no_objection = sentence.item, None, None, None, False
        text = sentence.text
        if sentence.direction:
            method = _method(text) or method
            continue
        # Each pattern needs a word that few sentences hold: look for the word first, for speed.
        called = _SUBJECT.search(text) if "可否" in text or "賛否" in text else None
        if called:
            subject = _SUBJECT_LEAD.sub("", called["subject"]).strip()
        if vote is None and ("採決" in text or "可否" in text or "賛否" in text):
            method = _method(text) or method
        counts = _COUNTS.search(text) if "賛成" in text else None
        if counts and vote is None:
            vote = _Vote(
                _count(counts["for"]), _count(counts["against"]), item, sentence.heading, sentence.line, method, subject
            )
            continue
        if _NO_OBJECTION.search(text):
            no_objection = True
        resolution = _RESOLUTION.search(text) if "よって" in text or "したがって" in text or "従って" in text else None
        if vote is not None and _CLOSING.search(text):
            result = _result_word(text)
            if result == "継続審議" and vote.subject and vote.votes_for is not None and vote.votes_against is not None:
                # The vote was on a named question (小委員会の設置) and passed or failed by its counts;
                # 継続審議 in the chair's closing words is what then happens to the item itself.
                result = "承認" if vote.votes_for > vote.votes_against else "不承認"
            if result and vote.item is None:
                notes.append(_unplaced(sentence.line))
                vote, method, subject, no_objection = None, None, None, False
            elif result:
                decisions.append(
                    ImportedDecision(vote.item, result, vote.method, vote.subject, vote.votes_for, vote.votes_against)
                )
                notes.append(_note(decisions[-1], sentence.line))
                vote, method, subject, no_objection = None, None, None, False
        elif resolution and (no_objection or _method(text)):
            decided = resolution["subject"].strip("、 ")
            how = "異議なし" if no_objection else _method(text)
            if item is None:
                notes.append(_unplaced(sentence.line))
            else:
                if _compact(decided) in _compact(sentence.heading):
                    decided = None
                decisions.append(ImportedDecision(item, resolution["result"].strip("、 "), how, decided))
                notes.append(_note(decisions[-1], sentence.line))
            vote, method, subject, no_objection = None, None, None, False
    return decisions, notes


def _sentences(blocks: list[ImportedBlock]) -> Iterator[_Sentence]:
    headings = [block for block in blocks if isinstance(block, ImportedHeading)]
    ids = item_ids(headings)
    item: str | None = None
    heading = ""
    for block in blocks:
        if isinstance(block, ImportedHeading):
            item, heading = ids[id(block)], block.text
        elif isinstance(block, ImportedStageDirection):
            yield _Sentence(block.text, block.line, item, heading, True)
        elif isinstance(block, ImportedUtterance):
            for part in block.parts:
                if isinstance(part, ImportedStageDirection):
                    yield _Sentence(part.text, part.line, item, heading, True)
                    continue
                for text in re.split(r"(?<=。)", part.text):
                    if text.strip():
                        yield _Sentence(text.strip().rstrip("。"), part.line, item, heading, False)


def _method(text: str) -> str | None:
    for word, method in _METHODS:
        if word in text:
            return method
    return None


def _result_word(text: str) -> str | None:
    found = [(text.find(word), result) for word, result in _RESULT_WORDS if word in text]
    return min(found)[1] if found else None


def _count(text: str) -> int:
    if text in ("ゼロ", "なし", "無し"):
        return 0
    return int(text.translate(str.maketrans("０１２３４５６７８９", "0123456789")))


def _compact(text: str) -> str:
    return _SPACE.sub("", text)


def _unplaced(line: int) -> SourceNote:
    # The format's `decisions:` entries must name an agenda item, and guessing one would be worse
    # than leaving the decision for the editor to add by hand.
    return SourceNote(line, _("decision read outside any agenda item: not recorded; add it by hand"))


def _note(decision: ImportedDecision, line: int) -> SourceNote:
    counts = (
        _(", for {votes_for}, against {votes_against}").format(votes_for=decision.votes_for, votes_against=decision.votes_against)
        if decision.votes_for is not None
        else ""
    )
    how = _(" by {method}").format(method=decision.method) if decision.method else ""
    what = _(" on {subject}").format(subject=decision.subject) if decision.subject else ""
    # A note, not a warning: the record is kept as printed, and the entry quotes what it was read from.
    return SourceNote(
        line,
        _("decision read from the record for {item}{what}: {result}{counts}{how} (a guess: check it)").format(
            item=decision.item, what=what, result=decision.result, counts=counts, how=how
        ),
        "note",
    )
