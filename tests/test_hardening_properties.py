"""Property tests: arbitrary content never ends in a traceback, and whatever `check` accepts, `build` builds.

Each property runs twice: a quick profile in the normal run (a few seconds) and a long one of
10,000 examples behind the `long` marker (`pytest -m long tests/test_hardening_properties.py`).
"""

from __future__ import annotations

import datetime as dt
import functools
import tempfile
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from generator import build
from generator.build import build_site
from generator.content import load_archive
from generator.diagnostics import has_errors
from generator.frontmatter import split_front_matter
from generator.reader import read_body_settings, read_meeting_text, read_site_settings
from tests.conftest import BODY_INDEX, SITE_INDEX, TEMPLATES, write_files

QUICK = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# The templates fixture is meant to last the whole test, across examples.
QUICK_BUILDS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
LONG = settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))

KEYS = ("title", "date", "time", "venue", "attendees", "observers", "materials", "speakers", "decisions",
        "source_url", "pdf_url", "issue_id", "updated", "aliases", "renumbered", "base_url", "description")  # fmt: skip
CIRCLES = ("○", "〇", "◯")

scalars = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=True),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["s1", "s2-s3", "s1-s2000000", "item-1", "test/2022-01-01", "assets/lunr.js", "https://x.test/", "javascript:x", "http://[::1"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | st.sampled_from(KEYS), inner, max_size=4), max_leaves=12)
front_matter = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=10), values, max_size=8)


@st.composite
def record_lines(draw: st.DrawFn) -> str:
    """A record: utterances with arbitrary labels and speech, headings, stage directions and arbitrary lines."""
    line = st.one_of(
        st.builds(lambda c, label, speech: f"{c}{label}　{speech}", st.sampled_from(CIRCLES), st.text(max_size=12), st.text(max_size=40)),
        st.builds(lambda level, text: "#" * level + " " + text, st.integers(1, 4), st.text(max_size=20)),
        st.text(max_size=40).map(lambda t: f"（{t}）"),
        st.sampled_from(["* * *", "- list", "> quote", "    code", "```", "<div>", "| a | b |", "\\○x", ""]),
        st.text(max_size=60),
    )
    return "\n\n".join(draw(st.lists(line, max_size=12)))


printable = st.text(st.characters(blacklist_categories=["Cc", "Cs"]), max_size=40)
"""Text without control characters (any of them is an error by design), to reach the build often."""
odd_characters = st.sampled_from(["\x00", "\t", "\x0b", "\x0c", "\r", "\x1b", "\x7f", "\x80", "\x85", "\ud800", "\udfff", "\ufffe", "\uffff", "\U0010ffff"])
"""Characters YAML writes as escapes (`"\\v"`, `"\\ud800"`): some no page or feed can hold, some it can."""
titles = printable.filter(str.strip) | st.builds(lambda a, odd, b: a + odd + b, printable, odd_characters, printable.filter(str.strip))


@st.composite
def plausible_meetings(draw: st.DrawFn) -> str:
    """A meeting file that often passes check: title, a date, text keys, and utterances of arbitrary text."""
    matter = {"title": draw(titles), "date": draw(st.dates(min_value=dt.date(1860, 1, 1))).isoformat()}
    for key in draw(st.lists(st.sampled_from(["venue", "time", "issue_id", "observers"]), max_size=3, unique=True)):
        matter[key] = draw(printable | st.integers())
    utterance = st.builds(
        lambda c, label, speech: f"{c}{label}　{speech}",
        st.sampled_from(CIRCLES), st.text(st.characters(blacklist_categories=["Z", "C"]), min_size=1, max_size=10), printable.filter(str.strip),
    )  # fmt: skip
    lines = draw(st.lists(utterance | st.sampled_from(["## 議事", "### （１）案件", "（休憩）", "* * *"]) | printable, max_size=8))
    return f"---\n{yaml.safe_dump(matter, allow_unicode=True)}---\n\n" + "\n\n".join(lines) + "\n"


@st.composite
def arbitrary_meetings(draw: st.DrawFn) -> str:
    """A meeting file of valid YAML with arbitrary keys and values (or arbitrary text), and an arbitrary record."""
    matter = draw(front_matter)
    try:
        yaml_text = yaml.safe_dump(matter, allow_unicode=True, default_flow_style=draw(st.sampled_from([None, True, False])))
    except yaml.YAMLError:
        yaml_text = draw(st.text())
    if draw(st.integers(0, 9)) == 0:
        yaml_text = draw(st.text())
    return f"---\n{yaml_text}---\n\n{draw(record_lines())}\n"


