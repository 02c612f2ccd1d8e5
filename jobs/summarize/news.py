"""Extractive summaries: whole body sentences of an article, picked by a news-aware sumy summarizer.

Sentence splitting is ours (the segment stage); sumy only sees documents we build from our
records, so it needs a tokenizer for ``to_words`` alone. Nothing here touches NLTK data:
sumy's Snowball stemmers and bundled stop-word lists work without it.
"""

from __future__ import annotations

import functools
import heapq
import importlib
import re
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from sumy.models.dom import ObjectDocumentModel, Paragraph
from sumy.models.dom import Sentence as SumySentence
from sumy.nlp.stemmers import Stemmer, null_stemmer
from sumy.summarizers._summarizer import AbstractSummarizer
from sumy.utils import get_stop_words

from jobs.config import SummarySettings
from jobs.records import UNDETERMINED, Article, Block, BlockKind, Sentence, Summary, SummarySentence

METHOD = "news-lead/2"

# sumy names languages in English words; our records use ISO 639-1 codes.
SUMY_LANGUAGES = {
    "en": "english",
    "uk": "ukrainian",
    "ru": "russian",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "pl": "polish",
    "cs": "czech",
    "sk": "slovak",
    "pt": "portuguese",
}

MIN_WORDS = 4
DUPLICATE_JACCARD = 0.8

# A sentence is whole when it ends in terminal punctuation, possibly inside quotes or brackets.
_TERMINAL = re.compile(r"[.!?…][\"'»”’)\]]*\s*$")


def _starts_lower(text: str) -> bool:
    # A sentence that opens in lower case continues something cut off before it (a caption
    # carved out of its paragraph, a broken line); quotes and dashes before it do not count.
    for ch in text:
        if ch.isalnum():
            return ch.islower()
    return False


