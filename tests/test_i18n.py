"""Messages in Japanese and English: the locale chooses, and the catalog holds every message of the code.

When a test here fails after a message was added or changed, run `make messages` (or the two
pybabel commands of its Makefile target), translate the entries it lists in
generator/locale/ja/LC_MESSAGES/minutes.po, then `python -m generator.message_docs`.
"""

from __future__ import annotations

import ast
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import click
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from generator import i18n
from generator.message_docs import BEGIN, END, listed_messages, render
from tests.conftest import REPO

GENERATOR = REPO / "generator"
PO_FILE = GENERATOR / "locale" / "ja" / "LC_MESSAGES" / "minutes.po"
CLICK_PO = GENERATOR / "locale" / "ja" / "LC_MESSAGES" / "click.po"
GUIDE = REPO / "docs" / "ja"
BROKEN_MEETING = "---\ntitle: 第1回\ndate: 2024-02-30\n---\n\n○委員長　開会します。\n"


def _catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _code_messages() -> dict[str, str]:
    """Every message the code passes to _(), ngettext() or N_(), with the file and line it is at."""
    found: dict[str, str] = {}
    method_map = [("**.py", "python")]
    for filename, line, message, _comments, _context in extract_from_dir(str(GENERATOR), method_map):
        singular = message[0] if isinstance(message, tuple) else message
        found.setdefault(singular, f"generator/{filename}:{line}")
    return found


def test_every_message_of_the_code_has_a_japanese_translation() -> None:
    catalog = _catalog(PO_FILE)
    missing = []
    for message, where in _code_messages().items():
        entry = catalog.get(message) if message in catalog else _plural_entry(catalog, message)
        strings = () if entry is None else entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry is None or not all(strings) or entry.fuzzy:
            missing.append(f"{where}: {message!r}")
    assert not missing, "untranslated (run `make messages`, then translate in minutes.po):\n" + "\n".join(missing)


def _plural_entry(catalog, singular: str):
    return next((m for m in catalog if isinstance(m.id, tuple) and m.id[0] == singular), None)


def test_the_catalog_holds_no_fuzzy_empty_or_obsolete_entries() -> None:
    catalog = _catalog(PO_FILE)
    code = _code_messages()
    for message in catalog:
        if not message.id:
            continue
        singular = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert not message.fuzzy, f"fuzzy: {singular!r}"
        assert all(strings), f"empty: {singular!r}"
        assert singular in code, f"no longer in the code (run `make messages`): {singular!r}"
    assert not catalog.obsolete, f"obsolete entries: {list(catalog.obsolete)}"


