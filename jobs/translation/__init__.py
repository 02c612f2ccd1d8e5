"""The translate stage: every non-English span of a run, translated once.

``translate_articles`` is the stage: it collects what the run's articles need
(``requests_of``), finds an engine per language, answers what it can from the
translation memory, sends the rest through an executor in chunks, and puts the English
back on the spans (``apply_translations``). Equal texts share one translation, and a
text's translation does not depend on the chunk it was sent in, so chunks can be cut
anywhere and run anywhere (see ``executor``).

Modules: ``engine`` (the Engine interface, EngineSpec, the Argos/CTranslate2 engine),
``executor`` (where chunks run), ``memory`` (the persistent translation memory),
``checks`` (suspicious outputs, an article's translation flags).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from jobs.errors import MissingPrerequisite
from jobs.progress import Progress
from jobs.records import Article, Span
from jobs.state import checkpoint
from jobs.translation.checks import NO_MODEL, UNTRANSLATED, article_flags, flag_suspicious
from jobs.translation.engine import ArgosEngine, Engine, EngineSpec, engine_key
from jobs.translation.executor import Chunk, Executor, LocalExecutor
from jobs.translation.memory import TranslationMemory

__all__ = [
    "ArgosEngine",
    "Chunk",
    "Engine",
    "EngineFactory",
    "EngineSpec",
    "Executor",
    "LocalExecutor",
    "TranslationMemory",
    "TranslationOutcome",
    "apply_translations",
    "article_flags",
    "engine_key",
    "flag_suspicious",
    "requests_of",
    "translate_all",
    "translate_articles",
]

# Texts per engine call. The memory is written after each call, so a killed run loses at
# most one chunk's work, and the progress bar moves once per chunk. Texts are sorted by
# length before they are cut, so a chunk is several full batches of similar length:
# on 501 real sentences with the base-size bench model, chunks of 2000/256/128/64 texts
# took 86/78/80/83 s (best of two, a loaded 2-core machine): no cost for moving the bar.
CHUNK = 256

EngineFactory = Callable[[str], Engine | None]
"""Given a source language, the engine that translates it to English, or None."""


@dataclass(frozen=True)
class TranslationOutcome:
    translations: Mapping[tuple[str, str], str]  # (lang, text as requested) -> English
    from_memory: int  # unique texts answered by the memory
    translated: int  # unique texts the engines translated
    missing: tuple[str, ...]  # languages with requests but no engine
    flags: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)


def requests_of(articles: Iterable[Article]) -> dict[str, set[str]]:
    """Per language, the texts of every span that needs translating (stripped)."""
    requests: dict[str, set[str]] = {}
    for article in articles:
        for span in article.spans():
            if span.needs_translation:
                requests.setdefault(span.lang, set()).add(span.text.strip())
    return requests


def apply_translations(article: Article, outcome: TranslationOutcome) -> Article:
    """A copy of ``article`` whose spans carry their English and their flags."""
    missing = set(outcome.missing)

    def in_english(span: Span) -> Span:
        if not span.needs_translation:
            return span
        key = (span.lang, span.text.strip())
        english = outcome.translations.get(key)
        if english is None:
            flag = NO_MODEL if span.lang in missing else UNTRANSLATED
            return replace(span, flags=(*span.flags, flag))
        return replace(span, english=english, flags=(*span.flags, *outcome.flags.get(key, ())))

    return article.map_spans(lambda span, _sentence: in_english(span))


def translate_articles(
    articles: Sequence[Article],
    engines: EngineFactory,
    memory: TranslationMemory | None,
    *,
    required: Collection[str] = (),
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> tuple[list[Article], TranslationOutcome]:
    """The articles with their English, and what it took.

    Raises ``MissingPrerequisite`` before translating anything when a language in
    ``required`` is needed and has no engine; other languages without one are left
    untranslated and flagged on their spans.
    """
    requests = requests_of(articles)
    available: dict[str, Engine] = {}
    for lang in sorted(requests):
        engine = engines(lang)
        if engine is not None:
            available[lang] = engine
    absent = sorted(set(requests) - set(available) & set(required))
    if absent:
        from jobs.models import missing_model_message

        raise MissingPrerequisite("\n".join(missing_model_message(lang) for lang in absent))
    outcome = translate_all(requests, available, memory, executor=executor, progress=progress)
    return [apply_translations(article, outcome) for article in articles], outcome


def translate_all(
    requests: Mapping[str, Collection[str]],
    engines: Mapping[str, Engine],
    memory: TranslationMemory | None,
    *,
    executor: Executor | None = None,
    progress: Progress | None = None,
    chunk: int | None = None,
) -> TranslationOutcome:
    """Translate every requested (lang, text) once: memory first, engines for the rest.

    Texts are looked up and translated without their surrounding whitespace (the
    records put it back), so " Бізнес" and "Бізнес" share one translation. ``chunk``
    texts go to each engine call (default ``CHUNK``).
    """
    chunk = chunk or CHUNK
    translations: dict[tuple[str, str], str] = {}
    flags: dict[tuple[str, str], tuple[str, ...]] = {}
    from_memory = translated = 0
    missing: list[str] = []
    pending: list[Chunk] = []
    wanted: dict[str, dict[str, list[str]]] = {}  # lang → stripped text → as requested
    done: dict[str, dict[str, str]] = {}
    for lang in sorted(requests):
        by_key: dict[str, list[str]] = {}
        for text in requests[lang]:
            by_key.setdefault(text.strip(), []).append(text)
        for text in by_key.pop("", []):
            translations[(lang, text)] = ""
        if not by_key:
            continue
        engine = engines.get(lang)
        if engine is None:
            missing.append(lang)
            continue
        wanted[lang] = by_key
        done[lang] = memory.lookup(lang, engine.key, by_key) if memory is not None else {}
        from_memory += len(done[lang])
        # Shortest first: texts of similar length share a chunk, and so a batch.
        todo = sorted((k for k in by_key if k not in done[lang]), key=len)
        pending += [
            Chunk(lang, engine, tuple(todo[i : i + chunk])) for i in range(0, len(todo), chunk)
        ]
    if progress is not None:
        progress.stage("translate", sum(len(c.texts) for c in pending), "text")
    for part, outputs in (executor or LocalExecutor()).map(pending):
        if len(outputs) != len(part.texts):
            raise RuntimeError(
                f"engine {part.engine.key} returned {len(outputs)} of {len(part.texts)}"
            )
        fresh = dict(zip(part.texts, outputs, strict=True))
        if memory is not None:
            memory.store(part.lang, part.engine.key, fresh)
        done[part.lang].update(fresh)
        translated += len(fresh)
        checkpoint("translated")
        if progress is not None:
            progress.advance(len(fresh))
    for lang, by_key in wanted.items():
        for key, originals in by_key.items():
            english = done[lang][key]
            problems = tuple(flag_suspicious(key, english))
            for text in originals:
                translations[(lang, text)] = english
                if problems:
                    flags[(lang, text)] = problems
    return TranslationOutcome(translations, from_memory, translated, tuple(missing), flags)
