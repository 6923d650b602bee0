"""The site-wide list of decisions (議決): every meeting's `decisions:` with its agenda heading."""

from __future__ import annotations

from dataclasses import dataclass

from .models import AgendaItem, Archive, Body, Decision, Meeting


@dataclass(frozen=True)
class DecisionEntry:
    """One decision with the meeting and agenda heading it belongs to, for the decisions page."""

    body: Body
    meeting: Meeting
    decision: Decision
    item_title: str


def item_titles(meeting: Meeting) -> dict[str, str]:
    """Agenda ids (`item-2-1`) of the meeting with their headings."""
    return {block.id: block.title for block in meeting.record if isinstance(block, AgendaItem)}


def decision_entries(archive: Archive) -> list[DecisionEntry]:
    """Every decision of the archive, newest meeting first, in the meeting's own order."""
    entries = []
    meetings = sorted(
        ((body, meeting) for body in archive.bodies for meeting in body.meetings),
        key=lambda bm: (bm[1].date, bm[1].path), reverse=True,
    )  # fmt: skip
    for body, meeting in meetings:
        titles = item_titles(meeting)
        entries += [DecisionEntry(body, meeting, d, titles.get(d.item, d.item)) for d in meeting.decisions]
    return entries
