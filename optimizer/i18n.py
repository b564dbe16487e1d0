"""The planner's language: English (the source text) or Swedish, from Babel/gettext catalogues.

Messages are marked with :func:`_` (``gettext``), :func:`ngettext` and, for error messages, are
matched whole against the catalogue's ``msgctxt "error"`` templates (see :func:`translate_error`),
so the many ``InputError`` f-strings need no change to be translated.

The catalogue is ``optimizer/locale/<lang>/LC_MESSAGES/rollout.po``. The build (setup.py) compiles
it to ``rollout.mo``; when the ``.mo`` is missing or older than the ``.po`` (a fresh clone, an
editable install), the ``.po`` is compiled in memory with Babel on first use.

The language: :func:`set_language` (the CLI's ``--lang``), else ``LC_ALL`` / ``LC_MESSAGES`` /
``LANG`` (``sv_SE.UTF-8`` -> ``sv``), else English. Input files stay language-neutral.
"""

from __future__ import annotations

import functools
import gettext as _gettext
import io
import os
import re
from pathlib import Path
from typing import Mapping

LANGUAGES = ("en", "sv")
DOMAIN = "rollout"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_current: str | None = None


def language_from_env(environ: Mapping[str, str] | None = None) -> str:
    """``sv`` or ``en`` from the first set of LC_ALL, LC_MESSAGES, LANG (POSIX order)."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "").strip()
        if value:
            code = value.split(".")[0].split("@")[0].split("_")[0].lower()
            return code if code in LANGUAGES else "en"
    return "en"


def set_language(lang: str | None) -> str:
    """Use ``lang`` (``en``/``sv``; None: from the environment) from now on; returns it."""
    global _current
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of: {', '.join(LANGUAGES)}")
    _current = lang or language_from_env()
    return _current


def language() -> str:
    return _current if _current is not None else set_language(None)


@functools.lru_cache(maxsize=None)
def translations(lang: str) -> _gettext.NullTranslations:
    """The catalogue of ``lang`` (NullTranslations for English)."""
    if lang == "en":
        return _gettext.NullTranslations()
    d = LOCALE_DIR / lang / "LC_MESSAGES"
    po, mo = d / f"{DOMAIN}.po", d / f"{DOMAIN}.mo"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with open(mo, "rb") as fh:
            return _gettext.GNUTranslations(fh)
    return _gettext.GNUTranslations(io.BytesIO(compile_po(po)))


def compile_po(po: Path) -> bytes:
    """The ``.mo`` bytes of a ``.po`` file (Babel; used by the build and at run time)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(po, "rb") as fh:
        catalog = read_po(fh)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()


def _(message: str) -> str:
    """``message`` in the current language."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations(language()).pgettext(context, message)


# --------------------------------------------------------------------- numbers and months
def number(n: int | float) -> str:
    """3,363 in English, 3 363 in Swedish (a no-break space, as Swedish Excel writes it)."""
    text = f"{n:,}" if isinstance(n, int) else f"{n:,.1f}"
    if language() == "sv":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def decimal(x: float, digits: int = 2) -> str:
    """0.04 in English, 0,04 in Swedish."""
    text = f"{x:.{digits}f}"
    return text.replace(".", ",") if language() == "sv" else text


def percent(fraction: float, digits: int = 0) -> str:
    text = f"{100 * fraction:.{digits}f} %"
    return text.replace(".", ",") if language() == "sv" else text


_MONTHS_SV = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
              "oktober", "november", "december")
_YYYY_MM = re.compile(r"^(\d{4})-(\d{2})$")


def month(label: str, *, title: bool = False) -> str:
    """A month label as the planner reads it: ``2027-07`` in English; ``juli 2027`` in Swedish
    (``Juli 2027`` with ``title``, as the guide's table header). Free labels (``M1``) stay."""
    m = _YYYY_MM.match(label)
    if language() != "sv" or not m or not 1 <= int(m[2]) <= 12:
        return label
    name = _MONTHS_SV[int(m[2]) - 1]
    return f"{name.capitalize() if title else name} {m[1]}"


# --------------------------------------------------------------------- domain words
def phase(name: str) -> str:
    """A phase name of :meth:`Plan.phase` (English, as in the CSV) in the current language."""
    if name.startswith("Production phase "):
        return _("Production phase {n}").format(n=name.rsplit(" ", 1)[1])
    return {"Limited pilot": _("Limited pilot"), "Expanded pilot": _("Expanded pilot")}.get(name, name)


def method(key: str) -> str:
    """The display name of a method key (``self-service``, ``assisted``, ``tech-fair``)."""
    return {"self-service": _("Self-service"), "assisted": _("Assisted"),
            "tech-fair": _("IT tech fair")}.get(key, key)


def method_in_text(key: str | None) -> str | None:
    """A method in running text: the key in English (``self-service``, as in the CSV); in Swedish
    the planner's word, lower-case unless it starts with an abbreviation (``IT-teknikmässa``)."""
    if key is None or language() == "en":
        return key
    word = method(key)
    return word if word[:2].isupper() else word[:1].lower() + word[1:]


def users(n: int) -> str:
    """'(N users)' as the guide writes user counts (without the brackets)."""
    return ngettext("{n} user", "{n} users", n).format(n=n)


def users_of(n: int, size: int) -> str:
    """'N of SIZE users': one part of a split group (without the brackets)."""
    return ngettext("{n} of {size} user", "{n} of {size} users", size).format(n=n, size=size)


def resource(key: str) -> str:
    return {"helpdesk": _("Helpdesk tickets"), "assisted": _("Assisted users"),
            "tech_fair": _("Tech-fair users")}.get(key, key)


def level(key: str) -> str:
    """A KPI (objective level) in plain words."""
    return {"finish": _("Finish month"), "waiting": _("Users waiting (user-months, weighted by readiness)"),
            "assisted": _("Assisted users"), "splits": _("Extra months for split groups"),
            "changes": _("Users moved from the previous plan")}.get(key, key)


# --------------------------------------------------------------------- errors
_FIELD = re.compile(r"\{(\w+)\}")


@functools.lru_cache(maxsize=None)
def _error_patterns(lang: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    cat = getattr(translations(lang), "_catalog", {})
    out = []
    for key, text in cat.items():
        if not isinstance(key, str) or not key.startswith("error\x04") or not text:
            continue
        msgid = key.split("\x04", 1)[1]
        parts, pos = [], 0
        for m in _FIELD.finditer(msgid):
            parts.append(re.escape(msgid[pos:m.start()]))
            parts.append(f"(?P<{m[1]}>.*?)")
            pos = m.end()
        parts.append(re.escape(msgid[pos:]))
        out.append((re.compile("".join(parts) + r"\Z", re.S), text))
    # the longest templates first: the most specific wins
    out.sort(key=lambda p: -len(p[0].pattern))
    return tuple(out)


def translate_error(message: str) -> str:
    """An English error message in the current language: the catalogue's ``msgctxt "error"``
    entries are templates (``'{value}' is not one of: {options}``) matched against the whole
    message; the matched parts (file text, names) are put into the translation unchanged.
    A message without a template stays English."""
    lang = language()
    if lang == "en":
        return message
    for pattern, text in _error_patterns(lang):
        if m := pattern.match(message):
            # a value the code fills in ("size (users)") may itself have an entry (msgctxt "word")
            return _FIELD.sub(lambda f: pgettext("word", m.group(f[1])) if f[1] in m.groupdict() else f[0], text)
    return message


def N_(message: str) -> str:
    """Marks ``message`` for the catalogue without translating it (translated where shown)."""
    return message
