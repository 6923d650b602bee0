"""What the dev server adds to an HTML page as it serves it: the problem overlay and the reload script.

Both are added to the response only, never to a built file, so `minutes build` output holds no
reload code. The overlay is added on the server, so it shows in a browser without JavaScript too.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from urllib.parse import quote

from ..diagnostics import Diagnostic

EVENTS_PATH = "/__minutes__/events"
"""Where open pages listen for a reload. Body folders must start with a letter or digit, so no
page of the site can have this path."""
OVERLAY_ID = "minutes-problems"

_BODY_OPEN = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)
_BODY_CLOSE = re.compile(rb"</body\s*>", re.IGNORECASE)

# Inline styles: the overlay must read the same whatever the site's own CSS does (or if it broke).
_OVERLAY_STYLE = (
    "position:fixed;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;z-index:2147483647;"
    "margin:0;padding:1em 1.25em;background:#fff4f4;color:#4a0000;border-top:4px solid #c00;"
    "box-shadow:0 -2px 12px rgba(0,0,0,.25);font:14px/1.6 ui-monospace,monospace;text-align:left"
)


def problems_overlay(problems: Sequence[Diagnostic]) -> str:
    """The overlay listing `problems` as `path:line: error: message`, all text escaped."""
    items = "".join(f"<li>{html.escape(str(problem))}</li>" for problem in problems)
    return (
        f'<div id="{OVERLAY_ID}" role="alert" style="{_OVERLAY_STYLE}">'
        f'<p style="margin:0 0 .5em;font-weight:bold">内容に{len(problems)}件の問題があります。'
        "最後に正しくビルドできた版を表示しています（直して保存すると消えます）。</p>"
        f'<ul style="margin:0;padding-left:1.25em;white-space:pre-wrap">{items}</ul></div>'
    )


def reload_script(rel_path: str, version: str) -> str:
    """A script that reloads the page when the server says this page's version changed."""
    query = json.dumps(f"{EVENTS_PATH}?page={quote(rel_path, safe='/')}&version={version}")
    # EventSource reconnects by itself when the server restarts; the server then answers
    # "reload" only if the page it would serve now differs from this one.
    return (
        "<script>(function(){if(!window.EventSource)return;"
        f"var s=new EventSource({query});"
        's.addEventListener("reload",function(){s.close();location.reload();});})();</script>'
    )


def decorate(page: bytes, problems: Sequence[Diagnostic], script: str | None) -> bytes:
    """`page` with the overlay after `<body>` (when there are problems) and `script` before `</body>`."""
    if problems:
        overlay = problems_overlay(problems).encode("utf-8")
        match = _BODY_OPEN.search(page)
        at = match.end() if match else 0
        page = page[:at] + overlay + page[at:]
    if script:
        tail = script.encode("utf-8")
        closing = None
        for closing in _BODY_CLOSE.finditer(page):
            pass
        at = closing.start() if closing else len(page)
        page = page[:at] + tail + page[at:]
    return page


def placeholder_page() -> bytes:
    """The page served where no build has succeeded yet: the overlay will say why."""
    return (
        '<!DOCTYPE html>\n<html lang="ja">\n<head><meta charset="utf-8"><title>ビルドできません</title></head>\n'
        "<body>\n<h1>まだサイトをビルドできていません</h1>\n"
        "<p>問題を直して保存すると、ページが表示されます。</p>\n</body>\n</html>\n"
    ).encode("utf-8")
