"""Pages per second of `minutes import FILE.pdf` on the seed typeset as a PDF and on a 100-page PDF.

The PDFs are typeset here with reportlab (the `test` extra) from the seed and from tokyo-assembly
meetings; `--libraries` also times pdfminer.six, pdfplumber and pypdfium2 reading the same PDFs
and counts the characters each gives back equal to the text typeset (the measure behind the
choice of pypdfium2, docs/import.md). Run: `python -m benchmarks.import_pdf [--libraries]`.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.import_layouts import CORPUS, LAYOUTS, dated_meetings, render
from generator.importer.encoding import decode_source
from generator.importer.pdf import read_pdf
from generator.importer.pdftext import parse_pdf_text
from tests.pdf_typeset import PdfLayout, typeset

SEED = CORPUS / "raw" / "meguro-joho-kokai-2022-02-14.txt"


def seed_text() -> str:
    """The seed's text, decoded as the importer decodes it."""
    return decode_source(SEED.read_bytes(), SEED)[0]


def hundred_pages_text() -> str:
    """Tokyo meetings in the tokyo layout, enough of them to fill at least 100 pages."""
    layout = dataclasses.replace(LAYOUTS["tokyo"], page_lines=0)
    texts: list[str] = []
    lines = 0
    for meeting in dated_meetings():
        text = render(meeting, layout).text
        texts.append(text)
        lines += text.count("\n") + 1
        if lines > 100 * 45:
            break
    return "\n".join(texts)


def import_rate(path: Path, rounds: int = 3) -> tuple[int, float]:
    """The page count of `path` and the best pages per second of reading and parsing it."""
    data = path.read_bytes()
    best = float("inf")
    pages = 0
    for _ in range(rounds):
        start = time.perf_counter()
        result = read_pdf(data)
        parse_pdf_text(result.text, path.name)
        best = min(best, time.perf_counter() - start)
        pages = result.pages
    return pages, pages / best


def _fidelity(out: str, text: str) -> float:
    """The share of the typeset characters (spaces aside) the library gave back as they are."""
    want = Counter(char for char in text if not char.isspace())
    got = Counter(char for char in out if not char.isspace())
    return sum((want & got).values()) / sum(want.values())


def library_rates(path: Path, text: str) -> dict[str, tuple[float, float]]:
    """Pages per second and fidelity of each candidate library's plain text extraction of `path`."""
    import pdfplumber
    import pypdfium2
    from pdfminer.high_level import extract_text

    def pdfium(name: str) -> str:
        document = pypdfium2.PdfDocument(name)
        return "\n".join(document[index].get_textpage().get_text_range() for index in range(len(document)))

    def plumber(name: str) -> str:
        with pdfplumber.open(name) as pdf:
            return "\n".join(page.extract_text() or "" for page in pdf.pages)

    pages = read_pdf(path.read_bytes()).pages
    figures = {}
    for name, extract in (("pdfminer.six", extract_text), ("pdfplumber", plumber), ("pypdfium2", pdfium)):
        start = time.perf_counter()
        out = extract(str(path))
        figures[name] = (pages / (time.perf_counter() - start), _fidelity(out, text))
    return figures


def main(argv: list[str]) -> int:
    """Typeset both PDFs, print pages per second of the importer (and of each library with --libraries)."""
    with tempfile.TemporaryDirectory() as folder:
        cases = [("seed", seed_text(), PdfLayout()), ("100 pages", hundred_pages_text(), PdfLayout(running_title="議会運営委員会速記録"))]
        for name, text, layout in cases:
            path = Path(folder) / f"{name}.pdf"
            typeset(text, path, layout)
            pages, rate = import_rate(path)
            print(f"{name}: {pages} pages, minutes import reads {rate:.1f} pages/s")
            if "--libraries" in argv:
                for library, (speed, fidelity) in library_rates(path, text).items():
                    print(f"  {library}: {speed:.1f} pages/s, {fidelity:.2%} of the characters as typeset")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
