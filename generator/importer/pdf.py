"""Read a minutes PDF's text layer into the text the minutes reader takes: printed lines, `\\f` between pages.

The page geometry decides what plain text dumps leave to guessing: lines come in reading order
(top to bottom, left to right), a line starting right of the page's left margin keeps its
indentation as full-width spaces, and running headers and footers (page numbers, the title
repeated on every page) are known by their place in the page's top or bottom band and by
repetition across pages, and dropped with a note. PDFs the reader cannot take (no text layer,
vertical writing, a password, a damaged file) raise SourceError, so nothing is written.
The library is pypdfium2 (PDFium's bindings; Apache-2.0 / BSD-3-Clause): docs/import.md says why.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..i18n import _, ngettext
from .errors import SourceError
from .record import SourceNote

# Characters a Japanese font's CID-to-Unicode mapping is known to give for another one the page
# shows: (character in the text layer, whether the glyph is full width) -> character printed.
# A full-width glyph cannot be the narrow mathematical sign, so it is the full-width form.
# The wave dash (U+301C / U+FF5E) and the dashes (U+2014 / U+2015) print alike in either form:
# they are kept as the text layer says, since no glyph tells them apart.
CHARACTER_MAP: dict[tuple[str, bool], str] = {
    ("\u2212", True): "\uff0d",  # MINUS SIGN drawn full width -> FULLWIDTH HYPHEN-MINUS
    ("\u002d", True): "\uff0d",  # HYPHEN-MINUS drawn full width -> FULLWIDTH HYPHEN-MINUS
    ("\u00a5", True): "\uffe5",  # YEN SIGN drawn full width -> FULLWIDTH YEN SIGN
    ("\u00a2", True): "\uffe0",  # CENT SIGN drawn full width -> FULLWIDTH CENT SIGN
    ("\u00a3", True): "\uffe1",  # POUND SIGN drawn full width -> FULLWIDTH POUND SIGN
    ("\u00ac", True): "\uffe2",  # NOT SIGN drawn full width -> FULLWIDTH NOT SIGN
    ("\u2016", True): "\u2225",  # DOUBLE VERTICAL LINE -> PARALLEL TO (JIS 1-2-2 in CP932)
}

_PAGE_NUMBER = re.compile(r"[-－−―—‐ー\s(（]*(?:[0-9０-９]+|[ⅰ-ⅿⅠ-Ⅿ]+)[-－−―—‐ー\s)）]*(?:ページ|頁)?")
_DIGITS = re.compile(r"[0-9０-９]+")


@dataclass
class PrintedLine:
    """One printed line of a page: its text, where it stands (PDF points, y up) and its font size."""

    text: str
    left: float
    top: float
    bottom: float
    size: float


@dataclass
class PdfText:
    """The text of a PDF as the minutes reader takes it, and notes on what was dropped as layout."""

    text: str
    pages: int
    notes: list[SourceNote] = field(default_factory=list)


def read_pdf(data: bytes) -> PdfText:
    """Read the text layer of the PDF `data` into printed lines, pages split by `\\f`, headers and footers dropped.

    Raises SourceError when the file is not a PDF or is damaged, needs a password, has no text
    layer (scanned pages: OCR is needed first), or is written vertically.
    """
    import pypdfium2 as pdfium

    if b"%PDF-" not in data[:1024]:
        raise SourceError(_("not a PDF file: it does not start with '%PDF-'"))
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
            raise SourceError(_("the PDF is password-protected: save a copy without the password to open it and import that")) from None
        raise SourceError(_("the PDF is damaged and cannot be read ({problem}): export it again from its source").format(problem=exc)) from None
    try:
        pages = [_page_lines(document[index]) for index in range(len(document))]
    except pdfium.PdfiumError as exc:
        raise SourceError(_("the PDF is damaged and cannot be read ({problem}): export it again from its source").format(problem=exc)) from None
    finally:
        document.close()
    if not any(lines for lines, _, _ in pages):
        raise SourceError(
            _("the PDF has no text layer (scanned pages?): run OCR on it first, or import the text of the minutes")
        )
    vertical = sum(count for _, count, _ in pages)
    total = sum(chars for _, _, chars in pages)
    if vertical * 2 > total:
        raise SourceError(_("the PDF is written vertically (縦書き): only horizontal minutes can be imported"))
    notes: list[SourceNote] = []
    texts = _drop_running_lines([lines for lines, _, _ in pages], notes)
    # The form feed stands on a line of its own, as the reader drops it there without a trace in the text.
    return PdfText("\n\f\n".join(texts), len(pages), notes)


def _page_lines(page) -> tuple[list[PrintedLine], int, int]:
    """The printed lines of one page in reading order, the count of characters set vertically, and of all characters."""
    import pypdfium2.raw as raw

    textpage = page.get_textpage()
    chars: list[tuple[str, float, float, float, float, float]] = []
    try:
        for index in range(textpage.count_chars()):
            if raw.FPDFText_IsGenerated(textpage.raw, index) == 1:
                continue  # spaces and line ends PDFium infers: the geometry decides them here
            code = raw.FPDFText_GetUnicode(textpage.raw, index)
            if code in (0, 0x0D, 0x0A, 0xFFFE, 0xFFFF):
                continue
            left, bottom, right, top = textpage.get_charbox(index, loose=True)
            size = raw.FPDFText_GetFontSize(textpage.raw, index) or (top - bottom) or 1.0
            chars.append((chr(code), left, bottom, right, top, size))
    finally:
        textpage.close()
        page.close()
    vertical = _vertical_chars(chars)
    lines = _lines(chars)
    return lines, vertical, len(chars)


def _vertical_chars(chars: list[tuple[str, float, float, float, float, float]]) -> int:
    """How many characters stand below the one before them in the same column: vertical writing."""
    count = 0
    for before, after in zip(chars, chars[1:]):
        size = before[5]
        if abs(after[1] - before[1]) < size * 0.3 and abs(after[4] - before[4]) > size * 0.5:
            count += 1
    return count


def _lines(chars: list[tuple[str, float, float, float, float, float]]) -> list[PrintedLine]:
    """Group characters into lines by their vertical centre, top to bottom, each line left to right."""
    rows: list[list[tuple[str, float, float, float, float, float]]] = []
    centres: list[float] = []
    for char in sorted(chars, key=lambda char: -(char[2] + char[4]) / 2):
        centre = (char[2] + char[4]) / 2
        if rows and abs(centres[-1] - centre) < char[5] * 0.5:
            rows[-1].append(char)
        else:
            rows.append([char])
            centres.append(centre)
    lines: list[PrintedLine] = []
    for row in rows:
        row.sort(key=lambda char: char[1])
        size = Counter(round(char[5], 1) for char in row).most_common(1)[0][0]
        text: list[str] = []
        previous_right = None
        space_width = 0.0
        for char, left, _bottom, right, _top, char_size in row:
            gap = left - previous_right if previous_right is not None else 0.0
            if text and text[-1].endswith(" ") and space_width and gap > space_width * 0.6:
                # PDFium gives one space for a run of them: the run is as long as the gap.
                text.append(" " * round(gap / space_width))
            elif gap > char_size * 0.4:
                # A gap with no space drawn in it: spaces that fill it.
                text.append(_spaces(gap, char_size, False))
            if char == " ":
                space_width = right - left
            # Loose boxes span the advance, so a full-width glyph's box is about one em wide.
            wide = (right - left) > char_size * 0.7
            text.append(CHARACTER_MAP.get((char, wide), char))
            previous_right = right
        lines.append(
            PrintedLine("".join(text), row[0][1], max(char[4] for char in row), min(char[2] for char in row), size)
        )
    return lines


def _drop_running_lines(pages: list[list[PrintedLine]], notes: list[SourceNote]) -> list[str]:
    """Each page's text with its running headers and footers dropped, counted into `notes`.

    A running line is one of the two outermost lines at the top or the bottom of a page, set
    apart from the body by more than its line spacing, that is a page number or recurs (its
    digits aside) at that edge of most pages.
    """

    def key(line: PrintedLine) -> str:
        return _DIGITS.sub("#", line.text.replace(" ", "").replace("\u3000", ""))

    gaps = Counter(round(before.bottom - after.bottom) for lines in pages for before, after in zip(lines, lines[1:]))
    pitch = max((gap for gap, _ in gaps.most_common(1)), default=0)
    edges: list[list[tuple[int, PrintedLine]]] = []
    for lines in pages:
        outer: list[tuple[int, PrintedLine]] = []
        for edge in (0, -1):
            order = lines if edge == 0 else lines[::-1]
            # One or two lines at the edge (a title above a page number), set apart from the body.
            for count in (1, 2):
                if len(order) > count and abs(order[count - 1].bottom - order[count].bottom) > pitch * 1.3:
                    outer.extend((edge, line) for line in order[:count])
                    break
        edges.append(outer)
    counts = Counter(key_ for outer in edges for key_ in {(edge, key(line)) for edge, line in outer})
    repeated = {item for item, count in counts.items() if len(pages) > 1 and count * 2 > len(pages)}
    dropped: Counter[str] = Counter()
    texts: list[str] = []
    margin = min((line.left for lines in pages for line in lines), default=0)
    for lines, outer in zip(pages, edges):
        running = set()
        for edge, line in outer:
            text = line.text.strip(" \u3000")
            if _PAGE_NUMBER.fullmatch(text):
                dropped[_("page numbers")] += 1
            elif (edge, key(line)) in repeated:
                dropped[(_("the running header '{text}'") if edge == 0 else _("the running footer '{text}'")).format(text=text)] += 1
            else:
                continue
            running.add(id(line))
        texts.append("\n".join(_with_blank_lines([line for line in lines if id(line) not in running], margin)))
    for what, count in dropped.items():
        notes.append(
            SourceNote(
                0,
                ngettext("PDF: dropped {what} as page layout, on {count} page", "PDF: dropped {what} as page layout, on {count} pages", count).format(
                    what=what, count=count
                ),
                "note",
            )
        )
    return texts


def _with_blank_lines(lines: list[PrintedLine], margin: float) -> list[str]:
    """The page's lines as text, with an empty line for each line pitch skipped (blank lines are not drawn)."""
    pitches = Counter(round(before.bottom - after.bottom, 0) for before, after in zip(lines, lines[1:]))
    pitch = min((gap for gap, _ in pitches.most_common(3) if gap > 0), default=0)
    texts: list[str] = []
    for index, line in enumerate(lines):
        if index and pitch:
            skipped = round((lines[index - 1].bottom - line.bottom) / pitch) - 1
            texts.extend([""] * max(skipped, 0))
        texts.append(_indented(line, margin))
    return texts


def _indented(line: PrintedLine, margin: float) -> str:
    """The line's text, with spaces for where it starts right of the left margin."""
    gap = line.left - margin
    return (_spaces(gap, line.size, False) if gap > line.size * 0.4 else "") + line.text


def _spaces(gap: float, size: float, narrow: bool) -> str:
    """Spaces as wide as `gap`: full-width ones, or half-width ones after a half-width space or for an odd half."""
    halves = round(gap / (size / 2))
    if narrow or halves % 2:
        return " " * halves
    return "\u3000" * (halves // 2)
