"""argostranslate's own ``translate()``, runnable offline and without torch (benchmark only).

``argostranslate.translate`` imports ``argostranslate.sbd``, which imports stanza (and
through it torch) and minisbd at module level, only to split paragraphs into sentences.
This module puts inert stand-ins for those two imports into ``sys.modules`` and
replaces argostranslate's sentencizer classes with one that uses the project's
splitter (``jobs.segment.split_sentences``). Everything else — one
``translate_batch`` call per paragraph, 32-token batches, its decoding options, its
decoding and joining — is argostranslate's own code, unchanged.

Never import this from the job: it exists so that the benchmark can measure the
baseline in the job's torch-free environment.
"""

from __future__ import annotations

import sys
import tempfile
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobs.models import argos_package
from jobs.segment import split_sentences


def project_sentences(paragraph: str) -> list[str]:
    """The sentences the project's splitter finds in one paragraph, stripped."""
    return [s for a, b in split_sentences(paragraph) if (s := paragraph[a:b].strip())]


@dataclass
class Recorder:
    """What argostranslate asked the engine, per paragraph, in call order."""

    sentences: list[list[str]] = field(default_factory=list)
    results: list[Any] = field(default_factory=list)


class _RecordingTranslator:
    """Delegates to argostranslate's own ctranslate2.Translator and keeps the results,
    so its output can be compared sentence by sentence (it joins them per paragraph)."""

    def __init__(self, real: Any, recorder: Recorder) -> None:
        self._real = real
        self._recorder = recorder

    def translate_batch(self, *args: Any, **kwargs: Any) -> Any:
        results = self._real.translate_batch(*args, **kwargs)
        self._recorder.results.append(results)
        return results


def load(
    models_dir: Path, package_path: Path, beam_size: int, compute_type: str, threads: int
) -> Any:
    """Import ``argostranslate.translate`` with the stand-ins; returns the module.

    argostranslate will see the one package at ``package_path`` (it takes every folder
    of its packages folder for a package, and the job's models folder has others).
    """
    argos_package(models_dir)  # points argostranslate's folders at models_dir first
    for name in ("stanza", "minisbd", "minisbd.models"):
        sys.modules.setdefault(name, types.ModuleType(name))
    minisbd: Any = sys.modules["minisbd"]
    minisbd.SBDetect = None
    minisbd.models = sys.modules["minisbd.models"]

    import argostranslate.settings as settings
    import argostranslate.translate as translate

    # Same beam, compute type and threads as the job: argostranslate reads these module
    # settings when it builds its translator (its batch size, 32 tokens, stays).
    settings_any: Any = settings
    only = Path(tempfile.mkdtemp(prefix="argos-packages-"))
    (only / package_path.name).symlink_to(package_path, target_is_directory=True)
    settings_any.package_dirs = [only]
    settings_any.beam_size = beam_size
    settings_any.compute_type = compute_type
    settings_any.intra_threads = threads
    return translate


def install_recorder(translate: Any, from_code: str, to_code: str) -> Recorder:
    """Make argostranslate split with the project's splitter and record its engine calls.

    Call once after ``load``; then call ``translate.translate(text, from, to)`` as users do.
    """
    recorder = Recorder()

    class ProjectSentencizer:
        def __init__(self, pkg: Any) -> None:
            self.pkg = pkg

        def split_sentences(self, text: str) -> list[str]:
            sentences = project_sentences(text)
            recorder.sentences.append(sentences)
            return sentences

    translate.MiniSBDSentencizer = ProjectSentencizer
    translate.StanzaSentencizer = ProjectSentencizer
    translate.get_installed_languages.cache_clear()
    translation = translate.get_translation_from_codes(from_code, to_code)
    underlying = translation.underlying
    translation.translate("Привіт.")  # argostranslate builds its translator on first use
    underlying.translator = _RecordingTranslator(underlying.translator, recorder)
    recorder.sentences.clear()
    recorder.results.clear()
    return recorder


ARGOS_MAX_DECODING_LENGTH = 256  # CTranslate2's default; argostranslate does not set it


def sentence_outputs(recorder: Recorder, pkg: Any) -> list[tuple[str, str, bool]]:
    """(sentence, English, cut) for every sentence argostranslate translated, decoded
    one sentence at a time with argostranslate's own post-processing; ``cut`` when its
    output hit the 256-token default and so was cut short."""
    pairs: list[tuple[str, str, bool]] = []
    for sentences, results in zip(recorder.sentences, recorder.results, strict=True):
        for sentence, result in zip(sentences, results, strict=True):
            value: str = pkg.tokenizer.decode(result.hypotheses[0])
            if pkg.target_prefix != "" and value.startswith(pkg.target_prefix):
                value = value[len(pkg.target_prefix) :]
            if len(value) > 0 and value[0] == " ":
                value = value[1:]
            cut = len(result.hypotheses[0]) >= ARGOS_MAX_DECODING_LENGTH
            pairs.append((sentence, value, cut))
    return pairs
