"""Rendering pages with Jinja: autoescape on, StrictUndefined, and the filters the templates use."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from .minutes_markdown import make_parser
from .output_reuse import code_version
from .pages import Page, SiteUrls
from .theme import theme_dirs
from .wareki import fiscal_year, fiscal_year_label, wareki_date, year_label

WEEKDAYS = "月火水木金土日"
_MARKDOWN = make_parser()


def japanese_date(date: dt.date) -> str:
    """A date as printed on the pages and in citations: 令和4年2月14日（2022年）."""
    return wareki_date(date)


def weekday(date: dt.date) -> str:
    """The day of the week of `date`, spelt out as on a meeting notice: 月曜日."""
    return f"{WEEKDAYS[date.weekday()]}曜日"


def markdown(text: str) -> Markup:
    """Render Markdown (a preamble, the home page's introduction); raw HTML in it stays escaped."""
    return Markup(_MARKDOWN.render(text))


TEMPLATE_CACHE = "templates"
"""The build cache's subfolder of compiled templates."""


def make_environment(templates_dir: Path, cache_dir: Path | None = None) -> jinja2.Environment:
    """The Jinja environment for `templates_dir` over the default theme: a misspelt variable fails the build.

    With `cache_dir`, compiled templates are kept in its `templates/` folder, so that a warm build
    does not compile them again. Jinja finds each by its name and its source's checksum and
    stamps its own version and Python's on the file, but not the environment's settings (this
    function's): the folder is one per version of this code, the others are removed.
    """
    bytecode = None
    if cache_dir is not None:
        folder = cache_dir / TEMPLATE_CACHE / code_version()
        try:
            for other in (cache_dir / TEMPLATE_CACHE).glob("*"):
                if other.name != folder.name:
                    shutil.rmtree(other, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
            bytecode = jinja2.FileSystemBytecodeCache(str(folder))
        except OSError:
            bytecode = None  # a cache that cannot be made only costs time
    env = jinja2.Environment(
        bytecode_cache=bytecode,
        # A template the site's folder lacks comes from the default theme (MkDocs' custom_dir).
        loader=jinja2.FileSystemLoader(theme_dirs(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        japanese_date=japanese_date,
        weekday=weekday,
        markdown=markdown,
        fiscal_year=fiscal_year,
        fiscal_year_label=fiscal_year_label,
        wareki_year=year_label,
    )
    return env


def render_page(env: jinja2.Environment, page: Page, urls: SiteUrls, context: dict[str, object]) -> str:
    """Render `page` with the shared `context`; `link()` in templates resolves from this page."""
    template = env.get_template(page.template)
    return template.render(
        **context,
        **page.context,
        page=page,
        urls=urls,
        link=lambda target: page.link(target, urls),
        canonical=urls.absolute(quote(page.url)) if not page.absolute_links else None,
    )
