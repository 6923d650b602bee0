"""Plain-text tables and the number formats the benchmarks print, and a median that tolerates gaps."""

from __future__ import annotations

import statistics
import unicodedata
from collections.abc import Iterable, Sequence


def median(values: Iterable[float | None]) -> float | None:
    """The median of the values that are not None; None when there are none."""
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, or None when either is missing or the denominator is zero."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: two for each wide character (kanji, kana, full-width forms)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def text_table(header: Sequence[str], rows: Iterable[Sequence[str]], right: Sequence[bool] | None = None) -> str:
    """Columns padded to their widest cell, a dashed rule under the header; `right` aligns numbers."""
    table = [list(header), *(list(row) for row in rows)]
    widths = [max(display_width(row[i]) for row in table) for i in range(len(header))]
    align = list(right) if right is not None else [False] * len(header)

    def pad(cell: str, width: int, flush_right: bool) -> str:
        space = " " * (width - display_width(cell))
        return space + cell if flush_right else cell + space

    def line(row: list[str]) -> str:
        return "  ".join(pad(cell, width, flush) for cell, width, flush in zip(row, widths, align)).rstrip()

    return "\n".join([line(table[0]), "  ".join("-" * width for width in widths), *(line(row) for row in table[1:])])


def seconds(value: float | None) -> str:
    """`1.23 s`, or `-` when missing."""
    return "-" if value is None else f"{value:.2f} s"


def megabytes(value: float | None) -> str:
    """`1.23 MB` (10^6 bytes), or `-` when missing."""
    return "-" if value is None else f"{value / 1e6:.2f} MB"


def kilobytes(value: float | None) -> str:
    """`123 kB` (10^3 bytes), or `-` when missing."""
    return "-" if value is None else f"{value / 1e3:.0f} kB"


def times(value: float | None) -> str:
    """A ratio as `2.4×`, or `-` when missing."""
    return "-" if value is None else f"{value:.1f}×"


def fraction(value: float | None) -> str:
    """A share such as recall as `0.953`, or `-` when missing."""
    return "-" if value is None else f"{value:.3f}"
