"""Cost of the job's summarizer against sumy's LexRank, for articles of 20, 200 and 2,000 sentences.

    python bench/bench_summary.py [--shared DIR]

Articles are built from real English sentences: the body sentences of
``DIR/summarization/en_*.jsonl`` (default ``../shared/data``) as jobs.segment cuts them,
taken in order and grouped five to a paragraph, so every article is real news prose of the
wanted length. Each article is segmented once (not timed); then, in this process:

* ``ours``: ``jobs.summarize.summarize`` with the job's default settings (3 sentences), the
  whole summarise stage: candidate filters, sumy document, scoring and selection;
* ``ours_ratio``: the same with ``ratio: 0.2`` (a fifth of the sentences), where selection
  has to pick hundreds of sentences, each checked against the picks before it;
* ``lexrank``: sumy's ``LexRankSummarizer`` over the same body sentences (document built
  with the project's tokenizer, 3 sentences): the baseline, whose full similarity matrix
  is quadratic in the sentence count.

Each timing is the best of several runs (fewer for the long articles). Prints one table
with per-article times, time per sentence and ours' speed-up over LexRank, then how the
time per sentence grows from 200 to 2,000 sentences (1.0 = linear, 10 = quadratic). The
LAST line is one JSON object:
{"seconds": {"ours": {"20": x, ...}, "ours_ratio": {...}, "lexrank": {...}},
 "per_sentence_growth_200_to_2000": {"ours": x, "ours_ratio": x, "lexrank": x},
 "speedup_vs_lexrank": {"20": x, "200": x, "2000": x}}.
Without the shared data it prints why it skipped and a JSON line saying so.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import MappingProxyType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sumy.summarizers.lex_rank import LexRankSummarizer  # noqa: E402

from jobs.config import SegmentSettings, SummarySettings, load  # noqa: E402
from jobs.records import Article, BlockKind, Document, Source  # noqa: E402
from jobs.segment import SentenceTokenizer, segment  # noqa: E402
from jobs.summarize.news import (  # noqa: E402
    build_document,
    forget_stems,
    is_fragment,
    stemmer_for,
    stop_words_for,
    summarize,
)

SIZES = (20, 200, 2000)
PER_PARAGRAPH = 5
METHODS = ("ours", "ours_ratio", "lexrank")


def rules() -> SegmentSettings:
    path = ROOT / "config" / "job.yaml"
    return load(path).segment if path.is_file() else SegmentSettings(boilerplate=(), captions=())


def real_sentences(shared: Path, wanted: int) -> list[str]:
    found: list[str] = []
    source = Source(shared, "bench", "", 0)
    settings = rules()
    for path in sorted((shared / "summarization").glob("en_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            doc = Document(source, row["id"], row["text"], None, MappingProxyType({}))
            for block in segment(doc, settings).blocks:
                if block.kind is BlockKind.BODY:
                    for sentence in block.sentences:
                        text = " ".join(sentence.text.split())
                        if len(text.split()) >= 4 and not is_fragment(text):
                            found.append(text)
            if len(found) >= wanted:
                return found[:wanted]
    return found


def article_of(sentences: list[str]) -> Article:
    paragraphs = (
        " ".join(sentences[i : i + PER_PARAGRAPH]) for i in range(0, len(sentences), PER_PARAGRAPH)
    )
    text = "\n\n".join(paragraphs) + "\n"
    source = Source(Path("bench.txt"), "bench.txt", "0" * 64, len(text))
    return segment(Document(source, "bench.txt", text, None, MappingProxyType({})), rules())


def best_of(work: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        forget_stems()  # ours cold every run, as LexRank is
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def body_paragraphs(article: Article) -> list[list[str]]:
    return [
        [s.text.strip() for s in block.sentences if s.text.strip()]
        for block in article.blocks
        if block.kind is BlockKind.BODY
    ]


def methods(article: Article) -> Iterator[tuple[str, Callable[[], object]]]:
    tokenizer = SentenceTokenizer("english")
    three = SummarySettings(sentences=3)
    fifth = SummarySettings(ratio=0.2)
    paragraphs = body_paragraphs(article)

    def lexrank() -> object:
        summarizer = LexRankSummarizer(stemmer_for("en"))
        summarizer.stop_words = stop_words_for("en")
        return summarizer(build_document(paragraphs, tokenizer), 3)

    yield "ours", lambda: summarize(article, three, tokenizer=tokenizer)
    yield "ours_ratio", lambda: summarize(article, fifth, tokenizer=tokenizer)
    yield "lexrank", lexrank


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args(argv)
    pool = real_sentences(args.shared, max(SIZES))
    if len(pool) < max(SIZES):
        reason = (
            f"bench_summary: skipped: need {max(SIZES)} real English sentences from "
            f"{args.shared}/summarization/en_*.jsonl, found {len(pool)}"
        )
        print(reason)
        print(json.dumps({"skipped": reason}))
        return 0

    seconds: dict[str, dict[str, float]] = {m: {} for m in METHODS}
    for size in SIZES:
        article = article_of(pool[:size])
        runs = {20: 30, 200: 10, 2000: 5}[size]
        for name, work in methods(article):
            # One run of LexRank on 2,000 sentences takes over a minute.
            once = name == "lexrank" and size > 200
            seconds[name][str(size)] = best_of(work, 1 if once else runs)

    header = f"{'sentences':>9} " + " ".join(f"{m + ' ms':>14}" for m in METHODS)
    header += f" {'ours µs/sent':>13} {'lexrank µs/sent':>16} {'ours ×':>8}"
    print("Summarise one article (best of several runs; ours × = speed-up over sumy LexRank)")
    print(header)
    print("-" * len(header))
    speedup: dict[str, float] = {}
    for size in SIZES:
        key = str(size)
        speedup[key] = round(seconds["lexrank"][key] / seconds["ours"][key], 2)
        print(
            f"{size:>9} "
            + " ".join(f"{1000 * seconds[m][key]:>14.1f}" for m in METHODS)
            + f" {1e6 * seconds['ours'][key] / size:>13.1f}"
            + f" {1e6 * seconds['lexrank'][key] / size:>16.1f}"
            + f" {speedup[key]:>8.1f}"
        )
    growth = {m: round((seconds[m]["2000"] / 2000) / (seconds[m]["200"] / 200), 2) for m in METHODS}
    print("-" * len(header))
    print(
        "time per sentence, 2,000 vs 200 sentences (1.0 = linear, 10 = quadratic): "
        + ", ".join(f"{m} {g:.2f}" for m, g in growth.items())
    )
    result = {
        "seconds": {m: {k: round(v, 5) for k, v in t.items()} for m, t in seconds.items()},
        "per_sentence_growth_200_to_2000": growth,
        "speedup_vs_lexrank": speedup,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
