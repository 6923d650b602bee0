"""Messages in the reader's language: `_()` translates English text by the locale (LANG, LC_ALL, …).

The catalogs ship as gettext `.po` files (generator/locale/) and are compiled in memory on first
use, so no built `.mo` file has to be kept in step with them; English needs no catalog at all.
"""

from __future__ import annotations

import gettext
import io
import os
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "minutes"
# Click's own texts (Usage:, Options:, "Missing option" …), translated in a catalog of their own
# because `pybabel update` of ours would otherwise mark them obsolete.
CLICK_DOMAIN = "click"
LANGUAGES = ("ja",)

_translations: dict[str, gettext.NullTranslations] = {}


def language(environ: dict[str, str] | None = None) -> str:
    """The language messages are shown in ("ja" or "en"), chosen as GNU gettext chooses it."""
    env = os.environ if environ is None else environ
    # LC_ALL wins over LC_MESSAGES over LANG; a C or POSIX locale means untranslated, and then
    # LANGUAGE is ignored, as GNU gettext does.
    current = next((env[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(name)), "")
    if _code(current) in ("", "c", "posix"):
        return "en"
    for wanted in [*env.get("LANGUAGE", "").split(":"), current]:
        code = _code(wanted)
        if code in LANGUAGES or code == "en":
            return code
    return "en"


def _code(locale_name: str) -> str:
    """The language part of a locale name: ja_JP.UTF-8 → ja, C.UTF-8 → c."""
    return locale_name.split(".")[0].split("@")[0].split("_")[0].lower()


def translations(domain: str = DOMAIN) -> gettext.NullTranslations:
    """The catalog of `domain` for the current language (compiled from its .po once per process)."""
    lang = language()
    key = f"{domain}:{lang}"
    if key not in _translations:
        _translations[key] = _compile(LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po") if lang != "en" else gettext.NullTranslations()
    return _translations[key]


def _compile(po_file: Path) -> gettext.NullTranslations:
    """A .po file compiled in memory; fuzzy and untranslated entries stay English."""
    # Imported here: an English run never pays for Babel.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    if not po_file.is_file():
        return gettext.NullTranslations()
    with po_file.open("rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def reset() -> None:
    """Forget the loaded catalogs, so that the next message follows a changed locale (for tests)."""
    _translations.clear()


def _(message: str) -> str:
    """`message` in the reader's language (English when no translation exists)."""
    return translations().gettext(message)


def N_(message: str) -> str:
    """Mark `message` for the catalog where it is defined; it is translated with _() where it is shown."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural of a message for `count`, in the reader's language."""
    return translations().ngettext(singular, plural, count)


def translate_click() -> None:
    """Let click's own texts (Usage:, Options:, its error messages) follow the locale too."""
    if language() == "en":
        return
    import click

    catalog = translations(CLICK_DOMAIN)
    # Click looks its texts up through `gettext.gettext`, bound as `_` in each of its modules;
    # pointing those names at our catalog translates them without changing gettext's global domain.
    for name in ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui", "utils"):
        module = getattr(click, name, None)
        if module is not None and hasattr(module, "_"):
            module._ = catalog.gettext
        if module is not None and hasattr(module, "ngettext"):
            module.ngettext = catalog.ngettext
