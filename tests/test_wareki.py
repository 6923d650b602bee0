"""Dates and fiscal years as the pages print them, in Python and in the browser's wareki.js alike."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess

import pytest

from generator.build import build_site
from generator.wareki import ERAS, fiscal_year_label, wareki_date
from tests.conftest import TEMPLATES, meeting

WAREKI_JS = TEMPLATES / "static" / "wareki.js"


@pytest.mark.parametrize(
    ("date", "text"),
    [
        (dt.date(2022, 2, 14), "令和4年2月14日（2022年）"),
        (dt.date(2019, 5, 1), "令和元年5月1日（2019年）"),
        (dt.date(2019, 4, 30), "平成31年4月30日（2019年）"),
        (dt.date(1989, 1, 7), "昭和64年1月7日（1989年）"),
        (dt.date(1989, 1, 8), "平成元年1月8日（1989年）"),
        (dt.date(2030, 12, 31), "令和12年12月31日（2030年）"),
    ],
)
def test_dates_read_wareki_first_with_the_western_year(date: dt.date, text: str) -> None:
    assert wareki_date(date) == text


@pytest.mark.parametrize(
    ("year", "label"),
    [(2021, "令和3年度（2021年度）"), (2019, "令和元年度（2019年度）"), (2018, "平成30年度（2018年度）"), (1867, "1867年度")],
)
def test_fiscal_years_use_ascii_digits_and_full_width_brackets(year: int, label: str) -> None:
    assert fiscal_year_label(year) == label


def test_nothing_on_the_pages_mixes_digit_widths_or_bracket_styles(make_site, tmp_path) -> None:
    content = make_site({"test/2022-02-14.md": meeting(), "test/2019-04-10.md": meeting(date="2019-04-10")})
    build_site(content, TEMPLATES, tmp_path / "site")
    for page in ("test/index.html", "test/2022-02-14/index.html", "search/index.html", "index.html"):
        html = (tmp_path / "site" / page).read_text(encoding="utf-8")
        text = re.sub(r"<[^>]+>", "", html.split("<body>", 1)[1])
        assert not re.search(r"\d+年度 \(|[０-９]年|（[^（）]*（", text), page
    meeting_page = (tmp_path / "site/test/2022-02-14/index.html").read_text(encoding="utf-8")
    # The page title names the meeting, then the day: no brackets inside brackets.
    assert "<title>第1回 テスト審議会 令和4年2月14日（2022年） | テスト会議録</title>" in meeting_page
    assert "令和4年2月14日（2022年）</time>月曜日" in meeting_page


def test_the_browser_prints_dates_as_the_pages_do() -> None:
    """wareki.js, which search results and copied citations use, agrees with generator/wareki.py."""
    days = [era.start + dt.timedelta(days=offset) for era in ERAS[:-1] for offset in (-1, 0, 1)]
    days += [dt.date(1868, 1, 25), dt.date(2022, 2, 14), dt.date(2024, 2, 29), dt.date(9998, 12, 31)]
    script = (
        "const vm = require('vm'); const fs = require('fs'); const context = {}; vm.createContext(context);"
        f"vm.runInContext(fs.readFileSync({json.dumps(str(WAREKI_JS))}, 'utf8'), context);"
        f"console.log(JSON.stringify({json.dumps([d.isoformat() for d in days])}.map(d => context.MinutesWareki.date(d))));"
    )
    printed = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout)
    assert printed == [wareki_date(day) for day in days]
