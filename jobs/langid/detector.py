"""``LanguageDetector``: the decision policy that turns a text's evidence into one label.

The rules are listed in the package docstring. Here a span is routed by script, one or
two Latin words inside Cyrillic text become ``und``, a short Cyrillic span leans on its
sentence, and scores become a label with a confidence.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from pathlib import Path

from jobs.config import LanguageSettings
from jobs.langid import lexicon, profiles
from jobs.langid.alphabets import CYRILLIC_LANGS, LETTER
from jobs.langid.evidence import Analysis, Evidence, softmax
from jobs.records import UNDETERMINED
from jobs.state import code_fingerprint
from jobs.text import URL

ALWAYS = ("en", "uk", "ru")
"""Languages the job always considers: the target plus the two that fill Ukrainian news."""

_NAME_MAX_WORDS = 2  # Latin runs up to this long inside Cyrillic text are names
_SHORT_WORDS = 2  # Cyrillic runs up to this long may lean on their sentence
_FOREIGN_CONFIDENCE = 0.3
_DATA_PACKAGES = (
    "wordfreq",
    "pymorphy3",
    "pymorphy3-dicts-uk",
    "pymorphy3-dicts-ru",
    "langdetect",
    "regex",
)


def candidate_languages(
    settings: LanguageSettings, installed_sources: Collection[str]
) -> tuple[str, ...]:
    """The languages spans may be labelled with, in a stable order.

    ``auto`` (``candidates`` unset) is en, uk and ru plus every installed model's source
    language; an explicit list is used as given, with the target language added because
    English spans must always be recognisable as needing no translation.
    """
    if settings.candidates is None:
        chosen = [*ALWAYS, *sorted(set(installed_sources) - set(ALWAYS))]
    else:
        chosen = list(dict.fromkeys(settings.candidates))
    if settings.target not in chosen:
        chosen.insert(0, settings.target)
    return tuple(chosen)


class LanguageDetector:
    """Seeded, cached language detection restricted to a set of candidate languages."""

    def __init__(self, candidates: Sequence[str], seed: int = 0) -> None:
        if not candidates:
            raise ValueError("at least one candidate language is needed")
        self.candidates: tuple[str, ...] = tuple(dict.fromkeys(candidates))
        self.seed = seed
        self._cyrillic_langs = tuple(c for c in self.candidates if c in CYRILLIC_LANGS)
        self._latin_langs = tuple(c for c in self.candidates if c not in CYRILLIC_LANGS)
        # Word lists and profiles are read as files: one in a format this code does not
        # know stops the run here, before any article, instead of silently weakening
        # every label. Checks headers and profile keys only; nothing big is loaded.
        lexicon.check_word_lists(self._cyrillic_langs)
        profiles.check_profiles(sorted({*self.candidates, *CYRILLIC_LANGS}))
        # What each text says about itself; public for the error analysis.
        self.evidence = Evidence(self.candidates, seed)
        # Bounded: a long run over many sites must not grow without limit.
        self._detect = functools.lru_cache(maxsize=1 << 17)(self._decide)

    @functools.cached_property
    def key(self) -> str:
        """Everything an answer depends on besides the text: the code of every module of
        this package and of the shared text patterns, the candidates, the seed and the
        versions of the word lists and profiles."""
        here = Path(__file__).parent
        modules = [*sorted(here.glob("*.py")), here.parent / "text.py"]
        code = code_fingerprint(modules, _DATA_PACKAGES)
        return f"langid:{code};{','.join(self.candidates)};seed={self.seed}"

    def detect(self, text: str, context: str | None = None) -> tuple[str, float]:
        """Language and confidence in [0, 1] of ``text``, seen inside ``context``."""
        if not LETTER.search(text) or URL.fullmatch(text.strip()):
            return UNDETERMINED, 1.0
        return self._detect(text, context)

    def _decide(self, text: str, context: str | None) -> tuple[str, float]:
        a = self.evidence.analyse(text)
        if a.cyrillic == 0 and a.latin == 0:
            return UNDETERMINED, 0.5  # Greek, Arabic, …: no candidate could be right
        if a.latin >= a.cyrillic:
            return self._latin(text, a, context)
        return self._cyrillic(a, context)

    def _latin(self, text: str, a: Analysis, context: str | None) -> tuple[str, float]:
        if not self._latin_langs:
            return UNDETERMINED, 0.5
        if context is not None and a.words <= _NAME_MAX_WORDS:
            c = self.evidence.analyse(context)
            # Judge the sentence without the span itself: "NATO" must not vote for its
            # own language.
            if c.cyrillic > c.latin - a.latin:
                return UNDETERMINED, 0.8
        if len(self._latin_langs) == 1:
            lang = self._latin_langs[0]
            return lang, _by_length(a.words, 0.7, 0.98)
        probs = profiles.probabilities(text, self._latin_langs, self.seed)
        if not probs:
            return self._latin_langs[0], 0.3
        lang = max(probs, key=lambda k: probs[k])
        return lang, probs[lang]

    def _cyrillic(self, a: Analysis, context: str | None) -> tuple[str, float]:
        if not self._cyrillic_langs:
            return UNDETERMINED, 0.3
        if a.foreign is not None:
            # Spelling or the dictionaries contradict every candidate: a language we were
            # not asked about. Naming it lets the pipeline say "no model for be→en"
            # instead of translating Belarusian as if it were Ukrainian.
            return a.foreign, _FOREIGN_CONFIDENCE
        scores = self._with_context(a, context)
        allowed = {k: v for k, v in scores.items() if k not in a.vetoed}
        if not allowed:
            # A short run no candidate can spell is more likely a name than a language.
            lang = max(scores, key=lambda k: scores[k])
            return lang, min(_FOREIGN_CONFIDENCE, softmax(scores)[lang])
        probs = softmax(allowed)
        lang = max(probs, key=lambda k: probs[k])
        if a.decisive:
            return lang, max(probs[lang], _by_length(a.words, 0.9, 0.99))
        confidence = probs[lang] * _by_length(a.words, 0.8, 1.0)
        return lang, min(1.0, max(0.0, confidence))

    def _with_context(self, a: Analysis, context: str | None) -> dict[str, float]:
        """``a``'s scores, tipped towards its sentence's language when ``a`` is a short
        span that its own spelling does not decide."""
        scores = dict(a.scores)
        if context is None or a.decisive or a.words > _SHORT_WORDS or len(self._cyrillic_langs) < 2:
            return scores
        c = self.evidence.analyse(context)
        # Only other Cyrillic words say anything about this one's language.
        if c.cyrillic_words > a.cyrillic_words:
            lean = softmax({k: v for k, v in c.scores.items() if k not in c.vetoed})
            for lang in scores:
                # Weighted like one ordinary word, so a clear vocabulary or spelling
                # signal in the span itself still wins.
                scores[lang] += 3.0 * (lean.get(lang, 0.0) - 0.5)
        return scores


def _by_length(words: int, low: float, high: float) -> float:
    """Confidence grows with the number of words, from ``low`` at one word to ``high``."""
    return high - (high - low) / max(words, 1)
