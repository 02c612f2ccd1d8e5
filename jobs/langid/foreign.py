"""Cyrillic languages the job has no model for, named when no candidate explains a text.

Naming them (be, bg, mk, sr) lets the pipeline flag "no be→en model" instead of
translating Belarusian as if it were Ukrainian. Three ways to be exposed, each for runs
long enough that a name or a cut-off piece of a sentence cannot trigger it:

* no candidate can spell the run, and another language's alphabet fits it better;
* more than half its words are in no candidate's dictionary (Belarusian without ў/ы/э
  spells like Ukrainian, Bulgarian without ъ like Russian; their words give them away);
* a long run that even its best candidate explains badly, which langdetect, shown bg
  and mk as well, confidently calls bg or mk.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence

from jobs.langid import lexicon, profiles
from jobs.langid.alphabets import ALPHABETS, CYRILLIC_LANGS, normal
from jobs.records import UNDETERMINED

_MIN_WORDS = 3  # shorter runs with foreign letters are usually names
# Share of a span's Cyrillic words that neither the uk nor the ru dictionary knows, above
# which the span is taken for another language. Ukrainian and Russian sentences and news
# paragraphs measured at most 0.4 (99% at most 0.25); Belarusian, Bulgarian and
# Macedonian sentences have a median of 0.44-0.67.
_UNKNOWN_SHARE = 0.5
# A span whose best candidate still scores below _POOR_FIT (the evidence against it adds
# up to e^6, about 400:1: words that prefer the other candidate, forms its dictionary
# lacks, langdetect's doubt) is shown to langdetect with the non-candidate Cyrillic
# languages it has profiles for (bg, mk), and a confident bg or mk answer is taken. Only
# for spans of _POOR_FIT_MIN_WORDS Cyrillic words or more: shorter ones fail here for
# ordinary reasons ("сказал он Би-би-си": a hyphenated name is three words that Russian
# lists poorly) and langdetect answers 1.0 on them either way.
_POOR_FIT = -6.0
_POOR_FIT_CONFIDENCE = 0.9
_POOR_FIT_MIN_WORDS = 8


class ForeignLanguages:
    """The Cyrillic languages outside one set of candidates, and when a text is in one."""

    def __init__(self, candidates: Sequence[str], seed: int) -> None:
        self._langs = tuple(c for c in candidates if c in CYRILLIC_LANGS)
        self._others = tuple(lang for lang in ALPHABETS if lang not in candidates)
        self._seed = seed
        # Unknown words only expose a foreign language when every Cyrillic candidate has a
        # dictionary: with, say, bg as a candidate, a word uk and ru lack may be Bulgarian.
        self._dictionaries = len(self._langs) > 1 and all(
            lexicon.has_dictionary(c) for c in self._langs
        )

    def unexplained(
        self,
        text: str,
        words: Sequence[str],
        impossible: Mapping[str, int],
        vetoed: Collection[str],
    ) -> str | None:
        """The foreign language of a run no candidate can spell or whose words no
        candidate's dictionary knows; None when a candidate may explain it.

        ``words`` are the run's Cyrillic words, ``impossible`` counts for every language
        of ``ALPHABETS`` how many of them its alphabet cannot write, and ``vetoed`` are
        the candidates spelling has ruled out.
        """
        if not self._langs or len(words) < _MIN_WORDS:
            return None
        if set(vetoed) >= set(self._langs):
            return self._spelled_better(impossible)
        if self._dictionaries and _mostly_unknown(words, self._langs, _UNKNOWN_SHARE):
            return self._closest(text, impossible)
        return None

    def better_fitting(
        self, text: str, words: int, scores: Mapping[str, float], vetoed: Collection[str]
    ) -> str | None:
        """bg or mk for a long span that even its best candidate explains badly, else None.

        A Bulgarian or Macedonian sentence without ъ or ј spells like Ukrainian and Russian
        and shares their small words (за, на, до), but takes its other words from both
        dictionaries at once ("продукти", "долара" from one, "и", "инвестиции" from the
        other) and adds its own ("фирмата", "още"): every candidate's score sinks, and
        without this rule whichever sinks less would win.
        """
        if words < _POOR_FIT_MIN_WORDS:
            return None
        allowed = [score for lang, score in scores.items() if lang not in vetoed]
        if not allowed or max(allowed) >= _POOR_FIT or not self._profiled:
            return None
        asked = tuple(lang for lang in self._langs if lang not in vetoed)
        probs = profiles.probabilities(text, asked + self._profiled, self._seed)
        best = max(probs, key=lambda k: probs[k]) if probs else None
        if best in self._profiled and probs[best] >= _POOR_FIT_CONFIDENCE:
            return best
        return None

    def _spelled_better(self, impossible: Mapping[str, int]) -> str | None:
        """The language outside the candidates whose alphabet can write more of the words
        than any candidate's can, if there is one."""
        fits = min(ALPHABETS, key=lambda lang: impossible[lang])
        if impossible[fits] < min(impossible[lang] for lang in self._langs):
            return fits
        return None

    def _closest(self, text: str, impossible: Mapping[str, int]) -> str:
        """The non-candidate Cyrillic language that spells ``text`` best.

        Ties (a Bulgarian or Macedonian sentence using only shared letters) go to
        langdetect among the tied languages it has profiles for (bg, mk), else the first.
        """
        if not self._others:
            return UNDETERMINED
        fewest = min(impossible[lang] for lang in self._others)
        tied = tuple(lang for lang in self._others if impossible[lang] == fewest)
        probs = profiles.probabilities(text, tied, self._seed) if len(tied) > 1 else {}
        return max(probs, key=lambda k: probs[k]) if probs else tied[0]

    @functools.cached_property
    def _profiled(self) -> tuple[str, ...]:
        """The non-candidate Cyrillic languages that langdetect has profiles for."""
        return tuple(lang for lang in sorted(self._others) if profiles.profile_path(lang))


def _mostly_unknown(words: Sequence[str], langs: Sequence[str], share: float) -> bool:
    """Whether more than ``share`` of ``words`` are in no candidate's dictionary.

    Stops as soon as the answer is certain: for an ordinary sentence that is about half
    its words, each a dictionary look-up.
    """
    limit = share * len(words)
    known = unknown = 0
    for word in words:
        if any(lexicon.known(normal(word), lang) for lang in langs):
            known += 1
            if len(words) - known <= limit:
                return False
        else:
            unknown += 1
            if unknown > limit:
                return True
    return False
