"""Search filters: body, speaker, date range and sort, read the same by `minutes search` and the page.

search-engine.js holds the same rules (`Filters` there); tests/test_search_parity.py checks both.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from ..i18n import _

SORTS = ("relevance", "newest", "oldest")


class FilterError(ValueError):
    """A filter value that cannot be read (a bad date, an unknown sort)."""


@dataclass(frozen=True)
class Filters:
    """What to keep of the hits and in which order; empty fields keep everything."""

    body: str = ""
    """A body's slug."""
    speaker: str = ""
    """A named speaker's name (compared by speaker_key) or a printed label (compared after NFKC)."""
    date_from: str = ""
    """First meeting date kept, ISO (inclusive)."""
    date_to: str = ""
    """Last meeting date kept, ISO (inclusive)."""
    sort: str = "relevance"

    def keeps_meeting(self, body_slug: str, date: str) -> bool:
        """Whether a meeting of `body_slug` held on `date` (ISO) passes the body and date filters."""
        if self.body and body_slug != self.body:
            return False
        if self.date_from and date < self.date_from:
            return False
        return not (self.date_to and date > self.date_to)

    def keeps_speaker(self, label: str, who: str | None) -> bool:
        """Whether an utterance by `label` (its named speaker's key `who`, or None) passes the speaker filter."""
        if not self.speaker:
            return True
        return speaker_filter_key(self.speaker) == (who if who is not None else speaker_filter_key(label))

    @property
    def any(self) -> bool:
        """Whether a filter is set: then a query without words lists every utterance that passes."""
        return bool(self.body or self.speaker or self.date_from or self.date_to)


def nfkc(text: str) -> str:
    """`text` after NFKC, trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def speaker_filter_key(value: str) -> str:
    """The speaker filter's value as the index keys speakers: a name's key has no spaces, nor has a label's."""
    return "".join(nfkc(value).split())


def iso_date(value: str, option: str) -> str:
    """`value` (YYYY-MM-DD) checked and returned in ISO form; FilterError naming `option` when it is not a date."""
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise FilterError(_("{option} must be a date as YYYY-MM-DD (e.g. 2022-02-14), not {value!r}").format(option=option, value=value)) from None


def make_filters(body: str = "", speaker: str = "", date_from: str = "", date_to: str = "", sort: str = "relevance") -> Filters:
    """Filters from the CLI's or the page's values; FilterError when one cannot be read."""
    if sort not in SORTS:
        raise FilterError(_("--sort must be one of {sorts}, not {sort!r}").format(sorts=", ".join(SORTS), sort=sort))
    start = iso_date(date_from, "--from") if date_from else ""
    end = iso_date(date_to, "--to") if date_to else ""
    if start and end and start > end:
        raise FilterError(_("--from ({start}) is after --to ({end}): no date is in that range").format(start=start, end=end))
    return Filters(body=body.strip(), speaker=speaker.strip(), date_from=start, date_to=end, sort=sort)
