"""Decoded text → numbered lines, and the normal form used to match labels and numbers."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex

_SPACE = regex.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
# A row label's own numbering (`三、`, `(一)`, `1.`), which renderings keep, split or drop.
_NUMBERING = regex.compile(r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十\d]+\)[、.]?|\d+[.、])+")


def split_lines(text: str) -> list[str]:
    """Lines as a user counts them in the raw file (CRLF, LF, or bare CR)."""
    if "\r" not in text:
        return text.split("\n")
    if "\n" not in text:
        return text.split("\r")
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


# The compatibility characters of Chinese text, each with its NFKC form. Replacing one by its form
# leaves the text's NFKC as it was (both decompose alike), and a line left with none passes
# unicodedata's quick check instead of being decomposed and recomposed character by character,
# several times slower.
_COMMON_COMPAT = tuple((c, unicodedata.normalize("NFKC", c)) for c in "（），：；！？％　０１２３４５６７８９")


def _nfkc(s: str) -> str:
    if not s.isascii():
        for c, form in _COMMON_COMPAT:
            if c in s:
                s = s.replace(c, form)
    return unicodedata.normalize("NFKC", s)


# Form labels, headings and common cells recur in every report, so each distinct string is
# folded once per process (a report's prose lines are new, and cost what they did).
@lru_cache(maxsize=1 << 16)
def fold(s: str) -> str:
    """Compatibility-fold and drop all white space: full-width digits become ASCII,
    （一） becomes (一), and `2024 年` and `2024年` compare equal."""
    return _without_space(_nfkc(s))


# _SPACE's white space is str.isspace()'s without the information separators \x1c-\x1f, with the
# zero-width space and the BOM: str.split() drops it several times faster than the regex.
_SEPARATORS = ("\x1c", "\x1d", "\x1e", "\x1f")


def _without_space(s: str) -> str:
    if any(c in s for c in _SEPARATORS):
        return _SPACE.sub("", s)
    return "".join(s.replace("\u200b", "").replace("\ufeff", "").split())


def squeeze(s: str) -> str:
    """Compatibility-fold and trim, keeping inner spaces: `20 30` in one cell is two numbers,
    never 2030."""
    return _SPACE.sub(" ", _nfkc(s)).strip()


@lru_cache(maxsize=1 << 14)
def label_key(text: str) -> str:
    """A row label as the form's patterns match it: folded, without its numbering."""
    return _NUMBERING.sub("", fold(text))
