"""Reading the bytes of a minutes text file: UTF-8 (with or without BOM), UTF-16 with BOM, Shift_JIS/CP932.

Minutes come from Word and PDF exports made on Windows as often as from anywhere else, so the
encoding is detected, never assumed, and line ends are normalised to `\\n` before any parsing.
"""

from __future__ import annotations

import codecs
import os
import re

from ..i18n import _, ngettext
from .errors import SourceError, SourceErrors
from .record import SourceNote

# Control characters other than tab, line feed, carriage return and form feed (a page break in
# PDF text dumps): a text with many of them is a binary file, whatever it decodes as.
_CONTROL = {chr(code) for code in range(32) if chr(code) not in "\t\n\r\f"} | {"\x7f"}
_MAX_CONTROL_SHARE = 0.01
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
"""What a source may not hold: what `minutes check` refuses in content (content.read_text), but form feed."""

# Python's cp932 codec never fails on some bytes that Shift_JIS leaves undefined: 0x80 becomes
# U+0080 and 0xA0, 0xFD, 0xFE, 0xFF become U+F8F0-U+F8F3 (Microsoft's private-use mapping), so
# a damaged file decoded "without error" into characters nobody wrote. Those, and the bytes the
# codec does reject (kept as U+DC80-U+DCFF by the `surrogateescape` handler), are errors at
# their line. DEL (0x7F) is no text character either; after a lead byte it is a broken pair.
_NOT_SHIFT_JIS = re.compile("[\udc80-\udcff\x80\x7f\uf8f0-\uf8f3]+")
_PRIVATE_BYTES = {"\x80": 0x80, "\x7f": 0x7F, "\uf8f0": 0xA0, "\uf8f1": 0xFD, "\uf8f2": 0xFE, "\uf8f3": 0xFF}
# CP932's user-defined area (0xF040-0xF9FC, U+E000-U+E757): 外字 of one office's fonts, with
# no meaning anywhere else; the site would show an empty box.
_USER_DEFINED = re.compile("[\ue000-\ue757]")
# More unreadable characters than this share (or more than one unreadable spot per 200
# characters) and the file is in another encoding altogether, not Shift_JIS with a damaged line.
_MAX_UNREADABLE_SHARE = 0.05
_MAX_ERRORS = 20


def decode_source(data: bytes, path: str | os.PathLike[str]) -> tuple[str, list[SourceNote]]:
    """Decode a minutes text file into a string with `\\n` line ends, and say how it was read.

    UTF-8 is tried first (a BOM is dropped), then CP932, the Windows superset of Shift_JIS that
    Japanese offices write; UTF-16 is read when it carries a BOM. Raises SourceError for an empty
    file, a binary file, or bytes that are none of these, and SourceErrors (one per line) for
    control characters, bytes that are not Shift_JIS in a Shift_JIS file, and its 外字. The
    notes (line 0: the whole file) name the encoding when it was not plain UTF-8 and report CRLF
    or CR line ends that were normalised. `path` names the file for the caller's messages; the
    decision rests on the bytes alone.
    """
    if not data.strip(b" \t\r\n\f\x00") or data in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise SourceError(_("file is empty: there are no minutes to import"))
    notes: list[SourceNote] = []
    shift_jis = False
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode_strict(data, "utf-16")
        notes.append(SourceNote(0, _("read as UTF-16 (byte order mark)"), "note"))
    elif b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is None:
            raise SourceError(_("binary file (it contains NUL bytes), not the text of minutes"))
        notes.append(SourceNote(0, _("read as UTF-16 (no byte order mark; told by its NUL bytes)"), "note"))
    elif data.startswith(codecs.BOM_UTF8):
        text = _decode_strict(data[len(codecs.BOM_UTF8) :], "utf-8")
        notes.append(SourceNote(0, _("read as UTF-8 (byte order mark removed)"), "note"))
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as utf8_error:
            text = data.decode("cp932", "surrogateescape")
            unreadable = _NOT_SHIFT_JIS.findall(text)
            if sum(map(len, unreadable)) > len(text) * _MAX_UNREADABLE_SHARE or len(unreadable) > max(10, len(text) // 200):
                line = data[: utf8_error.start].count(b"\n") + 1
                raise SourceError(
                    _("neither UTF-8 nor Shift_JIS (CP932) text: save the minutes as UTF-8 and try again"),
                    line,
                ) from None
            shift_jis = True
            notes.append(SourceNote(0, _("read as Shift_JIS (CP932): the file is not UTF-8"), "note"))
    controls = sum(1 for char in text if char in _CONTROL)
    if controls > max(2, len(text) * _MAX_CONTROL_SHARE):
        raise SourceError(_("binary file ({controls} control characters), not the text of minutes").format(controls=controls))
    if "\r" in text:
        kind = "CRLF" if "\r\n" in text else "CR"
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        notes.append(SourceNote(0, _("{kind} line ends read as line feeds").format(kind=kind), "note"))
    problems = _unreadable_lines(text, shift_jis)
    if problems:
        raise SourceErrors(problems)
    if not text.strip():
        raise SourceError(_("file is empty: there are no minutes to import"))
    return text, notes


def _unreadable_lines(text: str, shift_jis: bool) -> list[SourceError]:
    """One error per line with bytes that are not Shift_JIS, 外字 or control characters (at most _MAX_ERRORS)."""
    found: dict[int, str] = {}
    if shift_jis:
        for match in _NOT_SHIFT_JIS.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            values = [_PRIVATE_BYTES.get(char, ord(char) - 0xDC00) for char in match[0]]
            shown = " ".join(f"0x{value:02X}" for value in values)
            found.setdefault(
                line,
                ngettext(
                    "byte {bytes} is not Shift_JIS (CP932) text: the file is damaged here; correct this line, or export the minutes again",
                    "bytes {bytes} are not Shift_JIS (CP932) text: the file is damaged here; correct this line, or export the minutes again",
                    len(values),
                ).format(bytes=shown),
            )
        for match in _USER_DEFINED.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            code = match[0].encode("cp932").hex().upper()
            found.setdefault(
                line,
                _("user-defined character (外字) 0x{code}: it has no standard meaning; replace it with the character it stands for").format(
                    code=code
                ),
            )
    for match in CONTROL_CHARACTERS.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        # Word writes U+000B for a manual line break; feeds and `minutes check` refuse it.
        found.setdefault(line, _("control character U+{code:04X}: remove it").format(code=ord(match[0])))
    lines = sorted(found)
    errors = [SourceError(found[line], line) for line in lines[:_MAX_ERRORS]]
    if len(lines) > _MAX_ERRORS:
        rest = len(lines) - _MAX_ERRORS
        errors.append(SourceError(ngettext("and {count} more line like these", "and {count} more lines like these", rest).format(count=rest), lines[_MAX_ERRORS]))
    return errors


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
        raise SourceError(_("not valid {encoding} although it starts with its byte order mark").format(encoding=encoding.upper()), line) from None
