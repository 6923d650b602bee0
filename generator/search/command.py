"""`minutes search QUERY`: search the index of a built site from a terminal, as the search page does."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from pathlib import Path

from ..i18n import _
from .index import SEARCH_DIR
from .shards import MANIFEST_FILE
from .filters import Filters
from .integrity import DamagedIndexError
from .query import SearchHit, SearchResult, Searcher
from .syntax import PROBLEMS

SNIPPET_BEFORE = 30
SNIPPET_LENGTH = 100


def run_search(
    query: str, site: Path, as_json: bool, limit: int, echo: Callable[..., None], filters: Filters = Filters()
) -> int:
    """Search the site built in `site` and print the hits; returns the exit status.

    `echo` prints like click.echo (`err=True` for the error stream). `limit` 0 prints every hit.
    """
    if limit < 0:
        echo("error: " + _("--limit must be 0 (all hits) or more, not {limit}").format(limit=limit), err=True)
        return 2
    if not (site / SEARCH_DIR / MANIFEST_FILE).is_file():
        echo("error: " + _("no search index in {site}: run 'minutes build' first (or pass --site)").format(site=site), err=True)
        return 1
    if not query.strip() and not filters.any:
        echo("error: " + _("give a QUERY, a filter (--body, --speaker, --from, --to), or both"), err=True)
        return 2
    try:
        searcher = Searcher.open(site)
        if filters.body and filters.body not in {meeting.body_slug for meeting in searcher.meetings}:
            known = ", ".join(sorted({meeting.body_slug for meeting in searcher.meetings}))
            echo("error: " + _("--body {body!r} is no body of this site; its bodies are: {known}").format(body=filters.body, known=known), err=True)
            return 2
        result = _search(searcher, query, limit, filters)
    except DamagedIndexError as exc:
        where = (site / SEARCH_DIR / exc.name).as_posix()
        echo(f"{where}: error: " + _("the search index is damaged ({reason}); rebuild the site with 'minutes build'").format(reason=exc.reason), err=True)
        return 1
    if result.problem:
        # Never an error: the reader still gets the plain words' hits, and learns why.
        echo("note: " + _("{problem}: searched for the plain words instead").format(problem=_(PROBLEMS[result.problem])), err=True)
    if as_json:
        echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return 0
    shown = _(", showing {count}").format(count=len(result.hits)) if len(result.hits) < result.total else ""
    excluding = _("; excluding: {words}").format(words=" ".join(result.excluded)) if result.excluded else ""
    echo(
        _("{total} hits for {query!r}{filters} (terms: {terms}{excluding}){shown}").format(
            total=result.total, query=query, filters=_describe(filters), terms=" ".join(result.terms) or "-", excluding=excluding, shown=shown
        )
    )
    for rank, hit in enumerate(result.hits, 1):
        echo("")
        echo(f"{rank}. {hit.date} {hit.meeting} #{hit.number} — {hit.speaker}  [{hit.score:.2f}]")
        echo(f"   {hit.url}")
        echo(f"   {snippet(hit)}")
    return 0


def _search(searcher: Searcher, query: str, limit: int, filters: Filters) -> SearchResult:
    """The answer to `query` from `searcher`; DamagedIndexError when the index cannot give one."""
    # The loaded index lives until the command ends: keep the cycle collector from walking its
    # millions of objects again during the search (about a second on a large archive).
    gc.freeze()
    try:
        return searcher.search(query, limit, filters)
    # Every file was read and its shape checked: a lookup that still fails means files that
    # do not belong together (a shard naming an utterance or a term another file lacks).
    except (LookupError, TypeError, ValueError) as exc:
        raise DamagedIndexError(".", _("its files do not agree with each other: {problem}").format(problem=type(exc).__name__)) from exc


def _describe(filters: Filters) -> str:
    """The filters set, as a clause of the summary line."""
    # The option names stay as typed (--body, --from); only "sorted" is a word to translate.
    parts = [f"{name} {value}" for name, value in (("--body", filters.body), ("--speaker", filters.speaker), ("--from", filters.date_from), ("--to", filters.date_to)) if value]
    if filters.sort != "relevance":
        parts.append(_("sorted {sort}").format(sort=filters.sort))
    return f" ({'; '.join(parts)})" if parts else ""


def snippet(hit: SearchHit) -> str:
    """A line of the speech around its first match, matches in 【】."""
    text = hit.text
    first = hit.highlights[0][0] if hit.highlights else 0
    start = max(0, first - SNIPPET_BEFORE)
    end = min(len(text), start + SNIPPET_LENGTH)
    pieces: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for span_start, span_end in hit.highlights:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        pieces += [text[cursor:span_start], "【", text[span_start:span_end], "】"]
        cursor = span_end
    pieces += [text[cursor:end], "…" if end < len(text) else ""]
    return "".join(pieces).replace("\n", " ")
