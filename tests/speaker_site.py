"""A small archive whose minutes name their speakers, for the speaker-page tests."""

from __future__ import annotations

from pathlib import Path

from generator.build import build_site
from tests.conftest import SITE_INDEX, TEMPLATES, write_files

NAMED = "多田政拓"
"""The chair: a full name in brackets, in both bodies, in 2021 and 2023."""
TRICKY = '<b>&鈴木"花子'
"""A name with markup characters: it must be shown as text and linked %-encoded."""

_PLENARY = """---
title: 令和3年第1回臨時会
date: 2021-06-10
speakers:
  町長（及川秀一郎君）: {position: 安平町長}
  ３番（三浦恵美子君）: {group: 新政会}
---

## 開会

○議長（多田政拓君）　ただいまから会議を開きます。

○３番（三浦恵美子君）　質問します。

○議長（多田政拓君）　町長。

○町長（及川秀一郎君）　お答えします。

○議長（多田政拓君）　以上で終わります。
"""

_PLENARY_2023 = """---
title: 令和5年第2回臨時会
date: 2023-11-28
---

○議長（多田政拓君）　開会します。

○議員（<b>&鈴木"花子君）　賛成です。

○議長（多田政拓君）　閉会します。
"""

_COMMITTEE = """---
title: 第3回 総務委員会
date: 2023-03-01
---

○山下委員長　開会します。

○会長　よろしくお願いします。

○委員長（多田政拓君）　委員長として一言申し上げます。
"""


def write_speaker_site(content: Path) -> Path:
    """Write the archive into `content` and return it."""
    return write_files(
        content,
        {
            "_index.md": SITE_INDEX,
            "gikai/_index.md": "---\ntitle: 安平町議会\n---\n",
            "gikai/2021-06-10.md": _PLENARY,
            "gikai/2023-11-28.md": _PLENARY_2023,
            "somu/_index.md": "---\ntitle: 総務委員会\n---\n",
            "somu/2023-03-01.md": _COMMITTEE,
        },
    )


def build_speaker_site(root: Path) -> Path:
    """The named-speaker archive written under root/content and built into root/site."""
    out = root / "site"
    build_site(write_speaker_site(root / "content"), TEMPLATES, out)
    return out
