r"""ROUGE of the job's summarizer against Lead-N and sumy's algorithms on real data.

    .venv/bin/python bench/eval_summary.py FILE.jsonl [FILE ...] [--sentences N] [--half 0|1]

Rows are {"id", "text", "summary"} (an optional "title" becomes the document title).

- "ours": the job's default summarizer as a run applies it: jobs.segment with
  config/job.yaml's rules, then jobs.summarize with default weights at N sentences.
- "lead": Lead-N, the plain first N sentences of the text AS GIVEN, cut by the project's
  sentence splitter (jobs.segment.split_sentences) and nothing else: no boilerplate,
  caption, dateline or title removal, so the baseline is neither helped nor hurt by our
  cleaning (on CNN/DM "(CNN)" and glued captions stay in it; on BBC files the title line
  is its first sentence).
- sumy's algorithms see the body sentences of the segmented article (what "ours" sees
  before its own filters) through jobs.segment.SentenceTokenizer; Edmundson only where the
  article has a title and sumy has stop words for the language (not Russian), averaged
  over those rows.

A table is printed per file; the LAST line is one JSON object with the scores of the FIRST
file: {"ours": {"rouge1": x, "rouge2": x, "rougeLsum": x}, "lead": {...}, ...}.

Files named ``uk_*``/``ru_*`` are summarised in their own language (summarize_source_language)
and scored with a Unicode word tokenizer without stemming: rouge-score's default tokenizer
keeps only [a-z0-9] and would score every Cyrillic summary 0. Words are \w+ runs,
lower-cased; rouge-score's Porter stemmer is English-only, so there is no stemming there.
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
from sumy.summarizers.edmundson import EdmundsonSummarizer
from sumy.summarizers.kl import KLSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from jobs.config import SegmentSettings, SummarySettings, load
from jobs.records import (
    Article,
    BlockKind,
    Document,
    Source,
)
from jobs.segment import SentenceTokenizer, segment, split_sentences
from jobs.summarize.news import (
    build_document,
    stemmer_for,
    stop_words_for,
    summarize,
    summarize_source_language,
)

METRICS = ("rouge1", "rouge2", "rougeLsum")

ROOT = Path(__file__).resolve().parent.parent


def segment_rules() -> SegmentSettings:
    # The job's own boilerplate/caption rules, so "ours" sees the article as a run would.
    path = ROOT / "config" / "job.yaml"
    return load(path).segment if path.is_file() else SegmentSettings(boilerplate=(), captions=())


def segment_article(document: Document, rules: SegmentSettings) -> Article:
    return segment(document, rules)


def reference_lines(summary: str, cnndm: bool) -> list[str]:
    if cnndm:
        # Highlights are PTB-spaced and joined with " . ".
        return [s.strip() for s in summary.split(" . ") if s.strip()]
    pieces = (summary[a:b].strip() for a, b in split_sentences(summary))
    return [p for p in pieces if p]


def lead_sentences(text: str, count: int) -> list[str]:
    pieces = (text[a:b].strip() for a, b in split_sentences(text))
    return [p for p in pieces if p][:count]


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


def evaluate(path: Path, count: int, half: int | None = None) -> dict[str, dict[str, float]]:
    language = path.name[:2] if path.name[:3] in ("uk_", "ru_", "en_") else "en"
    sumy_name = {"en": "english", "uk": "ukrainian", "ru": "russian"}[language]
    tokenizer = SentenceTokenizer(sumy_name)
    rules = segment_rules()
    scorer = make_scorer(language)
    settings = SummarySettings(sentences=count)
    stemmer = stemmer_for(language)
    stop_words = stop_words_for(language)
    cnndm = "cnndm" in path.name

    totals: dict[str, dict[str, float]] = {}
    counts: dict[str, int] = {}
    source = Source(path, path.name, "", 0)
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for line in lines if half is None else lines[half::2]:
        row = json.loads(line)
        document = Document(
            source, f"{path.name}#{row['id']}", row["text"], row.get("title"), MappingProxyType({})
        )
        article = segment_article(document, rules)
        picks: dict[str, list[str]] = {}
        if language == "en":
            summary = summarize(article, settings, tokenizer=tokenizer)
            picks["ours"] = [s.english for s in summary.sentences]
        else:
            summary = summarize_source_language(article, settings, language, tokenizer=tokenizer)
            picks["ours"] = [s.original for s in summary.sentences]
        paragraphs = body_paragraphs(article)
        picks["lead"] = lead_sentences(row["text"], count)
        title = title_of(article)
        for name, cls in SUMY_METHODS.items():
            dom = build_document(paragraphs, tokenizer, title)
            summarizer = cls(stemmer)
            summarizer.stop_words = stop_words
            picks[name] = [str(s) for s in summarizer(dom, count)]
        if title and stop_words:  # Edmundson needs a title and a stop-word list
            dom = build_document(paragraphs, tokenizer, title)
            ed = EdmundsonSummarizer(stemmer, cue_weight=0.0, key_weight=0.0)
            ed.null_words = stop_words
            picks["edmundson"] = [str(s) for s in ed(dom, count)]
        reference = "\n".join(reference_lines(row["summary"], cnndm))
        for name, sentences in picks.items():
            scores = scorer.score(reference, "\n".join(sentences))
            bucket = totals.setdefault(name, dict.fromkeys(METRICS, 0.0))
            counts[name] = counts.get(name, 0) + 1
            for metric in METRICS:
                bucket[metric] += scores[metric].fmeasure
    return {
        name: {m: round(100 * v / counts[name], 2) for m, v in bucket.items()}
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
    parser.add_argument(
        "--half",
        type=int,
        choices=(0, 1),
        help="only rows 0, 2, 4, ... (0) or 1, 3, 5, ... (1): tune on one half, check the other",
    )
    args = parser.parse_args(argv)
    first: dict[str, dict[str, float]] | None = None
    for path in args.files:
        results = evaluate(path, args.sentences, args.half)
        print_table(path, args.sentences, results)
        if first is None:
            first = results
    print(json.dumps(first))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
