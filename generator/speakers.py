"""Speaker labels: role and name read from the label's shape, completed by the `speakers:` map."""

from __future__ import annotations

import re
import unicodedata

from .models import Speaker

# 議長（山田太郎君）, ７番（三浦恵美子君）, 国務大臣（石破茂君）, 説明員（佐藤花子さん）
_ROLE_AND_NAME = re.compile(r"^(?P<role>[^（(]+)[（(](?P<name>[^）)]+?)(?:君|さん|氏|議員|委員)?[）)]$")
# 山下委員長, 鈴木副会長: a short family name before a role of the chair or a member.
_NAME_THEN_ROLE = re.compile(
    r"^(?P<name>[\u3005\u4e00-\u9fff\U00020000-\U0002ffff]{1,4}?)"
    r"(?P<role>副委員長|委員長|副議長|議長|副会長|会長|副部会長|部会長|委員|議員)$"
)
# Words that end an office, not a family name: 総務課長 is a position, 山下委員長 is a person.
_OFFICE_WORDS = re.compile(r"[課部局室係所庁省会団]|特別|分科|小|副")


def parse_label(label: str, mapping: dict[str, Speaker] | None = None) -> Speaker:
    """Read role and name from `label` where its shape allows, completed by its `speakers:` entry."""
    role, name = label, None
    match = _ROLE_AND_NAME.match(label)
    if match:
        role, name = match["role"].strip(), match["name"].strip()
    else:
        match = _NAME_THEN_ROLE.match(label)
        if match and not _OFFICE_WORDS.search(match["name"]):
            role, name = match["role"], match["name"]
    entry = (mapping or {}).get(label)
    if entry is None:
        return Speaker(label=label, role=role, name=name)
    return Speaker(
        label=label,
        role=role,
        name=entry.name or name,
        position=entry.position,
        group=entry.group,
        side=entry.side,
        speaker_role=entry.speaker_role,
        reading=entry.reading,
    )


def speaker_key(name: str) -> str:
    """The key one named speaker is known by across the archive: the name after NFKC, without spaces.

    The minutes print 石破　茂 and 石破茂 for the same person; search filters, speaker pages and
    links to them all compare names through this key.
    """
    return "".join(unicodedata.normalize("NFKC", name).split())


def speaker_page_path(name: str) -> str:
    """The site path of the page for the speaker called `name`, e.g. `speakers/石破茂/` (not yet %-encoded)."""
    return f"speakers/{speaker_key(name)}/"


def page_name(speaker: Speaker) -> str | None:
    """The name `speaker` has a speaker page under, or None when the minutes give no full name.

    A name printed in brackets (`議長（山田太郎君）`) or given by the `speakers:` map is a person's
    full name. A family name read off `山下委員長` is not: two 山下 in two committees, or in one
    committee ten years apart, would share one page, so such a speaker is known by the label, as
    `会長` is (docs/speakers.md). A name that cannot be one folder of the site (`/`, a leading
    dot, control characters, `index.html`, the index's own file) gets no page either.
    """
    if speaker.name is None:
        return None
    # The map may confirm the family name (`name: 山下`): still no full name.
    bare = _NAME_THEN_ROLE.match(speaker.label)
    if bare and bare["name"] == speaker.name:
        return None
    key = speaker_key(speaker.name)
    if not key or key.startswith(".") or "/" in key or "\\" in key or not key.isprintable() or key == "index.html":
        return None
    return speaker.name
