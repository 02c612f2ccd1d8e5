"""The records that flow through the pipeline: frozen, slotted, and free of I/O.

Offsets are character offsets into ``Document.text``. Blocks partition the document,
sentences partition their block and spans partition their sentence, so joining every
span of an article in order gives the document text back exactly. Whitespace and
separators are spans too (language ``und``), which is what makes that round trip hold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

UNDETERMINED = "und"
"""Language code for spans with no letters (numbers, URLs, punctuation, whitespace)."""


class BlockKind(StrEnum):
    TITLE = "title"
    BODY = "body"
    CAPTION = "caption"
    BOILERPLATE = "boilerplate"


@dataclass(frozen=True, slots=True)
class Source:
    """One input file as discovered on disk."""

    path: Path
    relpath: str  # relative to the input folder, POSIX separators
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class Document:
    """One article read from a source; a JSON list or JSONL file gives several."""

    source: Source
    key: str  # stable, unique within the run: relpath, plus "#N" for the Nth JSON record
    text: str
    title: str | None = None
    meta: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text in one language; ``english`` is set by the translate stage."""

    start: int
    end: int
    text: str
    lang: str = UNDETERMINED
    confidence: float = 0.0
    english: str | None = None
    flags: tuple[str, ...] = ()

    @property
    def needs_translation(self) -> bool:
        return self.lang not in (UNDETERMINED, "en") and bool(self.text.strip())

    @property
    def english_text(self) -> str:
        """The span as it reads in English: its translation, or the text itself."""
        if self.english is None:
            return self.text
        # Keep the original's surrounding whitespace so joined sentences stay readable.
        lead = self.text[: len(self.text) - len(self.text.lstrip())]
        trail = self.text[len(self.text.rstrip()) :]
        return lead + self.english + trail


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    spans: tuple[Span, ...]

    @property
    def text(self) -> str:
        return "".join(span.text for span in self.spans)

    @property
    def english(self) -> str:
        return "".join(span.english_text for span in self.spans).strip()


@dataclass(frozen=True, slots=True)
class Block:
    kind: BlockKind
    start: int
    end: int
    sentences: tuple[Sentence, ...]
    rule: str | None = None  # the config rule that made it boilerplate or a caption

    @property
    def text(self) -> str:
        return "".join(sentence.text for sentence in self.sentences)

    @property
    def english(self) -> str:
        return " ".join(s.english for s in self.sentences if s.english)


@dataclass(frozen=True, slots=True)
class Article:
    document: Document
    blocks: tuple[Block, ...]

    def spans(self) -> Iterator[Span]:
        for block in self.blocks:
            for sentence in block.sentences:
                yield from sentence.spans

    def map_spans(self, change: Callable[[Span, Sentence], Span]) -> Article:
        """A copy with every span replaced by ``change(span, its sentence)``.

        Stages that label or translate spans use this, so none of them rebuilds the
        block/sentence nesting itself; ``change`` must keep a span's offsets and text.
        """
        blocks = tuple(
            replace(
                block,
                sentences=tuple(
                    replace(sentence, spans=tuple(change(s, sentence) for s in sentence.spans))
                    for sentence in block.sentences
                ),
            )
            for block in self.blocks
        )
        return replace(self, blocks=blocks)

    def sentences(self, *kinds: BlockKind) -> Iterator[tuple[Block, Sentence]]:
        for block in self.blocks:
            if not kinds or block.kind in kinds:
                for sentence in block.sentences:
                    yield block, sentence


@dataclass(frozen=True, slots=True)
class SummarySentence:
    """One picked sentence, traceable to the original text."""

    start: int
    end: int
    block_index: int
    english: str
    original: str
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Summary:
    sentences: tuple[SummarySentence, ...]
    language: str = "en"
    method: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, as the article's JSON file shows it; ``from_dict``
        gives the same summary back."""
        return {
            "language": self.language,
            "method": self.method,
            "sentences": [
                {
                    "text": s.english,
                    "original": s.original,
                    "start": s.start,
                    "end": s.end,
                    "block": s.block_index,
                    "languages": list(s.languages),
                }
                for s in self.sentences
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Summary:
        sentences = tuple(
            SummarySentence(
                start=s["start"],
                end=s["end"],
                block_index=s["block"],
                english=s["text"],
                original=s["original"],
                languages=tuple(s["languages"]),
            )
            for s in data["sentences"]
        )
        return cls(sentences, data["language"], data["method"])


@dataclass(frozen=True, slots=True)
class ArticleResult:
    """What one article produced: the article itself, its summaries and its problems."""

    article: Article
    summary: Summary
    source_summary: Summary | None = None  # in the article's own language, when asked for
    flags: tuple[str, ...] = ()  # problems a reviewer must see, e.g. "no model for ru→en"

    @property
    def failed(self) -> bool:
        return any(flag.startswith("error:") for flag in self.flags)


@dataclass(frozen=True, slots=True)
class FileError:
    """A source (or one record inside it) that could not be processed."""

    relpath: str
    reason: str


@dataclass(frozen=True, slots=True)
class RunReport:
    done: int
    skipped: int
    failed: int
    spans_translated: int
    seconds: float
    errors: tuple[FileError, ...] = ()
    ignored: tuple[str, ...] = ()  # input files of a type the job does not read
    stage_seconds: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    def line(self) -> str:
        return (
            f"mixdigest: {self.done} done, {self.skipped} skipped, {self.failed} failed, "
            f"{len(self.ignored)} ignored, {self.spans_translated} spans translated, "
            f"{self.seconds:.1f}s"
        )
