"""Engines: what turns texts of one source language into English.

An ``Engine`` is nothing more than a ``key`` (equal keys give equal translations; the
translation memory is keyed by it) and ``translate(texts)``. ``EngineSpec`` is the
frozen, picklable description of an Argos engine (the installed model's identity and the
decoding settings) that any process, a worker on another machine included, turns into
an engine once with ``load()``.

Decoding is per text: the translate stage hands over whole source-language units, which
is what argostranslate's sentence splitter would hand its model anyway, so each text is
one model input and its translation is independent of its neighbours and cacheable.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from jobs.config import TranslationSettings
from jobs.errors import ModelError
from jobs.models import InstalledModel, argos_package

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


@dataclass(frozen=True)
class EngineSpec:
    """Everything a process needs to build an Argos engine: picklable, hashable, and
    the same ``key`` as the engine it loads."""

    model: InstalledModel
    settings: TranslationSettings
    models_dir: Path

    @property
    def key(self) -> str:
        return engine_key(self.model, self.settings)

    def load(self) -> ArgosEngine:
        """The engine of this spec, built once per process (a worker calls this for
        every chunk it gets; the model loads on the first translation)."""
        return _loaded(self)


@functools.lru_cache(maxsize=8)
def _loaded(spec: EngineSpec) -> ArgosEngine:
    return ArgosEngine(spec.model, spec.settings, spec.models_dir)


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
        # What an executor ships to another process instead of this loaded engine.
        self.spec = EngineSpec(model, settings, models_dir)
        self._key = self.spec.key

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
    """Everything that changes a translation: the package's identity (its content, not
    just its version number) and the decoding settings. Threads and batch size do not."""
    return (
        f"argos:{model.identity}"
        f";beam={settings.beam_size};ct={settings.compute_type}"
        f";ratio={settings.max_decoding_ratio:g};rep={settings.repetition_penalty:g}"
        f";norep={settings.no_repeat_ngram_size}"
    )
