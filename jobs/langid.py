"""Label every span of an article with a language and a confidence.

The segmenter cuts sentences into maximal runs of one script, so a span reaches this
module already Cyrillic, Latin or letter-free. Script is evidence, not the answer:

* **No letters** (numbers, punctuation, whitespace, URLs, e-mail addresses): ``und``.
* **Latin**: English when ``en`` is a candidate and no other Latin-script language is
  (other Latin languages are only told apart, by seeded langdetect, when configured).
  One or two Latin words inside a mostly Cyrillic sentence are a name or acronym
  ("GIZ", "Huawei", "Kyiv Post"): ``und``, kept verbatim, never translated. Three or more
  words (a quoted English title) stay ``en``.
* **Cyrillic**: told apart by, in order of strength,

  1. spelling: each candidate has an alphabet; a word using a letter outside it
     (ы э ъ ё for Ukrainian, і ї є ґ for Russian, ў for both, ѓ ќ ѕ љ њ џ ј for all
     three) cannot be in that language. When such words make up a tenth of a span the
     language is ruled out, whatever else says otherwise; a letter that no candidate
     writes at all counts three times, since it is never a stray quote or typo;
  2. word frequencies from ``wordfreq`` (known words; this is what makes one- and
     two-word spans work, where langdetect is close to guessing);
  3. for words no frequency list knows, their endings: the share of each language's
     words (wordfreq's small list) ending the same way; when a candidate has no
     wordfreq list, langdetect's 1–3-gram profiles scored exhaustively instead;
     on top of 2 and 3, pymorphy3's full-form uk and ru dictionaries: a form exactly
     one of them lists costs the other about 50:1 odds ("подкопав" is Russian though
     its ending looks Ukrainian). Forms both list ("через", "людей") are left to the
     frequencies: that is where the remaining single-word errors are;
  4. seeded langdetect restricted to the candidate profiles, for spans of several words
     whose spelling and vocabulary leave the decision close;
  5. for a one- or two-word span that is still undecided, the rest of its sentence.
     Context only ever tips a close call; it never overrides spelling.

Candidates and languages without a model: the detector answers a candidate language or
``und`` (with the one exception below). The default candidates (config ``auto``) are
en, uk and ru plus the source language of every installed model, so a Russian span is
labelled ``ru`` even when no ru→en model is installed; the pipeline then flags the
article ("no model for ru→en") and counts it as failed rather than passing Russian off
as English.

A language the job has no model for: a run of three Cyrillic words or more that no
candidate can spell (every candidate ruled out by its letters), or of which more than
half the words are in neither the uk nor the ru dictionary (Belarusian without ў/ы/э
spells like Ukrainian, but its words are not Ukrainian), is labelled with the Cyrillic
language outside the candidates whose alphabet fits best (be, bg, mk, sr; bg against mk
by langdetect) at confidence 0.3. A run of eight words or more that even its best
candidate explains badly is shown to langdetect with bg and mk, and labelled bg or mk
when langdetect is confident (a Bulgarian sentence without ъ takes some words from the
Ukrainian dictionary and some from the Russian one). These labels are deliberate: the
pipeline then asks for a "be→en" engine, finds none, leaves those spans untranslated,
writes "error: no be→en model; N span(s) left untranslated" into the review file's Flags
and marks the article failed, instead of translating Belarusian as if it were
Ukrainian. Shorter such runs are usually names or pieces of a sentence cut by a Latin
word, and get the best-scoring candidate (at confidence at most 0.3 when no candidate
can spell them). Foreign text that none of this exposes (a Bulgarian sentence without ъ
whose words Russian shares) gets the closest candidate by vocabulary, usually Russian.

What each text says about itself is cached by its text, and each answer by (span,
sentence), so a repeated ad line or breadcrumb costs a dictionary lookup. Across runs,
``DetectionMemory`` keeps the answers in the state folder under the detector's ``key``
(this module's code, the candidates and the versions of the word lists), so a rerun
over the same articles (``--force``, new summary settings) loads no word list at all.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import gzip
import hashlib
import importlib
import importlib.util
import json
import math
import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex

from jobs.config import LanguageSettings
from jobs.records import UNDETERMINED, Article, Sentence, Span
from jobs.state import SqliteCache, code_fingerprint

__all__ = [
    "DetectionMemory",
    "LanguageDetector",
    "candidate_languages",
    "cyrillic_words",
    "label",
    "label_all",
]

ALWAYS = ("en", "uk", "ru")
"""Languages the job always considers: the target plus the two that fill Ukrainian news."""

_APOSTROPHES = "'’ʼ"
_WORD = regex.compile(r"\p{L}[\p{L}\p{M}]*(?:[" + _APOSTROPHES + r"]\p{L}[\p{L}\p{M}]*)*")
_LETTER = regex.compile(r"\p{L}")
# URLs and e-mail addresses come as spans of their own; their letters are not prose.
_ADDRESS = regex.compile(
    r"(?:https?://|ftp://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", regex.IGNORECASE
)
_CYRILLIC = regex.compile(r"\p{Script=Cyrillic}")
_LATIN = regex.compile(r"\p{Script=Latin}")

_COMMON_CYRILLIC = set("абвгдежзклмнопрстуфхцчш")
# Alphabets as written today; a letter outside a language's alphabet is evidence against
# it. The apostrophe is part of Ukrainian and Belarusian spelling (Russian uses ъ).
_ALPHABETS: Mapping[str, frozenset[str]] = {
    "uk": frozenset(_COMMON_CYRILLIC | set("ґєиіїйщьюя") | set(_APOSTROPHES)),
    "ru": frozenset(_COMMON_CYRILLIC | set("ёийщъыьэюя")),
    "be": frozenset(_COMMON_CYRILLIC | set("ёійўыьэюя") | set(_APOSTROPHES)),
    "bg": frozenset(_COMMON_CYRILLIC | set("ийщъьюя")),
    "mk": frozenset(_COMMON_CYRILLIC | set("ѓѕијљњќџ")),
    "sr": frozenset(_COMMON_CYRILLIC | set("ђијљњћџ")),
}
_CYRILLIC_LANGS = frozenset(_ALPHABETS)

# Scores are natural-log probabilities. A word that breaks a language's spelling costs
# more than any vocabulary difference can win back, so spelling always dominates.
_IMPOSSIBLE = -14.0
_LEXICAL_CAP = 9.0
_LOG_UNKNOWN = math.log(1e-9)  # a word missing from one list but present in another
_LN10 = math.log(10)
# wordfreq's lists go down to 1e-8 in steps of 1 cB. Words rarer than 10^-7.5 are 40% of
# the large lists' 1.16 M uk+ru entries, so 40% of their loading time, and move no figure
# of the evaluation by more than 0.2 points.
_RAREST_BUCKET = 750
# A language is ruled out when at least this share of a span's words cannot be spelt in
# it; below that a stray quoted word (a Russian surname in Ukrainian text) is tolerated.
_VETO_SHARE = 0.1
_NAME_MAX_WORDS = 2  # Latin runs up to this long inside Cyrillic text are names
_SHORT_WORDS = 2  # Cyrillic runs up to this long may lean on their sentence
_LANGDETECT_MIN_WORDS = 3
_CLOSE_MARGIN = 4.0  # total log-odds below which a multi-word span asks langdetect
_FOREIGN_CONFIDENCE = 0.3
_SUFFIX_MAX = 5
_SUFFIX_MIN_SEEN = 5  # back off to a shorter ending until this many words share it
_FOREIGN_WEIGHT = 3
_FOREIGN_MIN_WORDS = 3  # shorter runs with foreign letters are usually names
# A form that one full-form dictionary lists and the other lacks: odds of about 50 to 1.
_MORPH_PENALTY = 4.0
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
# Share of a span's Cyrillic words that neither the uk nor the ru dictionary knows, above
# which the span is taken for another language. Ukrainian and Russian sentences and news
# paragraphs measured at most 0.4 (99% at most 0.25); Belarusian, Bulgarian and
# Macedonian sentences have a median of 0.44-0.67.
_UNKNOWN_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class _Analysis:
    """What a text says about itself, before any context is applied."""

    letters: int
    cyrillic: int
    latin: int
    words: int
    cyrillic_words: int
    scores: Mapping[str, float]  # Cyrillic candidates only
    vetoed: frozenset[str]
    decisive: bool  # spelling alone singles out one candidate
    foreign: str | None  # a non-candidate whose spelling fits when no candidate's does


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
        self._cyrillic_langs = tuple(c for c in self.candidates if c in _CYRILLIC_LANGS)
        self._latin_langs = tuple(c for c in self.candidates if c not in _CYRILLIC_LANGS)
        self._candidate_letters = frozenset().union(*(_ALPHABETS[c] for c in self._cyrillic_langs))
        # Unknown words only expose a foreign language when every Cyrillic candidate has a
        # dictionary: with, say, bg as a candidate, a word uk and ru lack may be Bulgarian.
        self._dictionaries = len(self._cyrillic_langs) > 1 and all(
            _has_dictionary(c) for c in self._cyrillic_langs
        )
        # Bound the caches: a long run over many sites must not grow without limit.
        self._analyse = functools.lru_cache(maxsize=1 << 17)(self._analyse_uncached)
        self._detect = functools.lru_cache(maxsize=1 << 17)(self._detect_uncached)
        self._spelling = functools.lru_cache(maxsize=1 << 17)(self._spelling_uncached)

    # -- public -------------------------------------------------------------------

    @functools.cached_property
    def key(self) -> str:
        """Everything an answer depends on besides the text: this module's code, the
        candidates, the seed and the versions of the word lists and profiles."""
        code = code_fingerprint([Path(__file__)], _DATA_PACKAGES)
        return f"langid:{code};{','.join(self.candidates)};seed={self.seed}"

    def detect(self, text: str, context: str | None = None) -> tuple[str, float]:
        """Language and confidence in [0, 1] of ``text``, seen inside ``context``."""
        if not _LETTER.search(text) or _ADDRESS.fullmatch(text.strip()):
            return UNDETERMINED, 1.0
        return self._detect(text, context)

    # -- decision -----------------------------------------------------------------

    def _detect_uncached(self, text: str, context: str | None) -> tuple[str, float]:
        a = self._analyse(text)
        if a.cyrillic == 0 and a.latin == 0:
            return UNDETERMINED, 0.5  # Greek, Arabic, …: no candidate could be right
        if a.latin >= a.cyrillic:
            return self._latin(text, a, context)
        return self._cyrillic(a, context)

    def _latin(self, text: str, a: _Analysis, context: str | None) -> tuple[str, float]:
        if not self._latin_langs:
            return UNDETERMINED, 0.5
        if context is not None and a.words <= _NAME_MAX_WORDS:
            c = self._analyse(context)
            # Judge the sentence without the span itself: "NATO" must not vote for its
            # own language.
            if c.cyrillic > c.latin - a.latin:
                return UNDETERMINED, 0.8
        if len(self._latin_langs) == 1:
            lang = self._latin_langs[0]
            return lang, _by_length(a.words, 0.7, 0.98)
        probs = self._langdetect(text, self._latin_langs)
        if not probs:
            return self._latin_langs[0], 0.3
        lang = max(probs, key=lambda k: probs[k])
        return lang, probs[lang]

    def _cyrillic(self, a: _Analysis, context: str | None) -> tuple[str, float]:
        if not self._cyrillic_langs:
            return UNDETERMINED, 0.3
        scores = dict(a.scores)
        if (
            context is not None
            and not a.decisive
            and a.words <= _SHORT_WORDS
            and len(self._cyrillic_langs) > 1
        ):
            c = self._analyse(context)
            # Only other Cyrillic words say anything about this one's language.
            if c.cyrillic_words > a.cyrillic_words:
                lean = _softmax({k: v for k, v in c.scores.items() if k not in c.vetoed})
                for lang in scores:
                    # Weighted like one ordinary word, so a clear vocabulary or spelling
                    # signal in the span itself still wins.
                    scores[lang] += 3.0 * (lean.get(lang, 0.0) - 0.5)
        if a.foreign is not None:
            # Spelling or the dictionaries contradict every candidate: a language we were
            # not asked about. Naming it lets the pipeline say "no model for be→en"
            # instead of translating Belarusian as if it were Ukrainian.
            return a.foreign, _FOREIGN_CONFIDENCE
        allowed = {k: v for k, v in scores.items() if k not in a.vetoed}
        if not allowed:
            # A short run no candidate can spell is more likely a name than a language.
            lang = max(scores, key=lambda k: scores[k])
            return lang, min(_FOREIGN_CONFIDENCE, _softmax(scores)[lang])
        probs = _softmax(allowed)
        lang = max(probs, key=lambda k: probs[k])
        if a.decisive:
            return lang, max(probs[lang], _by_length(a.words, 0.9, 0.99))
        confidence = probs[lang] * _by_length(a.words, 0.8, 1.0)
        return lang, min(1.0, max(0.0, confidence))

    # -- evidence -----------------------------------------------------------------

    def _analyse_uncached(self, text: str) -> _Analysis:
        # A sentence's URLs and e-mail addresses would otherwise outvote its Cyrillic
        # words and make a name inside it ("Компанія Siemens …") look like English.
        if "@" in text or "/" in text or "www." in text.lower():
            text = _ADDRESS.sub(" ", text)
        letters = len(_LETTER.findall(text))
        cyrillic = len(_CYRILLIC.findall(text))
        latin = len(_LATIN.findall(text))
        words = _WORD.findall(text)
        langs = self._cyrillic_langs
        cyr_words = cyrillic_words(words)
        impossible = dict.fromkeys(_ALPHABETS, 0)
        against = dict.fromkeys(langs, 0)
        for word in cyr_words:
            unspellable, unwritten = self._spelling(word)
            for lang in unspellable:
                impossible[lang] += 1
                if lang in against:
                    against[lang] += _FOREIGN_WEIGHT if unwritten else 1
        n = len(cyr_words)
        vetoed = frozenset(
            lang for lang in langs if against[lang] and against[lang] >= _VETO_SHARE * n
        )
        decisive = len(langs) > 1 and len(set(langs) - vetoed) == 1
        foreign = None
        if langs and n >= _FOREIGN_MIN_WORDS:
            if vetoed >= set(langs):
                fits = min(_ALPHABETS, key=lambda lang: impossible[lang])
                if impossible[fits] < min(impossible[lang] for lang in langs):
                    foreign = fits
            elif self._dictionaries and _mostly_unknown(cyr_words, langs, _UNKNOWN_SHARE):
                # Belarusian without ў/ы/э spells like Ukrainian ("Ну вось і дачакаліся"),
                # Bulgarian without ъ like Russian; their words are what gives them away.
                foreign = self._closest_foreign(text, impossible)
        if foreign is not None:
            return _Analysis(
                letters, cyrillic, latin, len(words), n, {}, frozenset(langs), False, foreign
            )
        if decisive:
            # Spelling has decided; skipping vocabulary here keeps most whole sentences
            # from ever loading the frequency lists.
            scores = {lang: _IMPOSSIBLE * against[lang] for lang in langs}
        else:
            scores = dict.fromkeys(langs, 0.0)
            for word in cyr_words:
                for lang, s in self._word_scores(word).items():
                    scores[lang] += s
        if (
            len(langs) > 1
            and not decisive
            and n >= _LANGDETECT_MIN_WORDS
            and _margin(scores, vetoed) < _CLOSE_MARGIN
        ):
            probs = self._langdetect(text, tuple(lang for lang in langs if lang not in vetoed))
            for lang in langs:
                scores[lang] += 2.0 * math.log(max(probs.get(lang, 0.0), 1e-6))
        if not decisive and n >= _POOR_FIT_MIN_WORDS:
            # The scores stay: a short span inside this sentence still leans on them.
            foreign = self._better_fitting_foreign(text, scores, vetoed)
        return _Analysis(letters, cyrillic, latin, len(words), n, scores, vetoed, decisive, foreign)

    def _spelling_uncached(self, word: str) -> tuple[frozenset[str], bool]:
        """Languages whose alphabet cannot write ``word``, and whether no candidate can.

        A letter no candidate writes (ј, ќ, ў, …) is no typo and no Russian quote in
        Ukrainian text: it weighs more than, say, an ы in a Ukrainian sentence.
        """
        letters_of_word = set(word) - _NON_CYRILLIC_OK
        unspellable = frozenset(
            lang for lang, alphabet in _ALPHABETS.items() if not letters_of_word <= alphabet
        )
        unwritten = bool(self._cyrillic_langs) and not letters_of_word <= self._candidate_letters
        return unspellable, unwritten

    def _better_fitting_foreign(
        self, text: str, scores: Mapping[str, float], vetoed: Collection[str]
    ) -> str | None:
        """bg or mk for a long span that even its best candidate explains badly, else None.

        A Bulgarian or Macedonian sentence without ъ or ј spells like Ukrainian and Russian
        and shares their small words (за, на, до), but takes its other words from both
        dictionaries at once ("продукти", "долара" from one, "и", "инвестиции" from the
        other) and adds its own ("фирмата", "още"): every candidate's score sinks, and
        without this rule whichever sinks less would win.
        """
        allowed = [score for lang, score in scores.items() if lang not in vetoed]
        if not allowed or max(allowed) >= _POOR_FIT or not self._foreign_profiles:
            return None
        asked = tuple(lang for lang in self._cyrillic_langs if lang not in vetoed)
        probs = self._langdetect(text, asked + self._foreign_profiles)
        best = max(probs, key=lambda k: probs[k]) if probs else None
        if best in self._foreign_profiles and probs[best] >= _POOR_FIT_CONFIDENCE:
            return best
        return None

    @functools.cached_property
    def _foreign_profiles(self) -> tuple[str, ...]:
        """Cyrillic languages outside the candidates that langdetect has profiles for."""
        return tuple(
            lang
            for lang in sorted(_ALPHABETS)
            if lang not in self.candidates and _profile_path(lang) is not None
        )

    def _closest_foreign(self, text: str, impossible: Mapping[str, int]) -> str:
        """The non-candidate Cyrillic language that spells ``text`` best.

        Ties (a Bulgarian or Macedonian sentence using only shared letters) go to
        langdetect among the tied languages it has profiles for (bg, mk), else the first.
        """
        others = [lang for lang in _ALPHABETS if lang not in self.candidates]
        if not others:
            return UNDETERMINED
        fewest = min(impossible[lang] for lang in others)
        tied = tuple(lang for lang in others if impossible[lang] == fewest)
        probs = self._langdetect(text, tied) if len(tied) > 1 else {}
        return max(probs, key=lambda k: probs[k]) if probs else tied[0]

    def _word_scores(self, word: str) -> dict[str, float]:
        if not self._cyrillic_langs:
            return {}
        return _word_scores(word, self._cyrillic_langs)

    def _langdetect(self, text: str, langs: tuple[str, ...]) -> dict[str, float]:
        if len(langs) == 1:
            return {langs[0]: 1.0}
        factory = _factory(langs, self.seed)
        if factory is None:
            return {}
        from langdetect.lang_detect_exception import LangDetectException

        detector = factory.create()
        detector.append(text)
        try:
            return {p.lang: float(p.prob) for p in detector.get_probabilities()}
        except LangDetectException:
            return {}


def cyrillic_words(words: Iterable[str]) -> list[str]:
    """The Cyrillic ``words`` as the detector weighs them: lowercased, with Latin
    look-alikes read as Cyrillic."""
    lowered = (word.lower() for word in words)
    return [word.translate(_HOMOGLYPHS) for word in lowered if _CYRILLIC.search(word)]


# Web text often types a Latin look-alike inside a Cyrillic word ("Київ" with a Latin
# "i"); read such letters as the Cyrillic ones they imitate, or the word would look
# impossible in every language. Applied to lowercased words that contain Cyrillic.
_HOMOGLYPHS = str.maketrans("abcehikmoptxyï", "авсенікмортхуї")
_NON_CYRILLIC_OK = frozenset("-" + "\u0301")  # hyphens and stress marks spell nothing


@functools.lru_cache(maxsize=1 << 17)
def _word_scores(word: str, langs: tuple[str, ...]) -> dict[str, float]:
    """Per-language log score of one lowercased Cyrillic word, spelling included."""
    letters = set(word)
    spelled = {lang: letters <= _ALPHABETS[lang] | _NON_CYRILLIC_OK for lang in langs}
    key = _normal(word)
    known = {lang: _frequencies(lang).get(key) for lang in langs}
    if any(f is not None for f in known.values()):
        raw = {lang: _LOG_UNKNOWN if f is None else f for lang, f in known.items()}
    elif all(_reversed_words(lang) for lang in langs):
        raw = _suffix_scores(word, langs)
    else:
        raw = {lang: _ngram_score(word, lang) for lang in langs}
    best = max(raw.values())
    morph = _dictionary_evidence(key, langs)
    return {
        lang: max(raw[lang] - best, -_LEXICAL_CAP)
        + morph.get(lang, 0.0)
        + (0.0 if spelled[lang] else _IMPOSSIBLE)
        for lang in langs
    }


def _dictionary_evidence(word: str, langs: Sequence[str]) -> dict[str, float]:
    """A penalty for each language whose full-form dictionary lacks a word another's has.

    pymorphy3's uk and ru dictionaries list every inflected form (millions each), so a
    form such as "оттиснуто" or "тривожило" that no frequency list has is still known to
    exactly one of them. Words both know ("через", "людей") say nothing here and are left
    to the frequencies. Languages without a dictionary are neither helped nor hurt.
    """
    known = {lang: _known(word, lang) for lang in langs if _has_dictionary(lang)}
    if len(known) < 2 or not any(known.values()):
        return {}
    return {lang: 0.0 if ok else -_MORPH_PENALTY for lang, ok in known.items()}


def _mostly_unknown(words: Sequence[str], langs: Sequence[str], share: float) -> bool:
    """Whether more than ``share`` of ``words`` are in no candidate's dictionary.

    Stops as soon as the answer is certain: for an ordinary sentence that is about half
    its words, each a dictionary look-up.
    """
    limit = share * len(words)
    known = unknown = 0
    for word in words:
        if any(_known(_normal(word), lang) for lang in langs):
            known += 1
            if len(words) - known <= limit:
                return False
        else:
            unknown += 1
            if unknown > limit:
                return True
    return False


def _normal(word: str) -> str:
    return word.replace("’", "'").replace("ʼ", "'")


@functools.lru_cache(maxsize=1 << 18)
def _known(word: str, lang: str) -> bool:
    analyzer = _morphology(lang)
    return analyzer is not None and bool(analyzer.word_is_known(word))


@functools.cache
def _has_dictionary(lang: str) -> bool:
    return importlib.util.find_spec(f"pymorphy3_dicts_{lang}") is not None


@functools.cache
def _morphology(lang: str) -> Any:
    """pymorphy3's analyser for ``lang`` when its dictionary package is installed.

    Loaded on first use: about 0.1 s and 15 MB per language, against 0.9 s for
    wordfreq's large lists.
    """
    if not _has_dictionary(lang):
        return None
    pymorphy3 = importlib.import_module("pymorphy3")
    return pymorphy3.MorphAnalyzer(lang=lang)


@functools.cache
def _frequencies(lang: str, size: str = "large") -> Mapping[str, float]:
    """Natural-log word frequencies from wordfreq's list for ``lang``; {} if it has none.

    The lists are read straight from wordfreq's data files (gzipped msgpack "cBpack":
    a header, then one list of words per centibel of frequency). Going through
    ``wordfreq.get_frequency_dict`` costs an extra half second of imports and a Python
    loop per word.
    """
    for wordlist in (size, "small"):
        path = _wordfreq_data(f"{wordlist}_{lang}.msgpack.gz")
        if path is None:
            continue
        msgpack = importlib.import_module("msgpack")
        with gzip.open(path, "rb") as f:
            header, *buckets = msgpack.unpackb(f.read(), raw=False)
        if header != {"format": "cB", "version": 1}:
            return {}
        table: dict[str, float] = {}
        # Rarest first, so a word listed twice keeps its higher frequency.
        for index in range(min(len(buckets), _RAREST_BUCKET) - 1, -1, -1):
            table.update(dict.fromkeys(buckets[index], -index * _LN10 / 100))
        return table
    return {}


def _wordfreq_data(name: str) -> str | None:
    spec = importlib.util.find_spec("wordfreq")  # finds it without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(next(iter(spec.submodule_search_locations)), "data", name)
    return path if os.path.isfile(path) else None


@functools.cache
def _profiles_dir() -> str:
    from langdetect.detector_factory import PROFILES_DIRECTORY

    return str(PROFILES_DIRECTORY)


@functools.cache
def _profile_path(lang: str) -> str | None:
    """langdetect's profile file for ``lang``, if it has one."""
    path = os.path.join(_profiles_dir(), lang)
    return path if os.path.isfile(path) else None


