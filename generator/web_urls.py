"""Absolute web addresses given by the user (base_url, source_url, pdf_url, --base-url): what is accepted."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .i18n import _

_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f\"<>\\^`{|}]")
"""Whitespace, control characters and what RFC 3986 never allows unescaped; `\\` also reads as `/` in browsers."""


def web_url_problem(value: str) -> str | None:
    """Why `value` is not an absolute http(s) URL with a host that can go into a page as it is, or None.

    Refused besides other schemes: whitespace and characters a URL never holds unescaped, user
    names (`https://x.test@evil.test/`), and `//` in the path, which a link built from the base
    path (`//evil.test/assets/…`) would take for another host.
    """
    unsafe = _UNSAFE.search(value)
    if unsafe is not None:
        return _("must not contain {what}").format(what=_describe(unsafe[0]))
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        return _("is not a valid URL ({problem})").format(problem=exc)
    if parts.scheme.lower() not in ("http", "https") or not value.lower().startswith(parts.scheme.lower() + "://"):
        return _("must be an absolute http(s) URL")
    if not parts.hostname:
        return _("must name a host, as in https://example.org/")
    if "@" in parts.netloc:
        return _("must not carry a user name ('@' before the host)")
    if port == 0:
        return _("has port 0")
    if "//" in parts.path:
        return _("must not contain '//' in its path (a link built from it would lead to another host)")
    return None


def base_url_problem(value: str) -> str | None:
    """Why `value` cannot be the address the site is published at, or None.

    Besides what `web_url_problem` refuses, a base URL must end with its path: every page's address
    is the base URL followed by the page's path, and after a `?query` or `#fragment` that path would
    be part of the query or fragment, not of the address of a page.
    """
    problem = web_url_problem(value)
    if problem is not None:
        return problem
    if "?" in value:
        return _("must not carry a query ('?…'): page addresses are built by appending to it")
    if "#" in value:
        return _("must not carry a fragment ('#…'): page addresses are built by appending to it")
    return None


def _describe(character: str) -> str:
    if character.isspace() or not character.isprintable():
        return _("whitespace or control characters (U+{code:04X})").format(code=ord(character))
    return f"'{character}'"
