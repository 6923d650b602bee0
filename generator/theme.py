"""The theme: the packaged default templates and static assets, and a site's own `templates/` over them.

The repository's top-level `templates/` is the default theme. A built package carries a copy of it
as `generator/default_theme/` (pyproject.toml maps the folder at build time), so an installed
`minutes` builds a site without this checkout. A site's own templates folder overrides any
template or static file by a file of the same name, as MkDocs' `custom_dir` does.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = "static"
ASSETS_URL = "assets/"
LUNR_JS = PACKAGE_DIR / "vendor" / "lunr" / "lunr.min.js"
"""lunr.js 2.3.9, the minified build the npm package ships (`lunr.min.js`, MIT, its LICENSE beside it): a third of lunr.js's bytes on every first query; a test keeps it byte-identical."""
_INSTALLED_THEME = PACKAGE_DIR / "default_theme"
_CHECKOUT_THEME = PACKAGE_DIR.parent / "templates"


def default_theme_dir() -> Path:
    """The default theme's folder: the packaged copy when installed, else the checkout's templates/."""
    if _INSTALLED_THEME.is_dir():
        return _INSTALLED_THEME
    return _CHECKOUT_THEME


def theme_dirs(templates_dir: Path) -> list[Path]:
    """Folders to look up a template or static file in, first match wins: the site's, then the default."""
    default = default_theme_dir()
    if templates_dir.resolve() == default.resolve():
        return [templates_dir]
    return [templates_dir, default]


def static_files(templates_dir: Path) -> list[tuple[str, Path]]:
    """The theme's static files as (output path below assets/, source), the site's over the default's, sorted."""
    found: dict[str, Path] = {}
    # Reversed: a site's file of the same name replaces the default theme's.
    for folder in reversed(theme_dirs(templates_dir)):
        static_dir = folder / STATIC_DIR
        if not static_dir.is_dir():
            continue
        for source in static_dir.rglob("*"):
            if source.is_file():
                found[ASSETS_URL + source.relative_to(static_dir).as_posix()] = source
    return sorted(found.items())
