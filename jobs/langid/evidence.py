"""What a text says about its language before any context is applied: a score per word
and per Cyrillic candidate, and the analysis of a whole text.

Scores are natural-log probabilities, summed over a text's Cyrillic words. Spelling
comes first: a word a candidate's alphabet cannot write costs it more than any
difference in vocabulary can win back. Vocabulary is a known word's frequency, else the
share of words ending like it, else its n-grams; pymorphy3's full-form dictionaries add
a penalty to the candidate whose dictionary lacks a form another's lists.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from jobs.langid import lexicon, profiles
from jobs.langid.alphabets import (
    ALPHABETS,
    CYRILLIC,
    CYRILLIC_LANGS,
    LATIN,
    LETTER,
    WORD,
    cyrillic_words,
    normal,
    spelling_letters,
    unspellable,
)
from jobs.langid.foreign import ForeignLanguages
from jobs.text import URL

# What a word the language cannot spell costs, and the most its vocabulary can cost one
# word against the best candidate: the first is larger, so spelling always dominates.
_IMPOSSIBLE = -14.0
_LEXICAL_CAP = 9.0
_LOG_UNKNOWN = math.log(1e-9)  # a word missing from one list but present in another
# A language is ruled out when at least this share of a span's words cannot be spelt in
# it; below that a stray quoted word (a Russian surname in Ukrainian text) is tolerated.
_VETO_SHARE = 0.1
# A letter no candidate writes at all (ј, ќ, ў, …) is no typo and no Russian quote in
# Ukrainian text: its word counts this many times towards the veto.
_UNWRITTEN_WEIGHT = 3
_LANGDETECT_MIN_WORDS = 3
_CLOSE_MARGIN = 4.0  # total log-odds below which a multi-word span asks langdetect
_SUFFIX_MAX = 5
_SUFFIX_MIN_SEEN = 5  # back off to a shorter ending until this many words share it
# A form that one full-form dictionary lists and the other lacks: odds of about 50 to 1.
_MORPH_PENALTY = 4.0


@dataclass(frozen=True, slots=True)
class Analysis:
    """What a text says about itself, before any context is applied."""

    letters: int
    cyrillic: int
    latin: int
    words: int
    cyrillic_words: int
    scores: Mapping[str, float]  # Cyrillic candidates only
    vetoed: frozenset[str]
    decisive: bool  # spelling alone singles out one candidate
    foreign: str | None  # a non-candidate language that explains the text better


class Evidence:
    """The analysis of texts for one set of candidate languages, cached by text."""

    def __init__(self, candidates: Sequence[str], seed: int) -> None:
        self._langs = tuple(c for c in candidates if c in CYRILLIC_LANGS)
        self._seed = seed
        self._letters = frozenset().union(*(ALPHABETS[c] for c in self._langs))
        self._foreign = ForeignLanguages(candidates, seed)
        # Bound the caches: a long run over many sites must not grow without limit.
        self.analyse: Callable[[str], Analysis] = functools.lru_cache(maxsize=1 << 17)(
            self._analyse
        )
        self._spelling = functools.lru_cache(maxsize=1 << 17)(self._spelling_uncached)

    def _analyse(self, text: str) -> Analysis:
        # A sentence's URLs and e-mail addresses would otherwise outvote its Cyrillic
        # words and make a name inside it ("Компанія Siemens …") look like English.
        if "@" in text or "/" in text or "www." in text.lower():
            text = URL.sub(" ", text)
        letters = len(LETTER.findall(text))
        cyrillic = len(CYRILLIC.findall(text))
        latin = len(LATIN.findall(text))
        words = WORD.findall(text)
        cyr_words = cyrillic_words(words)
        n = len(cyr_words)
        impossible, against = self._unspellable_counts(cyr_words)
        vetoed = frozenset(
            lang for lang in self._langs if against[lang] and against[lang] >= _VETO_SHARE * n
        )
        decisive = len(self._langs) > 1 and len(set(self._langs) - vetoed) == 1
        foreign = self._foreign.unexplained(text, cyr_words, impossible, vetoed)
        if foreign is not None:
            every = frozenset(self._langs)
            return Analysis(letters, cyrillic, latin, len(words), n, {}, every, False, foreign)
        if decisive:
            # Spelling has decided; skipping vocabulary here keeps most whole sentences
            # from ever loading the frequency lists.
            scores = {lang: _IMPOSSIBLE * against[lang] for lang in self._langs}
        else:
            scores = self._vocabulary(text, cyr_words, vetoed)
            # The scores stay: a short span inside this sentence still leans on them.
            foreign = self._foreign.better_fitting(text, n, scores, vetoed)
        return Analysis(letters, cyrillic, latin, len(words), n, scores, vetoed, decisive, foreign)

    def _unspellable_counts(self, words: Sequence[str]) -> tuple[dict[str, int], dict[str, int]]:
        """For every language of ``ALPHABETS``, how many ``words`` it cannot write; and for
        every candidate, the weight of those words against it."""
        impossible = dict.fromkeys(ALPHABETS, 0)
        against = dict.fromkeys(self._langs, 0)
        for word in words:
            ruled_out, unwritten = self._spelling(word)
            for lang in ruled_out:
                impossible[lang] += 1
                if lang in against:
                    against[lang] += _UNWRITTEN_WEIGHT if unwritten else 1
        return impossible, against

    def _spelling_uncached(self, word: str) -> tuple[frozenset[str], bool]:
        """Languages whose alphabet cannot write ``word``, and whether no candidate can."""
        unwritten = bool(self._langs) and not spelling_letters(word) <= self._letters
        return unspellable(word), unwritten

    def _vocabulary(
        self, text: str, words: Sequence[str], vetoed: Collection[str]
    ) -> dict[str, float]:
        """The words' scores summed per candidate; langdetect's word when that is close."""
        scores = dict.fromkeys(self._langs, 0.0)
        if not self._langs:
            return scores
        for word in words:
            for lang, s in word_scores(word, self._langs).items():
                scores[lang] += s
        if (
            len(self._langs) > 1
            and len(words) >= _LANGDETECT_MIN_WORDS
            and _margin(scores, vetoed) < _CLOSE_MARGIN
        ):
            asked = tuple(lang for lang in self._langs if lang not in vetoed)
            probs = profiles.probabilities(text, asked, self._seed)
            for lang in self._langs:
                scores[lang] += 2.0 * math.log(max(probs.get(lang, 0.0), 1e-6))
        return scores


@functools.lru_cache(maxsize=1 << 17)
def word_scores(word: str, langs: tuple[str, ...]) -> dict[str, float]:
    """Per-language log score of one lowercased Cyrillic word, spelling included."""
    ruled_out = unspellable(word)
    key = normal(word)
    raw = _lexical_scores(word, key, langs)
    best = max(raw.values())
    morph = _dictionary_evidence(key, langs)
    return {
        lang: max(raw[lang] - best, -_LEXICAL_CAP)
        + morph.get(lang, 0.0)
        + (_IMPOSSIBLE if lang in ruled_out else 0.0)
        for lang in langs
    }


def _lexical_scores(word: str, key: str, langs: Sequence[str]) -> dict[str, float]:
    """How likely each language's vocabulary makes ``word`` (``key`` as lists spell it)."""
    known = {lang: lexicon.frequencies(lang).get(key) for lang in langs}
    if any(f is not None for f in known.values()):
        return {lang: _LOG_UNKNOWN if f is None else f for lang, f in known.items()}
    if all(lexicon.small_list_size(lang) for lang in langs):
        return _suffix_scores(word, langs)
    return {lang: _ngram_score(word, lang) for lang in langs}


