"""The importer on minutes text as real minutes systems publish it (tests/fixtures/import/real/).

Each fixture's `expected.json` lists, read by eye, where every utterance starts, its marker and
its label as printed (spaces removed); see the folder's README for where each text comes from.
The importer must find exactly those utterances, with those labels and the speech starting
where the printed record starts it, and read the meeting's date where the page prints one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from generator.importer.errors import SourceError
from generator.importer.pdftext import parse_pdf_text
from generator.importer.record import ImportedUtterance

REAL = Path(__file__).parent / "fixtures" / "import" / "real"
FIXTURES = sorted(path.name for path in REAL.iterdir() if (path / "expected.json").is_file())
# Pages that print no full calendar date (鹿児島県: `第8日目`; 石岡市: `(6月27日)` without the year;
# 川内村: the stored part starts at an agenda heading): staff give it with `minutes import --date`.
NO_PRINTED_DATE = {
    "fukushima-kawauchi-village-2023-09-15",
    "ibaraki-ishioka-city-committee-2011-06-27",
    "kagoshima-pref-2015-1st-day8",
    "kagoshima-pref-2017-1st-day10",
    "kagoshima-pref-budget-committee-2011",
    "kagoshima-pref-soumu-committee-2013",
    "kagoshima-pref-soumu-committee-2017",
}
_SPACES = re.compile(r"\s+")


def _start(utterance: ImportedUtterance, length: int) -> str:
    """The first `length` characters of the speech, spaces removed, as the fixtures note them."""
    return _SPACES.sub("", "".join(part.text for part in utterance.parts))[:length]


def test_the_fixtures_cover_thirty_municipalities_and_every_kind_of_assembly() -> None:
    expected = [json.loads((REAL / name / "expected.json").read_text(encoding="utf-8")) for name in FIXTURES]
    assert len({(item["prefecture"], item["municipality"]) for item in expected}) >= 30
    kinds = {item["kind"] for item in expected}
    assert {"prefectural assembly", "city assembly", "town assembly", "village assembly", "committee"} <= kinds


@pytest.mark.parametrize("name", FIXTURES)
def test_every_utterance_starts_where_the_printed_record_starts_one(name: str) -> None:
    folder = REAL / name
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    text = (folder / "minutes.txt").read_text(encoding="utf-8")
    if name in NO_PRINTED_DATE:
        with pytest.raises(SourceError, match="no meeting date found"):
            parse_pdf_text(text, "minutes.txt")
        given = dt.date.fromisoformat(expected["date"]) if expected["date"] else dt.date(2000, 1, 1)
        meeting = parse_pdf_text(text, "minutes.txt", date=given)
    else:
        meeting = parse_pdf_text(text, "minutes.txt")
        assert meeting.date.isoformat() == expected["date"]

    want = [(u["line"], u["marker"], u["label"], u["start"]) for u in expected["utterances"]]
    # The fixture notes fewer than 8 characters where the stored text ends within the speech.
    lengths = [len(start) for *_, start in want] + [8] * len(meeting.utterances)
    got = [(u.line, u.marker, u.label, _start(u, lengths[i])) for i, u in enumerate(meeting.utterances)]
    assert got == want