meeting_texts = st.one_of(plausible_meetings(), arbitrary_meetings())
any_text = st.one_of(st.text(), meeting_texts, st.text().map(lambda t: f"---\n{t}\n---\n"))


def _assert_reported(result: tuple[object, list]) -> None:
    value, diagnostics = result
    # A reader returns a value only when it found no error, and its errors say where.
    assert value is None or not has_errors(diagnostics)
    for diagnostic in diagnostics:
        assert diagnostic.line >= 1 and diagnostic.message


def reader_never_raises(text: str) -> None:
    """Every reader of a content file returns diagnostics for `text`, whatever it holds."""
    _assert_reported(read_meeting_text(text, "test/2022-02-14.md", "content/test/2022-02-14.md"))
    _assert_reported(read_site_settings(text, "content/_index.md"))
    _assert_reported(read_body_settings(text, "content/test/_index.md"))
    split_front_matter(text, "content/x.md")


@functools.lru_cache(maxsize=None)
def _cached_environment(templates_dir: Path, cache_dir: Path | None = None):  # type: ignore[no-untyped-def]
    return make_environment(templates_dir)


make_environment = build.make_environment


@st.composite
def site_indexes(draw: st.DrawFn) -> str:
    """content/_index.md: the fixed one, or a title, organization, description and base_url of arbitrary text."""
    if draw(st.booleans()):
        return SITE_INDEX
    settings = {"title": draw(printable.filter(str.strip))}
    for key in draw(st.lists(st.sampled_from(["organization", "description", "base_url"]), unique=True)):
        settings[key] = draw(
            st.sampled_from(["https://example.org/minutes/", "http://[::1]:8000/", "https://例え.jp/議事録", "https://x.test/?q=1#f", "https://x.test/a'b"])
            | printable
        )
    return f"---\n{yaml.safe_dump(settings, allow_unicode=True)}---\n\n{draw(printable)}\n"


def check_then_build(files: dict[str, str | bytes], site_index: str) -> None:
    """Load a content folder of `files`; when it has no error, build it, which must succeed."""
    with tempfile.TemporaryDirectory() as folder:
        content = write_files(Path(folder) / "content", {"_index.md": site_index, "test/_index.md": BODY_INDEX, **files})
        archive, diagnostics = load_archive(content)
        for diagnostic in diagnostics:
            assert diagnostic.line >= 1 and diagnostic.path.startswith(content.as_posix())
        if archive is None:
            event("rejected by check")
            return
        event("accepted by check, built")
        build_site(content, TEMPLATES, Path(folder) / "site", jobs=1)
        # A title check let through once made the feeds invalid XML: built means readable.
        for feed in sorted((Path(folder) / "site").rglob("*.xml")):
            ElementTree.parse(feed)


meeting_files = st.dictionaries(
    # Good names twice as often as bad ones, plausible files as often as the rest: about half the
    # examples pass check and reach the build.
    st.sampled_from(["test/2022-02-14.md", "test/2022-02-14-2.md", "test/2023-04-01.md"])
    | st.sampled_from(["test/2022-02-14.md", "test/2023-04-01.md"])
    | st.sampled_from(["test/x.md", "test/feed.xml.md", "other/2022-01-01.md", "test/sub/2022-01-01.md"]),
    st.one_of(plausible_meetings(), plausible_meetings(), meeting_texts, st.binary(max_size=80)),
    min_size=1,
    max_size=2,
)


@pytest.fixture
def fast_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compile the templates once per session instead of once per build (three quarters of a tiny build's time)."""
    monkeypatch.setattr(build, "make_environment", _cached_environment)


def _profiles(function: Callable[..., None], strategy: st.SearchStrategy, quick: settings) -> tuple[Callable[..., None], Callable[..., None]]:
    @quick
    @given(strategy)
    def quick_test(value: object) -> None:
        function(value)

    @pytest.mark.long
    @LONG
    @given(strategy)
    def long_test(value: object) -> None:
        function(value)

    return quick_test, long_test


test_reader_reports_and_never_raises, test_reader_reports_and_never_raises_long = _profiles(reader_never_raises, any_text, QUICK)


# Decorated directly (not wrapped inside the test) so that --hypothesis-show-statistics reports them.
@pytest.mark.usefixtures("fast_templates")
@QUICK_BUILDS
@given(meeting_files, site_indexes())
def test_what_check_accepts_build_builds(files: dict[str, str | bytes], site_index: str) -> None:
    check_then_build(files, site_index)


@pytest.mark.long
@pytest.mark.usefixtures("fast_templates")
@LONG
@given(meeting_files, site_indexes())
def test_what_check_accepts_build_builds_long(files: dict[str, str | bytes], site_index: str) -> None:
    check_then_build(files, site_index)
