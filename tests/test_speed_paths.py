"""The paths the speed work relies on: torch never imported by the real command, the
model loaded only when something is left to translate, and the decoding bound and the
review-file flags on a model that loops ("new new new …")."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jobs import config as config_module
from jobs import langid, pipeline
from jobs.config import TranslationSettings
from jobs.models import InstalledModel, ModelStore
from jobs.summarize import news as summarize
from jobs.translation import ArgosEngine, TranslationMemory, translate_all
from jobs.translation.engine import max_decoding_length
from tests.commands import run_args
from tests.fakes import FakeEngine
from tests.tiny_model import _pieces, build_spec, romanize, train_sentencepiece

ROOT = Path(__file__).resolve().parents[1]

ARTICLE = (
    "Грант для громади\n\n"
    "Громада отримала грант на ремонт школи. Роботи почнуться влітку. "
    "Батьки зібрали підписи ще минулого року.\n"
)

# Runs the real command in a fresh interpreter and reports what it imported.
PROBE = """
import json, sys
from jobs.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "torch": "torch" in sys.modules,
                  "argos_translate": "argostranslate.translate" in sys.modules,
                  "ctranslate2": "ctranslate2" in sys.modules}))
"""


def _one_article_job(tmp_path: Path) -> config_module.Config:
    """The default config with every folder in ``tmp_path`` and ARTICLE as its input."""
    base = config_module.load(ROOT / "config" / "job.yaml")
    config = base.with_paths(
        input=tmp_path / "input",
        output=tmp_path / "output",
        state=tmp_path / "state",
        models=tmp_path / "models",
    )
    config.paths.input.mkdir()
    (config.paths.input / "a.txt").write_text(ARTICLE, encoding="utf-8")
    return config


def test_the_run_command_never_imports_torch(tmp_path: Path, installed_models: ModelStore) -> None:
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *run_args(tmp_path, installed_models.models_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    line, probe = result.stdout.splitlines()[-2:]
    seen = json.loads(probe)
    assert seen["code"] == 0, result.stderr
    # The run really translated with CTranslate2, and still imported no torch.
    assert "1 done" in line and " 0 spans translated" not in line
    assert seen["ctranslate2"] is True
    assert seen["torch"] is False and seen["argos_translate"] is False


def test_a_run_answered_by_the_memory_never_loads_the_model(
    tmp_path: Path, tiny_model: InstalledModel
) -> None:
    texts = ["Ціни на хліб зросли.", "Бізнес"]
    with TranslationMemory(tmp_path) as memory:
        first = ArgosEngine(tiny_model, TranslationSettings())
        translate_all({"uk": texts}, {"uk": first}, memory)
        assert first._translator is not None
        second = ArgosEngine(tiny_model, TranslationSettings())
        outcome = translate_all({"uk": texts}, {"uk": second}, memory)
    assert outcome.from_memory == 2 and outcome.translated == 0
    assert second._translator is None
    assert outcome.translations[("uk", "Бізнес")] == romanize("Бізнес")


# -- a model that loops ---------------------------------------------------------------

LOOP_PIECE = "▁new"  # a whole word in the tiny vocabulary


def looping_model(tiny_model: InstalledModel, where: Path) -> InstalledModel:
    """The tiny package with a decoder that always says "new" and never stops."""
    from ctranslate2.converters import Converter

    vocabulary = _pieces(train_sentencepiece())
    assert LOOP_PIECE in vocabulary
    spec = build_spec(vocabulary, [romanize(p) for p in vocabulary])
    projection = spec.decoder.projection
    projection.weight = np.zeros_like(projection.weight)
    bias = np.zeros(len(vocabulary), dtype=np.float32)
    bias[vocabulary.index(LOOP_PIECE)] = 10.0
    projection.bias = bias

    class _SpecConverter(Converter):
        def _load(self) -> Any:
            return spec

    package = where / tiny_model.path.name
    shutil.copytree(tiny_model.path, package)
    shutil.rmtree(package / "model")
    _SpecConverter().convert(str(package / "model"), quantization="int8")
    return InstalledModel(
        tiny_model.from_code, tiny_model.to_code, "loop", package, tiny_model.name, "loop"
    )


@pytest.fixture(scope="module")
def loop_engine(
    tmp_path_factory: pytest.TempPathFactory, tiny_model: InstalledModel
) -> ArgosEngine:
    model = looping_model(tiny_model, tmp_path_factory.mktemp("loop"))
    return ArgosEngine(model, TranslationSettings(), tiny_model.path.parent.parent)


def test_a_looping_output_stops_at_its_own_sources_bound(loop_engine: ArgosEngine) -> None:
    short, long = "Бізнес", "Президент зустрівся з міністрами та обговорив бюджет на рік."
    outputs = loop_engine.translate([short, long])  # one batch: the long one sets its bound
    for source, output in zip([short, long], outputs, strict=True):
        words = output.split()
        assert set(words) == {"new"}
        n_source = len(loop_engine.tokenizer.encode(source))
        assert len(words) == max_decoding_length(n_source, loop_engine.settings)
    assert len(outputs[0].split()) < len(outputs[1].split())


def test_a_looping_output_is_flagged_in_the_review_file(
    tmp_path: Path, loop_engine: ArgosEngine
) -> None:
    config = _one_article_job(tmp_path)
    report = pipeline.run(config, engine_factory=lambda lang: loop_engine)
    assert report.done == 1
    [review] = [p for p in (tmp_path / "output").glob("*.md") if p.name != "index.md"]
    text = review.read_text(encoding="utf-8")
    assert "suspicious translation: repeats 'new'" in text
    assert "much longer than the source" in text
    assert "look suspicious" in text  # the article-level note


# -- a rerun over the same articles -----------------------------------------------------


def test_a_forced_rerun_detects_translates_summarises_and_rewrites_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _one_article_job(tmp_path)
    engine = FakeEngine()
    first = pipeline.run(config, engine_factory=lambda lang: engine if lang == "uk" else None)
    assert first.done == 1 and first.spans_translated > 0
    outputs = {p.name: p.stat().st_mtime_ns for p in config.paths.output.glob("a.txt*")}
    assert len(outputs) == 2

    def no_detection(*_: object) -> None:
        raise AssertionError("the detection memory should have answered")

    def no_summary(*_: object) -> None:
        raise AssertionError("the result memory should have answered")

    monkeypatch.setattr(langid.LanguageDetector, "detect", no_detection)
    monkeypatch.setattr(summarize, "summarize", no_summary)
    calls = len(engine.calls)
    again = pipeline.run(
        config, force=True, engine_factory=lambda lang: engine if lang == "uk" else None
    )
    assert again.done == 1 and again.skipped == 0 and again.spans_translated == 0
    assert len(engine.calls) == calls
    assert {p.name: p.stat().st_mtime_ns for p in config.paths.output.glob("a.txt*")} == outputs


def test_detection_memory_is_keyed_by_the_detector(tmp_path: Path) -> None:
    question = ("Бізнес", "Home / Бізнес / News")
    en_uk_ru = langid.LanguageDetector(("en", "uk", "ru"))
    with langid.DetectionMemory(tmp_path) as memory:
        memory.store(en_uk_ru.key, {question: ("uk", 0.9)})
    with langid.DetectionMemory(tmp_path) as memory:
        assert memory.lookup(en_uk_ru.key, [question]) == {question: ("uk", 0.9)}
        assert memory.lookup(en_uk_ru.key, [("Бізнес", "Бізнес")]) == {}
        assert memory.lookup(langid.LanguageDetector(("en", "uk")).key, [question]) == {}
        assert len(memory) == 1


def test_new_summary_settings_summarise_again_from_the_memories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _one_article_job(tmp_path)
    engine = FakeEngine()
    pipeline.run(config, engine_factory=lambda lang: engine)
    review = next(config.paths.output.glob("a.txt*.md"))
    assert review.read_text(encoding="utf-8").count("\n- ") >= 3  # three summary lines

    calls: list[object] = []
    real = summarize.summarize

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(summarize, "summarize", counted)
    one_sentence = replace(config, summary=replace(config.summary, sentences=1))
    report = pipeline.run(one_sentence, engine_factory=lambda lang: engine)
    assert report.done == 1 and report.spans_translated == 0 and len(calls) == 1
    # Back to the first settings: that summary is remembered.
    pipeline.run(config, engine_factory=lambda lang: engine)
    assert len(calls) == 1


def test_a_remembered_source_language_summary_comes_back_on_a_forced_rerun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = _one_article_job(tmp_path)
    config = replace(plain, summary=replace(plain.summary, also_in_source_language=True))
    engine = FakeEngine()
    pipeline.run(config, engine_factory=lambda lang: engine)
    review = next(config.paths.output.glob("a.txt*.md"))
    before = review.read_text(encoding="utf-8")
    assert "## Summary in Ukrainian" in before

    def no_summary(*_: object, **__: object) -> None:
        raise AssertionError("the result memory should have answered")

    monkeypatch.setattr(summarize, "summarize", no_summary)
    monkeypatch.setattr(summarize, "summarize_source_language", no_summary)
    again = pipeline.run(config, force=True, engine_factory=lambda lang: engine)
    assert again.done == 1
    assert review.read_text(encoding="utf-8") == before
