"""Texts written into the database in Chinese — a job's stage and message, an import's problems
and summary — shown in the reader's language.

What a background job writes is stored once, in Chinese (the command line, the API and the
change log read it so), whoever started the job. A page shows it in its own language: a text
that is a msgid is translated as it stands; a text made from a msgid with data in it ("第3行
……“%(code)s”不存在") is matched against the msgids of the catalogue that carry placeholders,
and the English sentence is made again with the same data (which stays as written).
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext, pgettext, trans_real

CJK = re.compile(r"[\u3400-\u9fff]")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _pattern(msgid: str) -> re.Pattern | None:
    """The regular expression a text made from `msgid` matches; None when its words hold no
    Chinese (a bare "%(a)s：%(b)s" would match anything)."""
    pieces = PLACEHOLDER.split(msgid)
    literal = "".join(pieces[0::2])
    if not CJK.search(literal):
        return None
    out, seen = [], set()
    for n, piece in enumerate(pieces):
        if n % 2 == 0:
            out.append(re.escape(piece.replace("%%", "%")))
        elif piece in seen:
            out.append(f"(?P={piece})")
        else:
            seen.add(piece)
            out.append(f"(?P<{piece}>.*?)")
    return re.compile("".join(out) + r"\Z", re.S)


@lru_cache(maxsize=8)
def _patterns(language: str) -> list[tuple[str, re.Pattern]]:
    """The catalogue's msgids with placeholders and their patterns, the most specific (the
    most words) first."""
    catalog = getattr(trans_real.translation(language), "_catalog", None)
    found = []
    for key in catalog.keys() if catalog is not None else ():
        if not isinstance(key, str) or "\x04" in key or "%(" not in key:
            continue  # plural forms and contexts are never what a job stores
        pattern = _pattern(key)
        if pattern is not None:
            found.append((key, pattern))
    found.sort(key=lambda item: -len(PLACEHOLDER.sub("", item[0])))
    return found


def stored_text(text: str, context: str | None = None) -> str:
    """`text`, stored in Chinese, in the active language (unchanged when nothing matches);
    `context` is the msgctxt a bare word was marked with (a job's stage: "job stage")."""
    if not text:
        return text or ""
    language = translation.get_language() or ""
    if language.startswith("zh"):
        return text
    if context:
        translated = pgettext(context, text)
        if translated != text:
            return translated
    translated = gettext(text)
    if translated != text or not CJK.search(text):
        return translated
    return _rebuilt(text, language) or text


def _rebuilt(text: str, language: str) -> str | None:
    """The sentence of the catalogue `text` was made from, in `language`, with its data."""
    for msgid, pattern in _patterns(language):
        found = pattern.match(text)
        if found:
            values = {k: _part(v, language) for k, v in found.groupdict().items()}
            try:
                return gettext(msgid) % values
            except (KeyError, TypeError, ValueError):  # a %(n)d fed a word: not this msgid
                continue
    return None


def _part(value: str, language: str) -> str:
    """A piece inside a stored text: a sentence of the catalogue put in by the code (a clause,
    or the reason after "第3行“名称”：") or data, kept as written. Only a whole sentence (ending
    in 。) is looked up as it stands, so that a stored word such as a status stays as written."""
    if value.endswith("。"):
        translated = gettext(value)
        if translated != value:
            return translated
    return _rebuilt(value, language) or value
