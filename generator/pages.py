"""The pages a build writes: where each goes, and how one page links to another."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .web_urls import base_url_problem


@dataclass(frozen=True)
class SiteUrls:
    """Where the site lives: its absolute base URL (if known) and its path below the host."""

    base_url: str | None
    base_path: str
    """Always starts and ends with '/': '/' or '/minutes/'."""

    @classmethod
    def from_base_url(cls, base_url: str | None) -> SiteUrls:
        """Derive the base path from an absolute base URL such as https://example.github.io/minutes/.

        A URL that `base_url_problem` refuses raises ValueError (check and the CLI report it first).
        """
        if not base_url:
            return cls(None, "/")
        problem = base_url_problem(base_url)
        if problem is not None:
            raise ValueError(f"base URL '{base_url}' {problem}")
        path = urlsplit(base_url).path or "/"
        if not path.endswith("/"):
            path += "/"
        return cls(base_url if base_url.endswith("/") else base_url + "/", path)

    def absolute(self, url: str) -> str | None:
        """The absolute URL of a site-relative `url` ('joho-kokai/2022-02-14/'), when base_url is set."""
        return self.base_url + url if self.base_url else None


@dataclass
class Page:
    """One HTML page: its site-relative URL ('' for home, 'joho-kokai/' for a body) and template."""

    url: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    absolute_links: bool = False
    """Links from the base path instead of relative ones: the 404 page is served at any depth."""

    @property
    def output_path(self) -> str:
        """The file this page is written to, relative to the output folder."""
        return self.url if self.url.endswith(".html") else self.url + "index.html"

    def link(self, target: str, urls: SiteUrls) -> str:
        """A link from this page to the site-relative `target`, working under any sub-path."""
        if self.absolute_links:
            return urls.base_path + target
        return _relative_link(target, posixpath.dirname(self.output_path) or ".")


def _relative_link(target: str, here: str) -> str:
    """`Page.link` from the folder `here` ("." for the top)."""
    fragment = ""
    if "#" in target:
        target, fragment = target.split("#", 1)
        fragment = "#" + fragment
    relative = relative_path(target or ".", here)
    if target.endswith("/") or target == "":
        relative = "./" if relative == "." else relative + "/"
    return relative + fragment


def relative_path(target: str, here: str) -> str:
    """`posixpath.relpath(target, here)` for two site-relative paths, without asking for the working folder.

    relpath makes both paths absolute first (two `os.getcwd()` calls): a build links some 25,000
    times, and that was a tenth of the time its pages took.
    """
    if ".." in target or ".." in here or target.startswith("/") or here.startswith("/"):
        return posixpath.relpath(target, here)
    to = [part for part in target.split("/") if part and part != "."]
    start = [part for part in here.split("/") if part and part != "."]
    common = 0
    while common < len(to) and common < len(start) and to[common] == start[common]:
        common += 1
    return "/".join([".."] * (len(start) - common) + to[common:]) or "."
