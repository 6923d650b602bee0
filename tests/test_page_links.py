"""Relative links between pages: the build's own path arithmetic gives what posixpath.relpath gives."""

from __future__ import annotations

import posixpath

import pytest

from generator.pages import Page, SiteUrls, relative_path

# Folders pages live in and paths they link to, as a site has them (a body, a meeting under it,
# speakers, assets), with look-alike names that share a prefix but not a folder.
FOLDERS = [".", "meguro", "meguro/2022-02-14", "meguro-2", "speakers/yamada", "speakers", "a/b/c/d"]
TARGETS = [".", "meguro", "meguro/", "meguro/2022-02-14/", "meguro-2/2022-02-14/", "speakers/yamada/", "assets/meeting.css", "a/b", "a/bc/", "feed.xml"]


@pytest.mark.parametrize("here", FOLDERS)
def test_relative_paths_are_those_of_posixpath(here: str) -> None:
    for target in TARGETS:
        assert relative_path(target, here) == posixpath.relpath(target, here), (target, here)


def test_a_meeting_page_links_to_its_speaker_and_back_home() -> None:
    page = Page("meguro/2022-02-14/", "meeting.html")
    urls = SiteUrls.from_base_url("https://example.org/minutes/")
    assert page.link("speakers/yamada/", urls) == "../../speakers/yamada/"
    assert page.link("", urls) == "../../"
    assert page.link("meguro/2022-02-14/#s3", urls) == "./#s3"
    assert page.link("meguro/", urls) == "../"