def _wordlike(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


class WordTokenizer(Protocol):
    """What sumy asks of a tokenizer; jobs.segment.SentenceTokenizer provides it."""

    def to_sentences(self, paragraph: str) -> Sequence[str]: ...

    def to_words(self, sentence: str) -> Sequence[str]: ...


def default_tokenizer(language: str = "en") -> WordTokenizer:
    # Imported late: the segment stage is heavier and summarize must import without it.
    # Looked up at run time, not imported at module level: summarize must import (and be
    # testable) without the segment stage.
    segment = importlib.import_module("jobs.segment")
    tokenizer: WordTokenizer = segment.SentenceTokenizer(sumy_language(language))
    return tokenizer


def sumy_language(code: str) -> str:
    return SUMY_LANGUAGES.get(code, code)


@functools.cache
def stemmer_for(language: str) -> Any:
    """sumy's stemmer for ``language``, one per process, so that its stems are shared."""
    try:
        return Stemmer(sumy_language(language))
    except LookupError:
        return null_stemmer


_STEMS: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()
_MAX_STEMS = 200_000  # words per stemmer; a long-lived process starts over past this


def _stem_table(stemmer: Any) -> dict[str, str]:
    """word → stem for one stemmer, shared by every article while the stemmer lives."""
    table = _STEMS.setdefault(stemmer, {})
    if len(table) > _MAX_STEMS:
        table.clear()
    return table


def forget_stems() -> None:
    """Empty the shared stem tables, so that a benchmark times every run cold."""
    _STEMS.clear()


def stop_words_for(language: str) -> frozenset[str]:
    try:
        return frozenset(get_stop_words(sumy_language(language)))
    except LookupError:
        # sumy ships no Russian list (NLTK's needs downloaded data); IDF still damps them.
        return frozenset()


# --------------------------------------------------------------------------------------
# The summarizer


@dataclass(frozen=True)
class NewsWeights:
    """How much each piece of evidence counts.

    Chosen on CNN/DailyMail dev at 3 sentences with bench/eval_summary.py, cross-validated
    on its two halves. On that news, LexRank or centroid centrality LOWERED ROUGE, so the
    summarizer has none. ``redundancy`` is what beat the lead: a lead sentence that
    restates one already picked gives way to the next one.
    """

    lead: float = 1.0  # position prior, 1 / (1 + position / lead_scale)
    lead_scale: float = 3.0
    title: float = 0.3  # share of the title's content words the sentence contains
    paragraph_start: float = 0.1
    quote: float = 0.2  # penalty for a sentence that opens with a quotation mark
    length: float = 0.2  # bonus growing with length up to ``full_length`` words
    full_length: int = 30
    redundancy: float = 0.2  # penalty per unit of word overlap with a sentence already picked

    def score(self, f: SentenceFeatures) -> float:
        return (
            self.lead / (1.0 + f.position / self.lead_scale)
            + self.title * f.title
            + self.paragraph_start * f.paragraph_start
            - self.quote * f.quote
            + self.length * min(f.words, self.full_length) / self.full_length
        )


@dataclass(frozen=True, slots=True)
class SentenceFeatures:
    position: int  # index among the candidate sentences
    words: int
    title: float
    paragraph_start: bool
    quote: bool


class NewsSummarizer(AbstractSummarizer):  # type: ignore[misc]
    """News structure: lead position, title overlap, paragraph starts, sentence length,
    and a penalty for restating what is already picked.

    On news the lead is hard to beat (every sumy algorithm scores ~10 ROUGE-1 points below
    it on CNN/DailyMail), so position carries most of the weight and the other evidence
    decides between neighbouring sentences.
    """

    def __init__(self, stemmer: Any = null_stemmer, weights: NewsWeights | None = None) -> None:
        super().__init__(stemmer)
        self.weights = weights or NewsWeights()
        self._stop_words: frozenset[str] = frozenset()
        # Snowball stemming is most of the cost, and news repeats its words, within an
        # article and across a run's articles.
        self._stems = _stem_table(stemmer)

    @property
    def stop_words(self) -> frozenset[str]:
        return self._stop_words

    @stop_words.setter
    def stop_words(self, words: Iterable[str]) -> None:
        self._stop_words = frozenset(map(self.normalize_word, words))

    def __call__(self, document: ObjectDocumentModel, sentences_count: int) -> tuple[Any, ...]:
        sentences = document.sentences
        return tuple(sentences[i] for i in self.select(document, sentences_count))

    # -- public pieces, so the job can map picks back to its records by index --

    def terms(self, sentence: SumySentence) -> list[str]:
        found = []
        for word in sentence.words:
            if not _wordlike(word):
                continue
            word = self.normalize_word(word)
            if word in self._stop_words:
                continue
            stem = self._stems.get(word)
            if stem is None:
                stem = self._stems[word] = self.stem_word(word)
            found.append(stem)
        return found

    def features(
        self, document: ObjectDocumentModel, terms: Sequence[Sequence[str]] | None = None
    ) -> list[SentenceFeatures]:
        """The evidence for every sentence; ``terms`` are the sentences' ``terms()`` when
        the caller already has them."""
        sentences = document.sentences
        if not sentences:
            return []
        if terms is None:
            terms = [self.terms(s) for s in sentences]
        title_terms = {t for h in document.headings for t in self.terms(h)}
        starts = set()
        index = 0
        for paragraph in document.paragraphs:
            if paragraph.sentences:
                starts.add(index)
            index += len(paragraph.sentences)
        return [
            SentenceFeatures(
                position=i,
                words=sum(1 for word in sentence.words if _wordlike(word)),
                title=len(title_terms & set(words)) / len(title_terms) if title_terms else 0.0,
                paragraph_start=i in starts,
                quote=_is_quotation(str(sentence)),
            )
            for i, (sentence, words) in enumerate(zip(sentences, terms, strict=True))
        ]

    def select(self, document: ObjectDocumentModel, count: int) -> list[int]:
        """Indices (into ``document.sentences``) of the picks, in document order.

        Greedy by score minus ``redundancy`` times the largest word overlap (Jaccard) with a
        pick so far; a near-duplicate of a pick is never taken. Penalties only grow as picks
        are added, so a stale score is an upper bound and a heap re-checks only the
        sentences that reach the top: about ``count`` overlaps per pick, not ``n``.
        """
        sentences = document.sentences
        listed = [self.terms(s) for s in sentences]
        scores = [self.weights.score(f) for f in self.features(document, listed)]
        terms = [set(t) or {str(s).lower()} for t, s in zip(listed, sentences, strict=True)]
        heap = [(-score, i, 0) for i, score in enumerate(scores)]
        heapq.heapify(heap)
        overlap = [0.0] * len(sentences)  # largest overlap with the picks checked so far
        chosen: list[int] = []
        while heap and len(chosen) < count:
            _, i, checked = heapq.heappop(heap)
            if checked < len(chosen):
                # Only the picks made since this sentence was last checked are new to it.
                for j in chosen[checked:]:
                    overlap[i] = max(overlap[i], _jaccard(terms[i], terms[j]))
                if overlap[i] >= DUPLICATE_JACCARD:
                    continue
                penalised = scores[i] - self.weights.redundancy * overlap[i]
                heapq.heappush(heap, (-penalised, i, len(chosen)))
                continue
            chosen.append(i)
        return sorted(chosen)


def _is_quotation(text: str) -> bool:
    # Highlights and leads report; they rarely quote. A sentence opening with a quotation
    # mark is usually a speaker's words.
    return text[:1] in "\"“«'‘„"


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


# --------------------------------------------------------------------------------------
# From our records to sumy and back


@dataclass(frozen=True)
class _Candidate:
    block_index: int
    sentence: Sentence
    text: str  # what the summarizer reads: English, or the original for source summaries
    paragraph: int  # blocks split only by an inline caption are one paragraph of the page


def is_fragment(text: str) -> bool:
    """True for a piece that is not a whole sentence: no terminal punctuation, or a lower-case
    start that shows it continues text cut off before it."""
    stripped = text.strip()
    return not _TERMINAL.search(stripped) or _starts_lower(stripped)


def _word_count(tokenizer: WordTokenizer, text: str) -> int:
    return sum(1 for w in tokenizer.to_words(text) if _wordlike(w))


def _candidates(article: Article, tokenizer: WordTokenizer, *, english: bool) -> list[_Candidate]:
    found: list[_Candidate] = []
    last_body: Block | None = None
    carved = False  # a caption was cut out of the running text just before this block
    paragraph = -1
    for index, block in enumerate(article.blocks):
        if block.kind is BlockKind.CAPTION:
            carved = carved or (last_body is not None and _inline(last_body))
            continue
        if block.kind is not BlockKind.BODY:
            continue
        if not carved:
            paragraph += 1
        for position, sentence in enumerate(block.sentences):
            if english:
                sentence = _without_glued_caption(sentence)
            text = sentence.english if english else sentence.text.strip()
            if not text or (position == 0 and carved):
                # The body text resuming after a caption carved from running text is either
                # the tail of a cut sentence (even when it starts with a capital letter) or,
                # where pages glue captions on without a full stop ("Scroll down for video
                # Critical: A guard was shot The guard ..."), another caption.
                continue
            if is_fragment(text) or _word_count(tokenizer, text) < MIN_WORDS:
                continue
            found.append(_Candidate(index, sentence, text, paragraph))
        carved = False
        last_body = block
    return found


# Pages that glue a photo caption on without a full stop leave one "sentence" holding
# both: "... higher than a colleague The cost of divorce can wreck retirement ...". A
# lower-case word (or number) followed by a capitalised sentence opener is that seam;
# ordinary prose puts punctuation there. The opener list is deliberately short: names
# ("... by The Mail on Sunday") must not look like a seam.
_SEAM = re.compile(
    r"(?<=[a-z0-9%)'’]) "
    r"(?=(?:The|A|An|He|She|It|They|His|Her|Its|Their|This|These|Police|Officers|In|But|"
    r"However,?|After|When|Last|Now) (?!and |or )[a-z0-9])"
)


def glued_caption_end(text: str) -> int | None:
    """Where the real sentence starts after a caption glued in front of it, or None."""
    cut = None
    for match in _SEAM.finditer(text):
        before = text[: match.start()].split()
        # The word before the seam must be all lower case or a number: "Nurse A said" and
        # "Don't Push It won" are names, not seams.
        if before and not any(ch.isupper() for ch in before[-1]) and len(before) >= 3:
            cut = match.end()
    if cut is None or len(text[cut:].split()) < MIN_WORDS:
        return None
    return cut


def _without_glued_caption(sentence: Sentence) -> Sentence:
    """The sentence from the end of a glued caption on, when the seam is in English text."""
    text = sentence.text
    cut = glued_caption_end(text)
    if cut is None:
        return sentence
    at = sentence.start + cut
    spans = []
    for span in sentence.spans:
        if span.end <= at:
            continue
        if span.start < at:
            if span.english is not None:
                # Translated text cannot be cut at an offset of the original.
                return sentence
            span = replace(span, start=at, text=span.text[at - span.start :])
        spans.append(span)
    return Sentence(at, sentence.end, tuple(spans))


def _inline(block: Block) -> bool:
    if not block.sentences:
        return False
    text = block.sentences[-1].text
    # A paragraph break before the caption means it was not carved out of running text.
    return "\n" not in text[len(text.rstrip()) :]


def _title(article: Article, *, english: bool) -> str:
    for block in article.blocks:
        if block.kind is BlockKind.TITLE:
            text = block.english if english else block.text.strip()
            if text:
                return text
    return article.document.title or ""


def build_document(
    paragraphs: Sequence[Sequence[str]], tokenizer: WordTokenizer, title: str = ""
) -> ObjectDocumentModel:
    """A sumy document from sentences we already split; the title becomes a heading."""
    built = []
    for i, sentences in enumerate(paragraphs):
        items = [SumySentence(s, tokenizer) for s in sentences]
        if i == 0 and title:
            items.insert(0, SumySentence(title, tokenizer, is_heading=True))
        built.append(Paragraph(items))
    if not paragraphs and title:
        built.append(Paragraph([SumySentence(title, tokenizer, is_heading=True)]))
    return ObjectDocumentModel(built)


def _group(candidates: Sequence[_Candidate]) -> list[list[str]]:
    paragraphs: list[list[str]] = []
    last = -1
    for c in candidates:
        if c.paragraph != last:
            paragraphs.append([])
            last = c.paragraph
        paragraphs[-1].append(c.text)
    return paragraphs


def _languages(sentence: Sentence) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for span in sentence.spans:
        if span.lang != UNDETERMINED and span.text.strip():
            seen.setdefault(span.lang, None)
    return tuple(seen)


def _summarize(
    article: Article,
    settings: SummarySettings,
    tokenizer: WordTokenizer,
    language: str,
    *,
    english: bool,
    weights: NewsWeights | None,
) -> Summary:
    candidates = _candidates(article, tokenizer, english=english)
    if not candidates:
        return Summary((), language=language, method=METHOD)
    count = min(settings.count_for(len(candidates)), len(candidates))
    summarizer = NewsSummarizer(stemmer_for(language), weights)
    summarizer.stop_words = stop_words_for(language)
    document = build_document(_group(candidates), tokenizer, _title(article, english=english))
    picks = summarizer.select(document, count)
    return Summary(
        tuple(
            SummarySentence(
                start=c.sentence.start,
                end=c.sentence.end,
                block_index=c.block_index,
                english=c.sentence.english,
                original=c.sentence.text.strip(),
                languages=_languages(c.sentence),
            )
            for c in (candidates[i] for i in picks)
        ),
        language=language,
        method=METHOD,
    )


def summarize(
    article: Article,
    settings: SummarySettings,
    *,
    tokenizer: WordTokenizer | None = None,
    weights: NewsWeights | None = None,
) -> Summary:
    """The English summary: whole BODY sentences of the translated article, in article order."""
    return _summarize(
        article,
        settings,
        tokenizer or default_tokenizer("en"),
        "en",
        english=True,
        weights=weights,
    )


def summarize_source_language(
    article: Article,
    settings: SummarySettings,
    language: str,
    *,
    tokenizer: WordTokenizer | None = None,
    weights: NewsWeights | None = None,
) -> Summary:
    """A summary of the ORIGINAL text, for ``summary.also_in_source_language``.

    Uses sumy's stemmer and stop words for ``language`` where sumy has them (Ukrainian has
    both; Russian has a Snowball stemmer but no stop-word list), else plain lower-casing.
    """
    return _summarize(
        article,
        settings,
        tokenizer or default_tokenizer(language),
        language,
        english=False,
        weights=weights,
    )
