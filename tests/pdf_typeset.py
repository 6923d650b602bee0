"""Typeset minutes text as a PDF with reportlab's built-in Japanese CID fonts, for the PDF import tests.

No font files are needed: HeiseiMin-W3 and HeiseiKakuGo-W5 are CID fonts every PDF viewer has.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PdfLayout:
    """How a page is printed: font, size, margins, line spacing, running head and page numbers."""

    font: str = "HeiseiMin-W3"
    size: float = 10.5
    left: float = 72
    top: float = 72
    bottom: float = 72
    leading: float = 1.6
    """Line spacing as a multiple of the font size."""
    page_number: str = "bottom"
    """Where `－ N －` is printed: `top`, `bottom` or `none`."""
    running_title: str = ""
    """Printed at the top of every page but the first, when given."""
    vertical: bool = False
    """Vertical writing (縦書き): each line a column, right to left."""


def typeset(text: str, path: Path, layout: PdfLayout = PdfLayout(), encrypt: str | None = None) -> int:
    """Write `text` (one printed line per line, `\\f` for a page break) to `path`; return the page count."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = layout.font + ("-V" if layout.vertical else "")
    if font not in pdfmetrics.getRegisteredFontNames():
        cid_font = UnicodeCIDFont(layout.font, isVertical=layout.vertical)
        # The vertical font is registered under a name of its own, beside the horizontal one.
        cid_font.fontName = cid_font.name = font
        pdfmetrics.registerFont(cid_font)
    width, height = A4
    pdf = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    lines = [line for chunk in text.split("\f") for line in chunk.split("\n")]
    # The size shrinks until the longest line fits between the margins, as a typesetter would set it.
    widest = max((pdfmetrics.stringWidth(line, font, 1) for line in lines), default=1) or 1
    size = layout.size if layout.vertical else min(layout.size, (width - 2 * layout.left) / widest)
    step = size * layout.leading
    per_page = max(1, int((height - layout.top - layout.bottom) // step))
    pages = [lines[index : index + per_page] for index in range(0, len(lines), per_page)] or [[]]
    for number, page in enumerate(pages, start=1):
        pdf.setFont(font, size)
        if layout.vertical:
            x = width - layout.left
            for line in page:
                pdf.drawString(x, height - layout.top, line)
                x -= step
        else:
            y = height - layout.top - size
            for line in page:
                pdf.drawString(layout.left, y, line)
                y -= step
        mark = f"－ {number} －"
        if layout.page_number == "bottom":
            pdf.drawCentredString(width / 2, layout.bottom / 2, mark)
        elif layout.page_number == "top":
            pdf.drawCentredString(width / 2, height - layout.top / 2, mark)
        if layout.running_title and number > 1:
            pdf.drawString(layout.left, height - layout.top / 2 + (size if layout.page_number == "top" else 0), layout.running_title)
        pdf.showPage()
    pdf.save()
    return len(pages)
