"""Importing minutes PDFs (`minutes import FILE.pdf`): PDFs typeset at test time from the seed and
the corpus in several layouts import as the text they were typeset from; unreadable PDFs are refused."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from benchmarks.import_layouts import LAYOUTS, dated_meetings, render
from generator.importer.command import run_import
from generator.importer.encoding import decode_source
from generator.importer.errors import SourceError
from generator.importer.pdf import read_pdf
from generator.importer.pdftext import parse_pdf_text
from generator.importer.record import ImportedHeading, ImportedMeeting
from tests.pdf_typeset import PdfLayout, typeset

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
SEED = CORPUS / "raw" / "meguro-joho-kokai-2022-02-14.txt"
_SPACE = re.compile(r"[\s\u3000]+")

PDF_LAYOUTS = {
    "mincho-bottom-numbers": PdfLayout(),
    "gothic-top-numbers-title": PdfLayout(font="HeiseiKakuGo-W5", size=9, page_number="top", running_title="議会運営委員会速記録"),
    "wide-margins-loose": PdfLayout(size=12, left=100, top=110, bottom=100, leading=2.0, running_title="会議録"),
    "tight-no-numbers": PdfLayout(size=8, left=40, top=40, bottom=40, leading=1.25, page_number="none"),
}


def _speech(meeting: ImportedMeeting) -> list[str]:
    return [_SPACE.sub("", "".join(str(getattr(part, "text", part)) for part in utterance.parts)) for utterance in meeting.utterances]


def _headings(meeting: ImportedMeeting) -> list[str]:
    return [_SPACE.sub("", block.text) for block in meeting.blocks if isinstance(block, ImportedHeading)]


def _assert_same_record(from_pdf: ImportedMeeting, from_text: ImportedMeeting) -> None:
    assert len(from_pdf.utterances) == len(from_text.utterances)
    assert [_SPACE.sub("", u.label) for u in from_pdf.utterances] == [_SPACE.sub("", u.label) for u in from_text.utterances]
    assert _speech(from_pdf) == _speech(from_text)
    assert _headings(from_pdf) == _headings(from_text)
    assert repr(from_pdf.decisions if hasattr(from_pdf, "decisions") else None) == repr(
        from_text.decisions if hasattr(from_text, "decisions") else None
    )


def _seed_text() -> str:
    if not SEED.exists():
        pytest.skip(f"seed not found at {SEED}: these tests read ../shared/corpus")
    return decode_source(SEED.read_bytes(), SEED)[0]


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(PDF_LAYOUTS))
def test_the_seed_typeset_as_a_pdf_imports_as_its_text(tmp_path: Path, name: str) -> None:
    text = _seed_text()
    path = tmp_path / "seed.pdf"
    typeset(text, path, PDF_LAYOUTS[name])
    from_pdf = parse_pdf_text(read_pdf(path.read_bytes()).text, "2022-02-14.pdf")
    from_text = parse_pdf_text(text, "2022-02-14.txt")
    assert len(from_pdf.utterances) == 248
    _assert_same_record(from_pdf, from_text)


@pytest.mark.corpus
@pytest.mark.parametrize("layout", ["tokyo", "discussnet", "bare", "own-line"])
@pytest.mark.parametrize("pdf_layout", sorted(PDF_LAYOUTS))
def test_corpus_meetings_typeset_as_pdfs_import_as_their_text(tmp_path: Path, layout: str, pdf_layout: str) -> None:
    if not (CORPUS / "tokyo-assembly").exists():
        pytest.skip("corpus not found: these tests read ../shared/corpus")
    meeting = dated_meetings(CORPUS)[7]
    # The PDF prints its own page numbers and running title: the text is rendered without them.
    rendered = render(meeting, dataclasses.replace(LAYOUTS[layout], page_lines=0))
    path = tmp_path / "meeting.pdf"
    typeset(rendered.text, path, PDF_LAYOUTS[pdf_layout])
    from_pdf = parse_pdf_text(read_pdf(path.read_bytes()).text, "meeting.pdf")
    from_text = parse_pdf_text(rendered.text, "meeting.txt")
    assert from_pdf.utterances
    _assert_same_record(from_pdf, from_text)


def test_page_numbers_and_a_running_title_are_dropped_with_a_note(tmp_path: Path) -> None:
    lines = [f"会長　これは{number}行目の発言でございます。" for number in range(200)]
    path = tmp_path / "m.pdf"
    pages = typeset("\n".join(lines), path, PdfLayout(page_number="top", running_title="総務委員会会議録"))
    result = read_pdf(path.read_bytes())
    assert "総務委員会会議録" not in result.text
    assert "－" not in result.text
    assert result.text.count("\f") == pages - 1
    assert [line for line in result.text.split("\n") if line.strip("\f")] == lines
    messages = " ".join(note.message for note in result.notes)
    assert "page number" in messages and "総務委員会会議録" in messages
    assert all(note.kind == "note" for note in result.notes)


def test_indented_lines_keep_their_indentation_as_full_width_spaces(tmp_path: Path) -> None:
    path = tmp_path / "m.pdf"
    typeset("○議長　ただいまから会議を開きます。\n\u3000\u3000\u3000〔「異議なし」と呼ぶ者あり〕\n２番\u3000賛成です。", path, PdfLayout(page_number="none"))
    assert read_pdf(path.read_bytes()).text.split("\n")[1] == "\u3000\u3000\u3000〔「異議なし」と呼ぶ者あり〕"


def test_a_full_width_hyphen_is_read_as_printed(tmp_path: Path) -> None:
    path = tmp_path / "m.pdf"
    typeset("ＬＧＷＡＮ－ＡＳＰの利用について", path, PdfLayout(page_number="none"))
    assert read_pdf(path.read_bytes()).text == "ＬＧＷＡＮ－ＡＳＰの利用について"


SPEECH = "○議長（山田太郎君）　ただいまから本日の会議を開きます。\n○１番（佐藤花子君）　質問いたします。\n" * 5


def _refused(path: Path) -> str:
    with pytest.raises(SourceError) as caught:
        read_pdf(path.read_bytes())
    return caught.value.message


def test_a_pdf_without_text_is_refused_saying_ocr_is_needed(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(100, 100, 300, 500, fill=1)
    pdf.showPage()
    pdf.save()
    assert "OCR" in _refused(path)


def test_vertical_writing_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tate.pdf"
    typeset(SPEECH, path, PdfLayout(vertical=True))
    assert "縦書き" in _refused(path)


def test_a_password_protected_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    typeset(SPEECH, path, encrypt="secret")
    assert "password" in _refused(path)


def test_a_copy_restricted_pdf_with_a_text_layer_is_imported(tmp_path: Path) -> None:
    from reportlab.lib import pdfencrypt

    path = tmp_path / "restricted.pdf"
    typeset(SPEECH, path, encrypt=pdfencrypt.StandardEncryption("", ownerPassword="owner", canCopy=0))
    assert "ただいまから本日の会議を開きます。" in read_pdf(path.read_bytes()).text


def test_a_truncated_or_foreign_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "whole.pdf"
    typeset(SPEECH * 20, path)
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    assert "damaged" in _refused(cut)
    other = tmp_path / "other.pdf"
    other.write_bytes(b"PK\x03\x04 not a pdf")
    assert "not a PDF" in _refused(other)


def test_minutes_import_takes_a_pdf_and_refuses_a_bad_one_while_the_others_go_on(tmp_path: Path) -> None:
    good = tmp_path / "2024-03-01.pdf"
    typeset("総務委員会会議録\n令和６年３月１日\n" + SPEECH, good)
    bad = tmp_path / "2024-03-02.pdf"
    typeset(SPEECH, bad, encrypt="secret")
    out: list[str] = []
    status = run_import([good, bad], "soumu", "総務委員会", tmp_path / "content", False, out.append)
    report = "\n".join(out)
    assert status == 1
    assert (tmp_path / "content" / "soumu" / "2024-03-01.md").exists()
    assert not (tmp_path / "content" / "soumu" / "2024-03-02.md").exists()
    assert "password" in report and "utterances: 10" in report
