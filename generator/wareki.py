"""Japanese eras (和暦): reading printed dates and naming fiscal years (年度)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Era:
    """An era and the day it began."""

    name: str
    start: dt.date


# Newest first, so that the first era whose start is not after a date is the one in force.
ERAS: tuple[Era, ...] = (
    Era("令和", dt.date(2019, 5, 1)),
    Era("平成", dt.date(1989, 1, 8)),
    Era("昭和", dt.date(1926, 12, 25)),
    Era("大正", dt.date(1912, 7, 30)),
    Era("明治", dt.date(1868, 1, 25)),
)

FIRST_DATE = ERAS[-1].start
"""The first day minutes can be dated: the start of 明治, the first era this module names."""
LAST_DATE = dt.date(9998, 12, 31)
"""The last day minutes can be dated: a fiscal year, feeds and sitemaps reach into the next year."""


def in_supported_range(date: dt.date) -> bool:
    """Whether `date` lies between FIRST_DATE and LAST_DATE, the dates check, import and build accept."""
    return FIRST_DATE <= date <= LAST_DATE


_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMBER = r"[0-9０-９〇零一二三四五六七八九十百千]+|元"
_WAREKI_DATE = re.compile(
    rf"(?P<era>{'|'.join(e.name for e in ERAS)})\s*(?P<year>{_NUMBER})\s*年\s*"
    rf"(?P<month>{_NUMBER})\s*月\s*(?P<day>{_NUMBER})\s*日"
)


def parse_number(text: str) -> int:
    """Read a number printed in Arabic, full-width or kanji numerals (`12`, `１２`, `十二`, `元`)."""
    text = unicodedata.normalize("NFKC", text.strip())
    if text == "元":
        return 1
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for char in text:
        if char in _KANJI_DIGITS:
            # Positional kanji (二〇二二) as well as unit kanji (二千二十二) are in use.
            digit = _KANJI_DIGITS[char] if digit is None else digit * 10 + _KANJI_DIGITS[char]
        elif char in _KANJI_UNITS:
            total += (digit if digit is not None else 1) * _KANJI_UNITS[char]
            digit = None
        else:
            raise ValueError(f"not a number: {text!r}")
    return total + (digit or 0)


def era_start_year(name: str) -> int:
    """The Western year in which the era `name` began."""
    for era in ERAS:
        if era.name == name:
            return era.start.year
    raise ValueError(f"unknown era: {name}")


def find_date(text: str) -> dt.date | None:
    """The first 和暦 date in `text` (令和４年２月１４日, 平成二十四年二月六日, 令和元年…), or None."""
    match = _WAREKI_DATE.search(text)
    if match is None:
        return None
    year = era_start_year(match["era"]) + parse_number(match["year"]) - 1
    return dt.date(year, parse_number(match["month"]), parse_number(match["day"]))


def era_of(date: dt.date) -> tuple[str, int]:
    """The era in force on `date` and the year of that era."""
    for era in ERAS:
        if date >= era.start:
            return era.name, date.year - era.start.year + 1
    raise ValueError(f"date before the Meiji era: {date}")


def fiscal_year(date: dt.date) -> int:
    """The Western year in which the fiscal year (April–March) containing `date` starts."""
    return date.year if date.month >= 4 else date.year - 1


def era_year_text(era_year: int) -> str:
    """An era's year as printed on the pages: `元` for its first year, else ASCII digits."""
    return "元" if era_year == 1 else str(era_year)


def wareki_date(date: dt.date) -> str:
    """A date as the pages print it, 和暦 first with the Western year beside it: `令和4年2月14日（2022年）`.

    Digits are ASCII and brackets full-width everywhere on the pages, so that lists line up and a
    citation copied from a page reads the same as the page.
    """
    era, era_year = era_of(date)
    return f"{era}{era_year_text(era_year)}年{date.month}月{date.day}日（{date.year}年）"


def year_label(year: int) -> str:
    """Name a calendar year as the pages print it, in the era in force at its end: `令和元年（2019年）`."""
    era, era_year = era_of(dt.date(year, 12, 31))
    return f"{era}{era_year_text(era_year)}年（{year}年）"


def fiscal_year_label(year: int) -> str:
    """Name a fiscal year as Japanese public sites print it, e.g. `令和3年度（2021年度）`, `令和元年度（2019年度）`.

    A fiscal year takes the era in force at its end when that era began in the year the fiscal
    year starts (April 2019 was still 平成, yet the year is 令和元年度); otherwise the era of its start.
    """
    era = next(e for e in ERAS if dt.date(year + 1, 3, 31) >= e.start)
    if era.start.year != year:
        start_era = next((e for e in ERAS if dt.date(year, 4, 1) >= e.start), None)
        if start_era is None:
            # Fiscal 1867 (to March 1868) holds the first days of 明治 but began under 慶応, an
            # era this module does not name: the Western year alone.
            return f"{year}年度"
        era = start_era
    return f"{era.name}{era_year_text(year - era.start.year + 1)}年度（{year}年度）"
