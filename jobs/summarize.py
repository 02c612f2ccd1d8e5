"""Extractive summaries: whole body sentences of an article, picked by a news-aware sumy summarizer.

Sentence splitting is ours (the segment stage); sumy only sees documents we build from our
records, so it needs a tokenizer for ``to_words`` alone. Nothing here touches NLTK data:
sumy's Snowball stemmers and bundled stop-word lists work without it.
"""

from __future__ import annotations

import importlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sumy.models.dom import ObjectDocumentModel, Paragraph
from sumy.models.dom import Sentence as SumySentence
from sumy.nlp.stemmers import Stemmer, null_stemmer
from sumy.summarizers._summarizer import AbstractSummarizer
from sumy.utils import get_stop_words

from jobs.config import SummarySettings
from jobs.records import UNDETERMINED, Article, Block, BlockKind, Sentence, Summary, SummarySentence

METHOD = "news-lexrank/1"

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


def stemmer_for(language: str) -> Any:
    try:
        return Stemmer(sumy_language(language))
    except LookupError:
        return null_stemmer


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

    Defaults are the best measured on CNN/DailyMail dev at 3 sentences (bench/eval_summary.py,
    2026-11): there any weight on LexRank or centroid centrality LOWERED ROUGE-1 (0.05 each
    cost ~0.2-0.6 points), so both are off by default until the tuning issue finds a form
    that helps; a zero weight also skips computing them.
    """

    lead: float = 1.0  # position prior, 1 / (1 + position / lead_scale)
    lead_scale: float = 3.0
    centrality: float = 0.0  # windowed LexRank, scaled to [0, 1]
    centroid: float = 0.0  # cosine with the TF-IDF centroid of the other sentences
    title: float = 0.3  # share of the title's content words the sentence contains
    paragraph_start: float = 0.1
    quote: float = 0.2  # penalty for a sentence that opens with a quotation mark
    length: float = 0.2  # bonus growing with length up to ``full_length`` words
    full_length: int = 30
    window: int = 40  # LexRank compares a sentence only with this many neighbours each side
    threshold: float = 0.1  # LexRank edge threshold (sumy's default)


class NewsSummarizer(AbstractSummarizer):  # type: ignore[misc]
    """LexRank centrality plus news structure: lead position, title overlap, paragraph starts.

    Plain LexRank compares every sentence pair; for the 2,000-sentence pages this job sees
    that is millions of comparisons, so edges are only drawn within a window of neighbouring
    sentences (news repeats its point locally), and a centroid cosine adds the global view in
    linear time. Near-duplicates of an already picked sentence are skipped, so a repeated
    paragraph cannot fill the summary.
    """

    def __init__(self, stemmer: Any = null_stemmer, weights: NewsWeights | None = None) -> None:
        super().__init__(stemmer)
        self.weights = weights or NewsWeights()
        self._stop_words: frozenset[str] = frozenset()

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
        words = (self.normalize_word(w) for w in sentence.words if _wordlike(w))
        return [self.stem_word(w) for w in words if w not in self._stop_words]

    def rate(self, document: ObjectDocumentModel) -> list[float]:
        sentences = document.sentences
        n = len(sentences)
        if n == 0:
            return []
        w = self.weights
        bags = [Counter(self.terms(s)) for s in sentences]
        idf = _idf(bags)
        vectors = [_tfidf(bag, idf) for bag in bags]

        centrality = [0.0] * n
        if w.centrality:
            lexrank = _windowed_lexrank(vectors, w.window, w.threshold)
            top = max(lexrank) or 1.0
            centrality = [x / top for x in lexrank]

        centroid = [0.0] * n
        if w.centroid:
            total: dict[str, float] = {}
            for vec in vectors:
                for term, value in vec.items():
                    total[term] = total.get(term, 0.0) + value
            centroid = [_cosine_without_self(vec, total) for vec in vectors]

        title_terms = {t for h in document.headings for t in self.terms(h)}
        starts = set()
        index = 0
        for paragraph in document.paragraphs:
            if paragraph.sentences:
                starts.add(index)
            index += len(paragraph.sentences)

        scores = []
        for i, (sentence, bag) in enumerate(zip(sentences, bags, strict=True)):
            words = sum(1 for word in sentence.words if _wordlike(word))
            title = len(title_terms & bag.keys()) / len(title_terms) if title_terms else 0.0
            scores.append(
                w.lead / (1.0 + i / w.lead_scale)
                + w.centrality * centrality[i]
                + w.centroid * centroid[i]
                + w.title * title
                + w.paragraph_start * (i in starts)
                - w.quote * _is_quotation(str(sentence))
                + w.length * min(words, w.full_length) / w.full_length
            )
        return scores

    def select(self, document: ObjectDocumentModel, count: int) -> list[int]:
        """Indices (into ``document.sentences``) of the picks, in document order."""
        sentences = document.sentences
        scores = self.rate(document)
        order = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
        chosen: list[int] = []
        chosen_sets: list[set[str]] = []
        for i in order:
            if len(chosen) >= count:
                break
            terms = set(self.terms(sentences[i])) or {str(sentences[i]).lower()}
            if any(_jaccard(terms, other) >= DUPLICATE_JACCARD for other in chosen_sets):
                continue
            chosen.append(i)
            chosen_sets.append(terms)
        return sorted(chosen)


def _is_quotation(text: str) -> bool:
    # Highlights and leads report; they rarely quote. A sentence opening with a quotation
    # mark is usually a speaker's words.
    return text[:1] in "\"“«'‘„"


def _idf(bags: Sequence[Counter[str]]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(bags)
    return {term: math.log((1 + n) / (1 + d)) + 1.0 for term, d in df.items()}


def _tfidf(bag: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    if not bag:
        return {}
    top = max(bag.values())
    return {term: (tf / top) * idf[term] for term, tf in bag.items()}


def _norm(vec: dict[str, float]) -> float:
    return math.sqrt(sum(v * v for v in vec.values()))


def _cosine(a: dict[str, float], b: dict[str, float], na: float, nb: float) -> float:
    if not na or not nb:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b[t] for t, v in a.items() if t in b) / (na * nb)


def _cosine_without_self(vec: dict[str, float], total: dict[str, float]) -> float:
    # The centroid of the OTHER sentences: a long sentence must not score by matching itself.
    dot = sum(v * (total[t] - v) for t, v in vec.items())
    rest_sq = sum(x * x for x in total.values())
    rest_sq += sum(-2 * total[t] * v + v * v for t, v in vec.items())
    denom = _norm(vec) * math.sqrt(max(rest_sq, 0.0))
    return dot / denom if denom else 0.0


def _windowed_lexrank(
    vectors: Sequence[dict[str, float]], window: int, threshold: float, damping: float = 0.85
) -> list[float]:
    """LexRank with edges only between sentences at most ``window`` apart: O(n · window)."""
    n = len(vectors)
    norms = [_norm(v) for v in vectors]
    edges: list[list[int]] = [[] for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, min(n, i + window + 1)):
            if _cosine(vectors[i], vectors[j], norms[i], norms[j]) > threshold:
                edges[i].append(j)
                edges[j].append(i)
    scores = [1.0 / n] * n
    for _ in range(100):
        nxt = [(1.0 - damping) / n] * n
        dangling = sum(scores[i] for i in range(n) if not edges[i])
        for i in range(n):
            if edges[i]:
                share = damping * scores[i] / len(edges[i])
                for j in edges[i]:
                    nxt[j] += share
        spread = damping * dangling / n
        nxt = [x + spread for x in nxt]
        delta = sum(abs(a - b) for a, b in zip(nxt, scores, strict=True))
        scores = nxt
        if delta < 1e-6:
            break
    return scores


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


# --------------------------------------------------------------------------------------
# From our records to sumy and back


@dataclass(frozen=True)
class _Candidate:
    block_index: int
    sentence: Sentence
    text: str  # what the summarizer reads: English, or the original for source summaries


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
    carved = False  # a caption was cut out of the middle of the sentence before it
    for index, block in enumerate(article.blocks):
        if block.kind is BlockKind.CAPTION:
            carved = carved or (last_body is not None and _ends_mid_sentence(last_body))
            continue
        if block.kind is not BlockKind.BODY:
            continue
        for position, sentence in enumerate(block.sentences):
            text = sentence.english if english else sentence.text.strip()
            if not text or (position == 0 and carved):
                # The body text resuming after a carved caption is the tail of a sentence,
                # even when it happens to start with a capital letter.
                continue
            if is_fragment(text) or _word_count(tokenizer, text) < MIN_WORDS:
                continue
            found.append(_Candidate(index, sentence, text))
        carved = False
        last_body = block
    return found


def _ends_mid_sentence(block: Block) -> bool:
    if not block.sentences:
        return False
    text = block.sentences[-1].text
    tail = text[len(text.rstrip()) :]
    # A paragraph break before the caption means the caption was not carved out of a sentence.
    return "\n" not in tail and is_fragment(text)


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
    last_block = -1
    for c in candidates:
        if c.block_index != last_block:
            paragraphs.append([])
            last_block = c.block_index
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
