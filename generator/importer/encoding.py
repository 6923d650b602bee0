"""Reading the bytes of a minutes text file: UTF-8 (with or without BOM), UTF-16 with BOM, Shift_JIS/CP932.

Minutes come from Word and PDF exports made on Windows as often as from anywhere else, so the
encoding is detected, never assumed, and line ends are normalised to `\\n` before any parsing.
"""

from __future__ import annotations

import codecs
import os

from .errors import SourceError
from .record import SourceNote

# Control characters other than tab, line feed, carriage return and form feed (a page break in
# PDF text dumps): a text with many of them is a binary file, whatever it decodes as.
_CONTROL = {chr(code) for code in range(32) if chr(code) not in "\t\n\r\f"} | {"\x7f"}
_MAX_CONTROL_SHARE = 0.01


def decode_source(data: bytes, path: str | os.PathLike[str]) -> tuple[str, list[SourceNote]]:
    """Decode a minutes text file into a string with `\\n` line ends, and say how it was read.

    UTF-8 is tried first (a BOM is dropped), then CP932, the Windows superset of Shift_JIS that
    Japanese offices write; UTF-16 is read when it carries a BOM. Raises SourceError for an empty
    file, a binary file, or bytes that are none of these. The notes (line 0: the whole file) name
    the encoding when it was not plain UTF-8 and report CRLF or CR line ends that were normalised.
    `path` names the file for the caller's messages; the decision rests on the bytes alone.
    """
    if not data.strip(b" \t\r\n\f\x00") or data in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise SourceError("file is empty: there are no minutes to import")
    notes: list[SourceNote] = []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode_strict(data, "utf-16")
        notes.append(SourceNote(0, "read as UTF-16 (byte order mark)"))
    elif b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is None:
            raise SourceError("binary file (it contains NUL bytes), not the text of minutes")
        notes.append(SourceNote(0, "read as UTF-16 (no byte order mark; told by its NUL bytes)"))
    elif data.startswith(codecs.BOM_UTF8):
        text = _decode_strict(data[len(codecs.BOM_UTF8) :], "utf-8")
        notes.append(SourceNote(0, "read as UTF-8 (byte order mark removed)"))
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as utf8_error:
            try:
                text = data.decode("cp932")
            except UnicodeDecodeError:
                line = data[: utf8_error.start].count(b"\n") + 1
                raise SourceError(
                    "neither UTF-8 nor Shift_JIS (CP932) text: save the minutes as UTF-8 and try again",
                    line,
                ) from None
            notes.append(SourceNote(0, "read as Shift_JIS (CP932): the file is not UTF-8"))
    controls = sum(1 for char in text if char in _CONTROL)
    if controls > max(2, len(text) * _MAX_CONTROL_SHARE):
        raise SourceError(f"binary file ({controls} control characters), not the text of minutes")
    if "\r" in text:
        kind = "CRLF" if "\r\n" in text else "CR"
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        notes.append(SourceNote(0, f"{kind} line ends read as line feeds"))
    if not text.strip():
        raise SourceError("file is empty: there are no minutes to import")
    return text, notes


def _utf16_without_bom(data: bytes) -> str | None:
    """`data` as UTF-16 when it reads as Japanese text in one byte order, else None (a binary file).

    In UTF-16, ASCII characters (spaces, line ends, digits) have a NUL byte; Japanese ones do not.
    """
    if len(data) % 2:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        japanese = sum(1 for char in text if "\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef")
        if "\x00" not in text and japanese >= 0.3 * len(text):
            return text
    return None


def _decode_strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SourceError(f"not valid {encoding.upper()} although it starts with its byte order mark", line) from None
