"""Labelling whole articles, and remembering the answers across runs.

``label_all`` asks the detector each distinct (span, sentence) question once, answering
from ``DetectionMemory`` first; the memory is keyed by the detector's ``key``, so a new
version of the code, other candidates or other word lists never reuse old answers.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping, Sequence

from jobs.langid.detector import LanguageDetector
from jobs.records import Article, Sentence, Span
from jobs.state import SqliteCache


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


class DetectionMemory(SqliteCache):
    """Persistent cache of detections keyed by (detector key, span, sentence)."""

    FILE = "detection-memory.sqlite3"
    WHAT = "detection memory"
    TABLE = "detections"
    SCHEMA = (
        "CREATE TABLE IF NOT EXISTS detections (detector TEXT NOT NULL, question BLOB NOT NULL,"
        " lang TEXT NOT NULL, confidence REAL NOT NULL, PRIMARY KEY (detector, question))"
        " WITHOUT ROWID",
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
