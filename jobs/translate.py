"""The translate stage: engines, the translation memory, and one batch per run.

Decoding is per span, not per sentence-split of a span: the pipeline hands over span
texts (a run of one language inside one sentence), which is what argostranslate's
sentence splitter would hand its model anyway, so each span is one model input. This
is what makes a span's translation independent of its neighbours and cacheable.

Scaling out: ``translate_all`` is the only place that decides what reaches an engine.
It hands an engine chunks of unique texts the memory did not have and wants one output
per text, in order; an ``Engine`` is nothing more than ``key`` + ``translate(texts)``.
Equal keys give equal outputs, and batching does not change an output, so a chunk can
be cut anywhere. A pool is therefore an Engine whose ``translate`` splits the chunk
over N workers (processes or machines) and concatenates their answers; each worker
builds one ``ArgosEngine`` from an ``InstalledModel`` and ``TranslationSettings``
(frozen, picklable records) and loads the model once, on its first call. The
translation memory stays with the coordinator (SQLite, one writer).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import regex

from jobs.config import TranslationSettings
from jobs.errors import ModelError
from jobs.models import InstalledModel, argos_package
from jobs.state import SqliteCache

log = logging.getLogger(__name__)

MEMORY_FILE = "translation-memory.sqlite3"
CHUNK = 2000  # spans per engine call: the memory is written after each, so a kill loses little
ARGOS_LENGTH_PENALTY = 0.2  # as argostranslate.translate.apply_packaged_translation


@runtime_checkable
class Engine(Protocol):
    """Translates texts of one source language into English."""

    @property
    def key(self) -> str:
        """Names the package, its version and the decoding settings: equal keys must
        give equal translations (the translation memory is keyed by it)."""
        ...

    def translate(self, texts: Sequence[str]) -> list[str]: ...


class ArgosEngine:
    """An Argos package run through one CTranslate2 translator, many spans per batch."""

    def __init__(
        self,
        model: InstalledModel,
        settings: TranslationSettings,
        models_dir: Path | None = None,
    ) -> None:
        self.model = model
        self.settings = settings
        if models_dir is None:
            # Installed packages live in <models>/.store/<pkg>; hand-placed ones in <models>.
            parent = model.path.parent
            models_dir = parent.parent if parent.name == ".store" else parent
        package = argos_package(models_dir)
        try:
            self.package = package.Package(model.path)
        except Exception as exc:  # argostranslate raises bare Exceptions
            raise ModelError(f"{model.label}: cannot read the package: {exc}") from exc
        self.tokenizer: Any = getattr(self.package, "tokenizer", None)
        if self.tokenizer is None:
            raise ModelError(f"{model.label}: the package has no tokenizer model")
        self.target_prefix: str = self.package.target_prefix or ""
        self._translator: Any = None
        self._key = engine_key(model, settings)

    @property
    def key(self) -> str:
        return self._key

    @property
    def translator(self) -> Any:
        """The CTranslate2 translator, loaded on first use: a run whose spans are all in
        the translation memory never pays for loading the model (or its memory)."""
        if self._translator is None:
            import ctranslate2

            model, settings = self.model, self.settings
            try:
                self._translator = ctranslate2.Translator(
                    str(model.model_dir),
                    device="cpu",
                    compute_type=settings.compute_type,
                    inter_threads=1,
                    intra_threads=settings.threads,
                )
            except Exception as exc:  # RuntimeError/ValueError from the C++ side
                raise ModelError(
                    f"{model.label}: CTranslate2 cannot load {model.model_dir}: {exc}; "
                    f"reinstall it: mixdigest models download {model.from_code} {model.to_code}"
                ) from exc
        return self._translator

    def translate(self, texts: Sequence[str]) -> list[str]:
        tokens = [self.tokenizer.encode(text) if text.strip() else [] for text in texts]
        results = [""] * len(texts)
        for batch in padded_batches(tokens, self.settings.max_batch_tokens):
            # Longest first, so batch[0] sets the batch's decoding bound.
            prefix = [[self.target_prefix]] * len(batch) if self.target_prefix else None
            out = self.translator.translate_batch(
                [tokens[i] for i in batch],
                target_prefix=prefix,
                # Batches are cut exactly as CTranslate2 would (padded size, longest
                # first); cutting them here gives each its own bound below.
                max_batch_size=0,
                beam_size=self.settings.beam_size,
                num_hypotheses=1,
                length_penalty=ARGOS_LENGTH_PENALTY,
                replace_unknowns=True,
                repetition_penalty=self.settings.repetition_penalty,
                no_repeat_ngram_size=self.settings.no_repeat_ngram_size,
                max_decoding_length=max_decoding_length(len(tokens[batch[0]]), self.settings),
            )
            for i, result in zip(batch, out, strict=True):
                # The batch shares its longest span's bound; cut each output to its own,
                # so a looping output is bounded by its source. A faithful output is
                # never that long, so this changes nothing else.
                bound = max_decoding_length(len(tokens[i]), self.settings)
                results[i] = self._decode(result.hypotheses[0][:bound])
        return results

    def _decode(self, pieces: list[str]) -> str:
        # Exactly argostranslate's post-processing, so outputs match it.
        value: str = self.tokenizer.decode(pieces)
        if self.target_prefix and value.startswith(self.target_prefix):
            value = value[len(self.target_prefix) :]
        if value.startswith(" "):
            value = value[1:]
        return value


def padded_batches(tokens: Sequence[Sequence[str]], max_tokens: int) -> list[list[int]]:
    """Indices of the non-empty token lists, cut into batches the way CTranslate2 cuts a
    call's inputs: sorted longest first, and a batch's size counted with its padding
    (count × its longest) kept within ``max_tokens``; a longer source goes alone.

    Measured against one ``translate_batch`` call over everything (make bench, (b)
    against (c)), these batches run as fast, while length bands cut separately were up
    to 20% slower on small runs: fewer, fuller batches are what a CPU rewards.
    """
    order = sorted((i for i, t in enumerate(tokens) if t), key=lambda i: -len(tokens[i]))
    batches: list[list[int]] = []
    batch: list[int] = []
    for i in order:
        if batch and len(tokens[batch[0]]) * (len(batch) + 1) > max_tokens:
            batches.append(batch)
            batch = []
        batch.append(i)
    if batch:
        batches.append(batch)
    return batches


def max_decoding_length(source_tokens: int, settings: TranslationSettings) -> int:
    """An output may be at most ``max_decoding_ratio`` times its source, plus 10 tokens:
    a faithful translation never needs more, a degenerate loop stops there."""
    return math.ceil(source_tokens * settings.max_decoding_ratio) + 10


def engine_key(model: InstalledModel, settings: TranslationSettings) -> str:
    """Everything that changes a translation: the package (its content, not just its
    version number) and the decoding settings. Threads and batch size do not."""
    return (
        f"argos:{model.name}@{model.version}#{model.fingerprint}"
        f";beam={settings.beam_size};ct={settings.compute_type}"
        f";ratio={settings.max_decoding_ratio:g};rep={settings.repetition_penalty:g}"
        f";norep={settings.no_repeat_ngram_size}"
    )


# -- translation memory --------------------------------------------------------------


class TranslationMemory(SqliteCache):
    """Persistent cache of translations keyed by (text, source language, engine key)."""

    FILE = MEMORY_FILE
    WHAT = "translation memory"
    TABLE = "memory"
    SCHEMA = (
        "CREATE TABLE IF NOT EXISTS memory (engine TEXT NOT NULL, lang TEXT NOT NULL,"
        " source TEXT NOT NULL, target TEXT NOT NULL, created REAL NOT NULL,"
        " PRIMARY KEY (engine, lang, source)) WITHOUT ROWID"
    )

    def lookup(self, lang: str, engine_key: str, texts: Collection[str]) -> dict[str, str]:
        """The stored translations of those ``texts`` that have one."""
        rows = self._select_in(
            "SELECT source, target FROM memory WHERE engine = ? AND lang = ?"
            " AND source IN ({marks})",
            (engine_key, lang),
            texts,
        )
        return dict(rows)

    def store(self, lang: str, engine_key: str, pairs: Mapping[str, str]) -> None:
        if not pairs:
            return
        now = time.time()
        self._insert(
            "INSERT OR REPLACE INTO memory (engine, lang, source, target, created)"
            " VALUES (?, ?, ?, ?, ?)",
            [(engine_key, lang, s, t, now) for s, t in pairs.items()],
        )


# -- the stage -----------------------------------------------------------------------


@dataclass(frozen=True)
class TranslationOutcome:
    translations: Mapping[tuple[str, str], str]  # (lang, text as requested) -> English
    from_memory: int  # unique texts answered by the memory
    translated: int  # unique texts the engines translated
    missing: tuple[str, ...]  # languages with requests but no engine
    flags: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)


def translate_all(
    requests: Mapping[str, Collection[str]],
    engines: Mapping[str, Engine],
    memory: TranslationMemory | None,
    progress: Callable[[int], Any] | None = None,
) -> TranslationOutcome:
    """Translate every requested (lang, text) once: memory first, engines for the rest.

    Texts are looked up and translated without their surrounding whitespace (the
    records put it back), so " Бізнес" and "Бізнес" share one translation. ``progress``
    is called with the number of texts finished after each engine call.
    """
    translations: dict[tuple[str, str], str] = {}
    flags: dict[tuple[str, str], tuple[str, ...]] = {}
    from_memory = translated = 0
    missing: list[str] = []
    for lang in sorted(requests):
        texts = requests[lang]
        by_key: dict[str, list[str]] = {}
        for text in texts:
            by_key.setdefault(text.strip(), []).append(text)
        if "" in by_key:
            for text in by_key.pop(""):
                translations[(lang, text)] = ""
        if not by_key:
            continue
        engine = engines.get(lang)
        if engine is None:
            missing.append(lang)
            continue
        done = memory.lookup(lang, engine.key, by_key) if memory is not None else {}
        from_memory += len(done)
        todo = sorted((k for k in by_key if k not in done), key=len)
        for start in range(0, len(todo), CHUNK):
            part = todo[start : start + CHUNK]
            outputs = engine.translate(part)
            if len(outputs) != len(part):
                raise RuntimeError(f"engine {engine.key} returned {len(outputs)} of {len(part)}")
            fresh = dict(zip(part, outputs, strict=True))
            if memory is not None:
                memory.store(lang, engine.key, fresh)
            done.update(fresh)
            translated += len(part)
            if progress is not None:
                progress(len(part))
        for key, originals in by_key.items():
            english = done[key]
            problems = tuple(flag_suspicious(key, english))
            for text in originals:
                translations[(lang, text)] = english
                if problems:
                    flags[(lang, text)] = problems
    return TranslationOutcome(translations, from_memory, translated, tuple(missing), flags)


# -- checks for the review file -------------------------------------------------------

_WORD = regex.compile(r"\w+")


def _longest_run(words: list[str], max_unit: int = 4) -> tuple[int, str]:
    """The most times any unit of 1..max_unit words repeats back to back."""
    best, unit_text = 1, ""
    for size in range(1, max_unit + 1):
        for start in range(len(words) - size):
            unit = words[start : start + size]
            count = 1
            pos = start + size
            while words[pos : pos + size] == unit:
                count += 1
                pos += size
            if count > best:
                best, unit_text = count, " ".join(unit)
    return best, unit_text


def flag_suspicious(source: str, output: str) -> list[str]:
    """Reasons to distrust a translation, for the review file (empty: looks fine)."""
    flags: list[str] = []
    src, out = source.strip(), output.strip()
    if src and not out:
        return ["suspicious translation: empty output"]
    out_words = [w.casefold() for w in _WORD.findall(out)]
    runs, unit = _longest_run(out_words)
    src_runs, _ = _longest_run([w.casefold() for w in _WORD.findall(src)])
    if runs >= 3 and runs > src_runs:
        flags.append(f"suspicious translation: repeats {unit!r} {runs} times")
    # Ukrainian and English run to similar lengths; short spans get slack.
    if len(out) > 2.5 * len(src) + 15:
        flags.append(
            f"suspicious translation: much longer than the source ({len(out)} vs {len(src)} chars)"
        )
    elif len(src) >= 30 and len(out) < 0.3 * len(src):
        flags.append(
            f"suspicious translation: much shorter than the source ({len(out)} vs {len(src)} chars)"
        )
    if out == src and regex.search(r"\p{Cyrillic}", src):
        flags.append("suspicious translation: output equals the source (left untranslated)")
    return flags