@functools.cache
def _profile(lang: str) -> tuple[Mapping[str, int], tuple[int, int, int]] | None:
    path = _profile_path(lang)
    if path is None:
        return None
    with open(path, encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    n_words = data["n_words"]
    return data["freq"], (n_words[0], n_words[1], n_words[2])


@functools.cache
def _reversed_words(lang: str) -> list[str]:
    """wordfreq's small list for ``lang``, each word reversed, sorted.

    Endings carry most of the grammar that tells unknown Ukrainian and Russian words
    apart (-ювати / -ывать, -ння / -ние). Reversed and sorted, the words sharing an
    ending form one slice found by bisection, so start-up builds no table of every
    ending. The small list, counted by word types: the large one measured no better.
    """
    return sorted(word[::-1] for word in _frequencies(lang, "small"))


def _ending_count(lang: str, ending: str) -> int:
    """How many words of the small list are longer than ``ending`` and end with it."""
    words = _reversed_words(lang)
    key = ending[::-1]
    lo = bisect.bisect_left(words, key)
    hi = bisect.bisect_left(words, key + "\U0010ffff")
    exact = lo < len(words) and words[lo] == key
    return hi - lo - exact


def _suffix_scores(word: str, langs: Sequence[str]) -> dict[str, float]:
    """Log share of each language's words that end like ``word``, longest ending first."""
    counts = dict.fromkeys(langs, 0)
    for k in range(min(_SUFFIX_MAX, len(word) - 1), 1, -1):
        counts = {lang: _ending_count(lang, word[-k:]) for lang in langs}
        if sum(counts.values()) >= _SUFFIX_MIN_SEEN:
            break
    return {
        lang: math.log((counts[lang] + 0.5) / max(len(_reversed_words(lang)), 1)) for lang in langs
    }


def _ngram_score(word: str, lang: str) -> float:
    """Every 1–3-gram of the word against langdetect's profile: exhaustive, no sampling."""
    profile = _profile(lang)
    if profile is None:
        return _LOG_UNKNOWN
    freq, totals = profile
    padded = f" {word} "
    score = 0.0
    for n in (1, 2, 3):
        for i in range(len(padded) - n + 1):
            gram = padded[i : i + n]
            if gram.strip():
                score += math.log((freq.get(gram, 0) + 0.5) / totals[n - 1])
    return score


@functools.lru_cache(maxsize=64)
def _factory(langs: tuple[str, ...], seed: int) -> Any:
    """A private langdetect factory with only ``langs``; the global one is left alone."""
    from langdetect.detector_factory import DetectorFactory

    profiles = []
    for lang in langs:
        path = _profile_path(lang)
        if path is not None:
            with open(path, encoding="utf-8") as f:
                profiles.append(f.read())
    if len(profiles) < 2:
        return None  # langdetect needs two profiles; callers decide one-candidate cases
    factory = DetectorFactory()
    factory.load_json_profile(profiles)
    factory.set_seed(seed)
    return factory


def _softmax(scores: Mapping[str, float]) -> dict[str, float]:
    if not scores:
        return {}
    top = max(scores.values())
    exp = {k: math.exp(v - top) for k, v in scores.items()}
    total = sum(exp.values())
    return {k: v / total for k, v in exp.items()}


def _margin(scores: Mapping[str, float], vetoed: Collection[str]) -> float:
    values = sorted((v for k, v in scores.items() if k not in vetoed), reverse=True)
    return values[0] - values[1] if len(values) > 1 else math.inf


def _by_length(words: int, low: float, high: float) -> float:
    """Confidence grows with the number of words, from ``low`` at one word to ``high``."""
    return high - (high - low) / max(words, 1)


def label(article: Article, detector: LanguageDetector) -> Article:
    """A copy of ``article`` with every span's ``lang`` and ``confidence`` set."""
    return label_all([article], detector)[0]


def label_all(
    articles: Sequence[Article],
    detector: LanguageDetector,
    memory: DetectionMemory | None = None,
) -> list[Article]:
    """``label`` for many articles, answering from ``memory`` first and storing in it
    what had to be detected."""
    asked = list(
        dict.fromkeys(
            (span.text, sentence.text)
            for article in articles
            for _, sentence in article.sentences()
            for span in sentence.spans
        )
    )
    answers = memory.lookup(detector.key, asked) if memory is not None else {}
    fresh = {q: detector.detect(*q) for q in asked if q not in answers}
    if memory is not None:
        memory.store(detector.key, fresh)
    answers.update(fresh)

    def labelled(span: Span, sentence: Sentence) -> Span:
        lang, confidence = answers[(span.text, sentence.text)]
        return dataclasses.replace(span, lang=lang, confidence=confidence)

    return [article.map_spans(labelled) for article in articles]


_DATA_PACKAGES = (
    "wordfreq",
    "pymorphy3",
    "pymorphy3-dicts-uk",
    "pymorphy3-dicts-ru",
    "langdetect",
    "regex",
)


class DetectionMemory(SqliteCache):
    """Persistent cache of detections keyed by (detector key, span, sentence)."""

    FILE = "detection-memory.sqlite3"
    WHAT = "detection memory"
    TABLE = "detections"
    SCHEMA = (
        "CREATE TABLE IF NOT EXISTS detections (detector TEXT NOT NULL, question BLOB NOT NULL,"
        " lang TEXT NOT NULL, confidence REAL NOT NULL, PRIMARY KEY (detector, question))"
        " WITHOUT ROWID"
    )

    def lookup(
        self, detector_key: str, questions: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[str, float]]:
        """Stored answers to those (span text, sentence text) questions that have one."""
        by_digest = {_digest(q): q for q in questions}
        rows = self._select_in(
            "SELECT question, lang, confidence FROM detections WHERE detector = ?"
            " AND question IN ({marks})",
            (detector_key,),
            by_digest,
        )
        return {by_digest[bytes(digest)]: (lang, conf) for digest, lang, conf in rows}

    def store(
        self, detector_key: str, answers: Mapping[tuple[str, str], tuple[str, float]]
    ) -> None:
        if answers:
            self._insert(
                "INSERT OR REPLACE INTO detections (detector, question, lang, confidence)"
                " VALUES (?, ?, ?, ?)",
                [(detector_key, _digest(q), lang, conf) for q, (lang, conf) in answers.items()],
            )


def _digest(question: tuple[str, str]) -> bytes:
    # Sentences can be long; a 16-byte digest keeps the table and its index small.
    text, sentence = question
    return hashlib.blake2b(f"{text}\0{sentence}".encode(), digest_size=16).digest()
