"""ROUGE of the job's summarizer against Lead-N and sumy's algorithms on real data.

    .venv/bin/python bench/eval_summary.py FILE.jsonl [FILE ...] [--sentences N]

Rows are {"id", "text", "summary"} (an optional "title" becomes the document title). Every
method sees the same sentences: the article as the job segments it, handed to sumy through
the project's tokenizer. A table is printed per file; the LAST line is one JSON object with
the scores of the FIRST file: {"ours": {"rouge1": x, "rouge2": x, "rougeLsum": x}, ...}.

Files named ``uk_*``/``ru_*`` are summarised in their own language (summarize_source_language)
and scored with a Unicode word tokenizer without stemming: rouge-score's default tokenizer
keeps only [a-z0-9] and would score every Cyrillic summary 0.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from rouge_score import rouge_scorer
from sumy.summarizers.kl import KLSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import itertools

from jobs.config import SummarySettings
from jobs.records import (
    Article,
    Block,
    BlockKind,
    Document,
    Sentence,
    Source,
    Span,
)
from jobs.summarize import (
    WordTokenizer,
    build_document,
    stemmer_for,
    stop_words_for,
    summarize,
    summarize_source_language,
)

METRICS = ("rouge1", "rouge2", "rougeLsum")

# ---------------------------------------------------------------------------------------
# INTERIM segmentation, used only until jobs.segment lands: paragraphs at line breaks,
# sentences at terminal punctuation followed by space and a capital, words by regex.
# Switch-over point: `segment_article` and `project_tokenizer` below.

_INTERIM_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'»”’)\]]*\s+(?=[\"'«“‘(\[]?[A-ZА-ЯІЇЄҐЁ0-9])")
_INTERIM_WORD = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")


class InterimTokenizer:
    def __init__(self, language: str = "english") -> None:
        self.language = language

    def to_sentences(self, paragraph: str) -> list[str]:
        return [paragraph[a:b].strip() for a, b in interim_split_sentences(paragraph)]

    def to_words(self, sentence: str) -> list[str]:
        return _INTERIM_WORD.findall(sentence)


def interim_split_sentences(text: str) -> list[tuple[int, int]]:
    """Offsets that partition ``text``; each piece keeps its trailing whitespace."""
    bounds = [0]
    for m in _INTERIM_SENTENCE_END.finditer(text):
        bounds.append(m.end())
    bounds.append(len(text))
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def interim_segment(document: Document, lang: str) -> Article:
    text = document.text
    blocks: list[Block] = []
    for m in re.finditer(r"[^\n]*\n*", text):
        if m.end() == m.start():
            continue
        start, chunk = m.start(), m.group()
        sentences = []
        for a, b in interim_split_sentences(chunk):
            piece = chunk[a:b]
            span = Span(start + a, start + b, piece, lang=lang, confidence=1.0)
            sentences.append(Sentence(start + a, start + b, (span,)))
        stripped = chunk.strip()
        # A short first line without final punctuation is the headline (BBC files).
        kind = BlockKind.BODY
        if not blocks and stripped and stripped[-1] not in ".!?…\"'”»" and len(stripped) < 150:
            kind = BlockKind.TITLE
        blocks.append(Block(kind, start, start + len(chunk), tuple(sentences)))
    return Article(document, tuple(blocks))


# ---------------------------------------------------------------------------------------


def project_tokenizer(language: str) -> WordTokenizer:
    try:
        from jobs.segment import SentenceTokenizer  # type: ignore[import-not-found]
    except ImportError:
        return InterimTokenizer(language)
    tokenizer: WordTokenizer = SentenceTokenizer(language)
    return tokenizer


def segment_article(document: Document, lang: str) -> Article:
    # The real segment stage is not wired in until its signature is known; see the
    # switch-over note above.
    return interim_segment(document, lang)


def reference_lines(summary: str, cnndm: bool) -> list[str]:
    if cnndm:
        # Highlights are PTB-spaced and joined with " . ".
        return [s.strip() for s in summary.split(" . ") if s.strip()]
    pieces = (summary[a:b].strip() for a, b in interim_split_sentences(summary))
    return [p for p in pieces if p]


class UnicodeTokenizer:
    def tokenize(self, text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())


def make_scorer(language: str) -> rouge_scorer.RougeScorer:
    if language == "en":
        return rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    return rouge_scorer.RougeScorer(list(METRICS), use_stemmer=False, tokenizer=UnicodeTokenizer())


SUMY_METHODS: dict[str, Callable[..., Any]] = {
    "lexrank": LexRankSummarizer,
    "textrank": TextRankSummarizer,
    "lsa": LsaSummarizer,
    "luhn": LuhnSummarizer,
    "sumbasic": SumBasicSummarizer,
    "kl": KLSummarizer,
}


def body_paragraphs(article: Article) -> list[list[str]]:
    out = []
    for block in article.blocks:
        if block.kind is BlockKind.BODY:
            sentences = [s.text.strip() for s in block.sentences if s.text.strip()]
            if sentences:
                out.append(sentences)
    return out


def title_of(article: Article) -> str:
    for block in article.blocks:
        if block.kind is BlockKind.TITLE:
            return block.text.strip()
    return article.document.title or ""


def evaluate(path: Path, count: int) -> dict[str, dict[str, float]]:
    language = path.name[:2] if path.name[:3] in ("uk_", "ru_", "en_") else "en"
    sumy_name = {"en": "english", "uk": "ukrainian", "ru": "russian"}[language]
    tokenizer = project_tokenizer(sumy_name)
    scorer = make_scorer(language)
    settings = SummarySettings(sentences=count)
    stemmer = stemmer_for(language)
    stop_words = stop_words_for(language)
    cnndm = "cnndm" in path.name

    totals: dict[str, dict[str, float]] = {}
    rows = 0
    source = Source(path, path.name, "", 0)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        rows += 1
        document = Document(
            source, f"{path.name}#{row['id']}", row["text"], row.get("title"), MappingProxyType({})
        )
        article = segment_article(document, language)
        picks: dict[str, list[str]] = {}
        if language == "en":
            summary = summarize(article, settings, tokenizer=tokenizer)
            picks["ours"] = [s.english for s in summary.sentences]
        else:
            summary = summarize_source_language(article, settings, language, tokenizer=tokenizer)
            picks["ours"] = [s.original for s in summary.sentences]
        paragraphs = body_paragraphs(article)
        picks["lead"] = [s for p in paragraphs for s in p][:count]
        title = title_of(article)
        for name, cls in SUMY_METHODS.items():
            dom = build_document(paragraphs, tokenizer, title)
            summarizer = cls(stemmer)
            summarizer.stop_words = stop_words
            picks[name] = [str(s) for s in summarizer(dom, count)]
        if title:
            from sumy.summarizers.edmundson import EdmundsonSummarizer

            dom = build_document(paragraphs, tokenizer, title)
            ed = EdmundsonSummarizer(stemmer, cue_weight=0.0, key_weight=0.0)
            ed.null_words = stop_words
            picks["edmundson"] = [str(s) for s in ed(dom, count)]
        reference = "\n".join(reference_lines(row["summary"], cnndm))
        for name, sentences in picks.items():
            scores = scorer.score(reference, "\n".join(sentences))
            bucket = totals.setdefault(name, dict.fromkeys(METRICS, 0.0))
            for metric in METRICS:
                bucket[metric] += scores[metric].fmeasure
    return {
        name: {m: round(100 * v / max(rows, 1), 2) for m, v in bucket.items()}
        for name, bucket in totals.items()
    }


def print_table(path: Path, count: int, results: dict[str, dict[str, float]]) -> None:
    print(f"{path.name} ({count} sentences; ROUGE F1 x 100)")
    print(f"  {'method':<10} {'R-1':>7} {'R-2':>7} {'R-Lsum':>7}")
    for name, scores in results.items():
        print(f"  {name:<10} " + " ".join(f"{scores[m]:>7.2f}" for m in METRICS))
    print()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--sentences", type=int, default=3)
    args = parser.parse_args(argv)
    first: dict[str, dict[str, float]] | None = None
    for path in args.files:
        results = evaluate(path, args.sentences)
        print_table(path, args.sentences, results)
        if first is None:
            first = results
    print(json.dumps(first))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
