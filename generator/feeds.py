"""Feeds and discovery: Atom feeds for the archive and each body, and sitemap.xml.

Every date in them comes from the content (a meeting's `date:` and `updated:`), never the clock,
so two builds of the same content are byte-identical.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from urllib.parse import quote

from .diagnostics import Diagnostic, warning
from .i18n import _
from .models import Archive, Body, Meeting, SiteConfig
from .opendata import page_url
from .output import OutputTree
from .pages import SiteUrls
from .render import japanese_date

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
FEED = "feed.xml"
SITEMAP = "sitemap.xml"
FEED_ENTRIES = 50
JST = dt.timezone(dt.timedelta(hours=9))
EMPTY_FEED_UPDATED = dt.date(1970, 1, 1)
"""`updated` of a feed with no meetings: fixed, because the clock must not enter the output."""


def last_changed(meeting: Meeting) -> dt.date:
    """The meeting's last correction (`updated:`), else its date."""
    return max(meeting.updated or meeting.date, meeting.date)


def timestamp(date: dt.date) -> str:
    """Midnight of `date` in Japan as an RFC 3339 time: meetings carry dates, not times."""
    return dt.datetime.combine(date, dt.time(), JST).isoformat()


def stable_id(site: SiteConfig, urls: SiteUrls, path: str) -> str:
    """An Atom id: the absolute URL when the base URL is known, else a name-based UUID of the path."""
    return urls.absolute(path) or uuid.uuid5(uuid.NAMESPACE_URL, f"minutes:{site.title}/{path}").urn


def _element(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, tag, attrs)
    if text is not None:
        child.text = text
    return child


def _serialize(root: ET.Element) -> bytes:
    ET.indent(root)
    out = io.BytesIO()
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
    return out.getvalue() + b"\n"


def atom_feed(
    title: str, feed_path: str, page_path: str, meetings: Iterable[tuple[Body, Meeting]], site: SiteConfig, urls: SiteUrls
) -> bytes:
    """An Atom feed (RFC 4287) of the newest meetings, newest first; ids stay the same between builds."""
    entries = sorted(meetings, key=lambda bm: (last_changed(bm[1]), bm[1].date, bm[1].path), reverse=True)[:FEED_ENTRIES]
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": "ja"})
    _element(feed, "id", stable_id(site, urls, feed_path))
    _element(feed, "title", title)
    if site.description:
        _element(feed, "subtitle", site.description)
    updated = max((last_changed(m) for _, m in entries), default=EMPTY_FEED_UPDATED)
    _element(feed, "updated", timestamp(updated))
    author = _element(feed, "author")
    _element(author, "name", site.organization or site.title)
    _element(feed, "link", rel="self", type="application/atom+xml", href=page_url(feed_path, urls))
    _element(feed, "link", rel="alternate", type="text/html", href=page_url(page_path, urls))
    _element(feed, "generator", "minutes")
    for body, meeting in entries:
        entry = _element(feed, "entry")
        _element(entry, "id", stable_id(site, urls, f"{meeting.path}/"))
        _element(entry, "title", f"{meeting.title} {japanese_date(meeting.date)}")
        _element(entry, "link", rel="alternate", type="text/html", href=page_url(f"{meeting.path}/", urls))
        _element(entry, "published", timestamp(meeting.date))
        _element(entry, "updated", timestamp(last_changed(meeting)))
        if body.organization and body.organization != site.organization:
            # A site holding several organizations' minutes names each entry's own author.
            entry_author = _element(entry, "author")
            _element(entry_author, "name", body.publisher(site))
        _element(entry, "category", term=body.slug, label=body.title)
        _element(entry, "summary", entry_summary(body, meeting))
    return _serialize(feed)


def entry_summary(body: Body, meeting: Meeting) -> str:
    """One line about the meeting: body, number of utterances and the decisions taken."""
    parts = [f"{body.title}、{japanese_date(meeting.date)}。発言{len(meeting.utterances)}件。"]
    if meeting.decisions:
        parts.append(f"議決{len(meeting.decisions)}件：" + "、".join(d.result for d in meeting.decisions) + "。")
    if meeting.updated and meeting.updated > meeting.date:
        parts.append(f"{japanese_date(meeting.updated)}訂正。")
    return "".join(parts)


def sitemap(page_paths: Iterable[str], archive: Archive, urls: SiteUrls) -> bytes:
    """sitemap.xml listing `page_paths` by absolute URL; meeting pages carry their last change."""
    assert urls.base_url, "a sitemap needs absolute URLs"
    changed = {f"{m.path}/": last_changed(m) for m in archive.meetings}
    root = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    for path in page_paths:
        url = _element(root, "url")
        _element(url, "loc", urls.absolute(quote(path)))
        if path in changed:
            _element(url, "lastmod", changed[path].isoformat())
    return _serialize(root)


def write_feeds(
    archive: Archive, urls: SiteUrls, tree: OutputTree, page_paths: list[str], settings_path: str
) -> list[Diagnostic]:
    """Write feed.xml, each body's feed.xml and (when the base URL is known) sitemap.xml."""
    site = archive.config
    everything = [(body, meeting) for body in archive.bodies for meeting in body.meetings]
    tree.write_bytes(FEED, atom_feed(site.title, FEED, "", everything, site, urls))
    for body in archive.bodies:
        title = f"{body.title} | {site.title}"
        tree.write_bytes(f"{body.slug}/{FEED}", atom_feed(title, f"{body.slug}/{FEED}", f"{body.slug}/", [(body, m) for m in body.meetings], site, urls))
    if not urls.base_url:
        return [warning(settings_path, 1, _("sitemap.xml not written: a sitemap needs absolute URLs; set base_url or build with --base-url"))]
    tree.write_bytes(SITEMAP, sitemap(page_paths, archive, urls))
    return []
