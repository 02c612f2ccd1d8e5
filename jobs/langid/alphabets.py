"""Letters, words and alphabets: how the detector reads a text before weighing it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import regex

APOSTROPHES = "'’ʼ"
WORD = regex.compile(r"\p{L}[\p{L}\p{M}]*(?:[" + APOSTROPHES + r"]\p{L}[\p{L}\p{M}]*)*")
LETTER = regex.compile(r"\p{L}")
CYRILLIC = regex.compile(r"\p{Script=Cyrillic}")
LATIN = regex.compile(r"\p{Script=Latin}")

_COMMON_CYRILLIC = set("абвгдежзклмнопрстуфхцчш")
# Alphabets as written today; a letter outside a language's alphabet is evidence against
# it. The apostrophe is part of Ukrainian and Belarusian spelling (Russian uses ъ).
ALPHABETS: Mapping[str, frozenset[str]] = {
    "uk": frozenset(_COMMON_CYRILLIC | set("ґєиіїйщьюя") | set(APOSTROPHES)),
    "ru": frozenset(_COMMON_CYRILLIC | set("ёийщъыьэюя")),
    "be": frozenset(_COMMON_CYRILLIC | set("ёійўыьэюя") | set(APOSTROPHES)),
    "bg": frozenset(_COMMON_CYRILLIC | set("ийщъьюя")),
    "mk": frozenset(_COMMON_CYRILLIC | set("ѓѕијљњќџ")),
    "sr": frozenset(_COMMON_CYRILLIC | set("ђијљњћџ")),
}
CYRILLIC_LANGS = frozenset(ALPHABETS)

# Web text often types a Latin look-alike inside a Cyrillic word ("Київ" with a Latin
# "i"); read such letters as the Cyrillic ones they imitate, or the word would look
# impossible in every language. Applied to lowercased words that contain Cyrillic.
_HOMOGLYPHS = str.maketrans("abcehikmoptxyï", "авсенікмортхуї")
_SPELL_NOTHING = frozenset("-" + "\u0301")  # hyphens and stress marks


def cyrillic_words(words: Iterable[str]) -> list[str]:
    """The Cyrillic ``words`` as the detector weighs them: lowercased, with Latin
    look-alikes read as Cyrillic."""
    lowered = (word.lower() for word in words)
    return [word.translate(_HOMOGLYPHS) for word in lowered if CYRILLIC.search(word)]


def normal(word: str) -> str:
    """``word`` with its apostrophes as the word lists and dictionaries spell them."""
    return word.replace("’", "'").replace("ʼ", "'")


def spelling_letters(word: str) -> frozenset[str]:
    """The letters of ``word`` that an alphabet must have to write it."""
    return frozenset(word) - _SPELL_NOTHING


def unspellable(word: str) -> frozenset[str]:
    """The languages of ``ALPHABETS`` whose alphabet cannot write ``word``."""
    letters = spelling_letters(word)
    return frozenset(lang for lang, alphabet in ALPHABETS.items() if not letters <= alphabet)
