"""What an output shows of an article result: one pure view that every format reads.

The Markdown review file and the JSON file (and any format added later) render an
``ArticleView``, never the records directly, so they show the same facts: the status,
the language shares, the summary with its provenance, the translated spans and what was
set aside under which rule.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from jobs.records import UNDETERMINED, ArticleResult, Block, BlockKind, Span, Summary

SET_ASIDE_KINDS = (BlockKind.BOILERPLATE, BlockKind.CAPTION)


def output_name(key: str) -> str:
    """A file stem derived from the article's key: readable, stable, and collision-free.

    The readable part is lossy (any path, id or length squeezed into safe characters),
    so a hash of the full key always follows it: two keys never share a name, and the
    name never leaves the output folder whatever the input path or JSON id holds.
    """
    readable = []
    for char in unicodedata.normalize("NFC", key):
        if char.isalnum() or char in "-_.":
            readable.append(char)
        elif char == "/":
            readable.append("__")
        else:
            readable.append("_")
    stem = "".join(readable).strip("._")[:80] or "article"
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{stem}.{digest}"


def language_shares(result: ArticleResult) -> dict[str, float]:
    """Share of the article's letters in each language (spans without letters excluded)."""
    letters: Counter[str] = Counter()
    for span in result.article.spans():
        if span.lang != UNDETERMINED:
            letters[span.lang] += sum(ch.isalpha() for ch in span.text)
    total = sum(letters.values())
    return {lang: round(n / total, 4) for lang, n in letters.most_common()} if total else {}


def status_of(result: ArticleResult) -> str:
    return "failed" if result.failed else ("flagged" if result.flags else "ok")


@dataclass(frozen=True, slots=True)
class SetAside:
    """A block kept out of the summary: boilerplate or a caption, with its rule."""

    kind: str
    rule: str
    original: str
    english: str


@dataclass(frozen=True, slots=True)
class ArticleView:
    name: str  # the output files' stem
    key: str
    source: str  # the input's relative path
    source_sha256: str
    title: str | None
    meta: Mapping[str, str]
    status: str  # ok, flagged or failed
    flags: tuple[str, ...]
    languages: Mapping[str, float]  # share of letters, largest first
    summary: Summary
    source_summary: Summary | None
    blocks: tuple[Block, ...]
    translated: tuple[Span, ...]  # every span that carries a translation
    set_aside: tuple[SetAside, ...]


def article_view(result: ArticleResult, name: str) -> ArticleView:
    article = result.article
    doc = article.document
    return ArticleView(
        name=name,
        key=doc.key,
        source=doc.source.relpath,
        source_sha256=doc.source.sha256,
        title=doc.title,
        meta=doc.meta,
        status=status_of(result),
        flags=result.flags,
        languages=language_shares(result),
        summary=result.summary,
        source_summary=result.source_summary,
        blocks=article.blocks,
        translated=tuple(span for span in article.spans() if span.english is not None),
        set_aside=tuple(
            SetAside(str(block.kind), block.rule or "rule", block.text, block.english)
            for block in article.blocks
            if block.kind in SET_ASIDE_KINDS
        ),
    )


@dataclass(frozen=True, slots=True)
class IndexRow:
    """One article of a run in the index: its files' stem, key, status and a note."""

    name: str
    key: str
    status: str  # ok, flagged, failed, unchanged, or error (nothing written)
    note: str