def _fields(text: str) -> set[str]:
    return {name for _text, name, _spec, _conversion in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("po_file", [PO_FILE, CLICK_PO], ids=["minutes", "click"])
def test_each_translation_fills_in_the_same_values_as_its_english(po_file: Path) -> None:
    for message in _catalog(po_file):
        if not message.id:
            continue
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        japanese = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set().union(*(_fields(text) for text in english))
        for text in japanese:
            if len(english) == 1:
                assert _fields(text) == wanted, (message.id, text)
            else:
                # Japanese has one plural form: it fills in the values of either English form.
                assert _fields(text) <= wanted, (message.id, text)


def test_click_messages_translated_are_click_s_own() -> None:
    # Click's texts are translated by their English; one that click no longer has is dead weight.
    sources = "".join(path.read_text(encoding="utf-8") for path in Path(click.__file__).parent.glob("*.py"))
    for message in _catalog(CLICK_PO):
        if message.id:
            english = message.id[0] if isinstance(message.id, tuple) else message.id
            assert repr(english)[1:-1] in sources or f'"{english}"' in sources, english


# Calls that show their text to a user: a plain literal here is an untranslated message.
_SHOWN_BY = {"error", "warning", "echo", "SourceError", "SourceNote", "ManifestError", "OutputFolderError", "DamagedIndexError",
             "InitError", "ListenError", "BadParameter", "MissingAssetError", "rebuild_all", "problem", "append"}  # fmt: skip


# A severity ("note", the "warning: " prefix) and the dev server's own place name stay as they are.
_NOT_MESSAGES = {"note", "warning", "error", "minutes serve"}


def _plain_messages(tree: ast.AST) -> list[tuple[int, str]]:
    """Literal English texts passed straight to a call that shows them (help= included)."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        values = [value for value in node.args if name in _SHOWN_BY]
        values += [keyword.value for keyword in node.keywords if keyword.arg in ("help", "label")]
        for value in values:
            text = value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
            if isinstance(value, ast.JoinedStr):
                text = "".join(part.value for part in value.values if isinstance(part, ast.Constant))
            # A message has words and spaces; a key ("renumbered") or a severity has no space.
            if text is not None and re.search(r"[A-Za-z]{3,} ", text) and text.strip(" :") not in _NOT_MESSAGES:
                found.append((value.lineno, text))
    return found


def test_no_message_is_shown_without_going_through_the_catalog() -> None:
    # Helpers adding options leave plain strings; this names each one so that it can be wrapped in _().
    plain = []
    for path in sorted(GENERATOR.rglob("*.py")):
        if "vendor" in path.parts:
            continue
        for line, text in _plain_messages(ast.parse(path.read_text(encoding="utf-8"))):
            plain.append(f"{path.relative_to(REPO)}:{line}: {text!r}")
    assert not plain, "wrap these in _() (f-strings as _('... {name} ...').format(name=...)):\n" + "\n".join(plain)


def _outside_comprehensions(node: ast.AST):
    """The nodes under `node`, except inside comprehensions (which have a scope of their own)."""
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            yield child
            yield from _outside_comprehensions(child)


def test_no_module_that_translates_rebinds_the_underscore() -> None:
    # `for _, x in ...` in a function that also calls _() makes `_` a local: an UnboundLocalError.
    rebound = []
    for path in sorted(GENERATOR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports = any(isinstance(n, ast.ImportFrom) and any(a.name == "_" for a in n.names) for n in ast.walk(tree))
        if not imports:
            continue
        for function in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            for node in _outside_comprehensions(function):
                if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
                    rebound.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not rebound, "'_' assigned in a module that translates with _(): " + ", ".join(sorted(set(rebound)))


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANG": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "C.UTF-8", "LANGUAGE": "ja"}, "en"),  # C ignores LANGUAGE, as GNU gettext does
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "ja:en"}, "ja"),
        ({"LANG": "ja_JP.UTF-8", "LC_ALL": "C"}, "en"),
        ({"LANG": "C", "LC_MESSAGES": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_the_locale_chooses_the_language(environ: dict[str, str], language: str) -> None:
    assert i18n.language(environ) == language


def _minutes(args: list[str], cwd: Path, lang: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env.update(LANG=lang, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def _broken_site(tmp_path: Path) -> Path:
    (tmp_path / "content" / "iinkai").mkdir(parents=True)
    (tmp_path / "content" / "_index.md").write_text("---\ntitle: テスト\n---\n", encoding="utf-8")
    (tmp_path / "content" / "iinkai" / "_index.md").write_text("---\ntitle: 委員会\n---\n", encoding="utf-8")
    (tmp_path / "content" / "iinkai" / "2024-02-30.md").write_text(BROKEN_MEETING, encoding="utf-8")
    return tmp_path


def test_check_in_a_japanese_locale_says_the_problem_in_japanese(tmp_path: Path) -> None:
    result = _minutes(["check"], _broken_site(tmp_path), "ja_JP.UTF-8")
    assert result.returncode == 1
    # The prefix stays for tools; the message after it is Japanese and says what to do.
    assert "content/iinkai/2024-02-30.md:3: error: date の '2024-02-30' は正しい日付ではありません。YYYY-MM-DD の形で実在する日付を書いてください" in result.stderr
    assert "確認の結果、直す必要があります: エラー 1 件、警告 0 件" in result.stderr


def test_check_in_the_c_locale_says_the_problem_in_english(tmp_path: Path) -> None:
    result = _minutes(["check"], _broken_site(tmp_path), "C")
    assert result.returncode == 1
    assert "content/iinkai/2024-02-30.md:3: error: invalid date '2024-02-30': write a real date as YYYY-MM-DD" in result.stderr
    assert "check failed: 1 error(s), 0 warning(s)" in result.stderr


def test_help_is_japanese_in_a_japanese_locale_and_english_otherwise(tmp_path: Path) -> None:
    japanese = _minutes(["build", "--help"], tmp_path, "ja_JP.UTF-8").stdout
    assert "使い方:" in japanese and "オプション:" in japanese
    assert "すべての会議録を確認してから" in japanese
    assert "この説明を表示して終わります。" in japanese
    english = _minutes(["build", "--help"], tmp_path, "C").stdout
    assert "Usage:" in english and "Options:" in english
    assert "Check all content, then render the site" in english
    assert "Show this message and exit." in english


def test_click_s_own_errors_follow_the_locale(tmp_path: Path) -> None:
    result = _minutes(["check", "--no-such-option"], tmp_path, "ja_JP.UTF-8")
    assert result.returncode == 2
    assert "エラー: '--no-such-option' というオプションはありません。" in result.stderr


def test_the_guide_s_list_of_messages_is_the_catalog_s() -> None:
    guide = (GUIDE / "errors.md").read_text(encoding="utf-8")
    listed = guide[guide.index(BEGIN) : guide.index(END) + len(END) + 1]
    assert listed == render(listed_messages()), "run `python -m generator.message_docs` to rewrite docs/ja/errors.md"


def test_the_guide_lists_every_whole_message_in_japanese() -> None:
    guide = (GUIDE / "errors.md").read_text(encoding="utf-8")
    messages = listed_messages()
    assert len(messages) > 200
    for message in messages:
        assert message.english in guide.replace("\\", "") or message.english.replace("\n", " ") in guide