def _suffix_scores(word: str, langs: Sequence[str]) -> dict[str, float]:
    """Log share of each language's words that end like ``word``, longest ending first."""
    counts = dict.fromkeys(langs, 0)
    for k in range(min(_SUFFIX_MAX, len(word) - 1), 1, -1):
        counts = {lang: lexicon.ending_count(lang, word[-k:]) for lang in langs}
        if sum(counts.values()) >= _SUFFIX_MIN_SEEN:
            break
    return {
        lang: math.log((counts[lang] + 0.5) / max(lexicon.small_list_size(lang), 1))
        for lang in langs
    }


def _ngram_score(word: str, lang: str) -> float:
    score = profiles.ngram_score(word, lang)
    return _LOG_UNKNOWN if score is None else score


def _dictionary_evidence(word: str, langs: Sequence[str]) -> dict[str, float]:
    """A penalty for each language whose full-form dictionary lacks a word another's has.

    pymorphy3's uk and ru dictionaries list every inflected form (millions each), so a
    form such as "оттиснуто" or "тривожило" that no frequency list has is still known to
    exactly one of them. Words both know ("через", "людей") say nothing here and are left
    to the frequencies. Languages without a dictionary are neither helped nor hurt.
    """
    known = {lang: lexicon.known(word, lang) for lang in langs if lexicon.has_dictionary(lang)}
    if len(known) < 2 or not any(known.values()):
        return {}
    return {lang: 0.0 if ok else -_MORPH_PENALTY for lang, ok in known.items()}


def softmax(scores: Mapping[str, float]) -> dict[str, float]:
    """Log scores as probabilities that sum to 1."""
    if not scores:
        return {}
    top = max(scores.values())
    exp = {k: math.exp(v - top) for k, v in scores.items()}
    total = sum(exp.values())
    return {k: v / total for k, v in exp.items()}


def _margin(scores: Mapping[str, float], vetoed: Collection[str]) -> float:
    values = sorted((v for k, v in scores.items() if k not in vetoed), reverse=True)
    return values[0] - values[1] if len(values) > 1 else math.inf
