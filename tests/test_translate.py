"""The translate stage on the real engine path (tiny model) and with the fake engine."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import replace
from pathlib import Path

import ctranslate2
import pytest

from jobs.config import TranslationSettings
from jobs.models import InstalledModel, argos_package
from jobs.translation import (
    ArgosEngine,
    Engine,
    TranslationMemory,
    flag_suspicious,
    translate_all,
)
from jobs.translation.engine import max_decoding_length, padded_batches
from tests.fakes import FakeEngine
from tests.tiny_model import romanize

SENTENCES = [
    "Уряд України ухвалив нові правила для енергетичних компаній.",
    "Бізнес",
    "Ціни на хліб зросли.",
    "Президент зустрівся з міністрами та обговорив бюджет на наступний рік.",
    "Читайте також",
    "Щастя, їжак і ґрунт.",
]


@pytest.fixture(scope="module")
def engine(tiny_model: InstalledModel) -> ArgosEngine:
    return ArgosEngine(tiny_model, TranslationSettings())


def argos_reference(model: InstalledModel, sentence: str, beam_size: int) -> str:
    """argostranslate's apply_packaged_translation decode path for one sentence, as in
    argostranslate 1.11 (num_hypotheses=1, the settings' defaults otherwise)."""
    pkg = argos_package(model.path.parent.parent).Package(model.path)
    translator = ctranslate2.Translator(str(model.path / "model"), device="cpu")
    tokenized = [pkg.tokenizer.encode(sentence)]
    target_prefix = [[pkg.target_prefix]] if pkg.target_prefix != "" else None
    batches = translator.translate_batch(
        tokenized,
        target_prefix=target_prefix,
        replace_unknowns=True,
        max_batch_size=32,
        batch_type="tokens",
        beam_size=max(1, beam_size),
        num_hypotheses=1,
        length_penalty=0.2,
        return_scores=True,
    )
    tokens: list[str] = []
    for batch in batches:
        tokens.extend(batch.hypotheses[0])
    value: str = pkg.tokenizer.decode(tokens)
    if pkg.target_prefix != "" and value.startswith(pkg.target_prefix):
        value = value[len(pkg.target_prefix) :]
    if len(value) > 0 and value[0] == " ":
        value = value[1:]
    return value


def test_engine_satisfies_the_protocol(engine: ArgosEngine) -> None:
    assert isinstance(engine, Engine)
    assert isinstance(FakeEngine(), Engine)


def test_tiny_model_output_is_non_empty_and_follows_the_input(engine: ArgosEngine) -> None:
    outputs = engine.translate(SENTENCES)
    assert all(outputs)
    # The tiny model romanises: the output is a function of the input, token by token.
    assert outputs == [romanize(s) for s in SENTENCES]


def test_outputs_are_deterministic(tiny_model: InstalledModel, engine: ArgosEngine) -> None:
    other = ArgosEngine(tiny_model, TranslationSettings(threads=1))
    assert engine.translate(SENTENCES) == other.translate(SENTENCES)
    assert engine.translate(SENTENCES) == engine.translate(SENTENCES)


def test_batch_equals_one_by_one(tiny_model: InstalledModel) -> None:
    small_batches = ArgosEngine(tiny_model, TranslationSettings(max_batch_tokens=16))
    together = small_batches.translate(SENTENCES)
    alone = [small_batches.translate([s])[0] for s in SENTENCES]
    assert together == alone


@pytest.mark.parametrize("beam", [1, 4])
def test_equals_argostranslate_decode_path(tiny_model: InstalledModel, beam: int) -> None:
    engine = ArgosEngine(tiny_model, TranslationSettings(beam_size=beam, compute_type="default"))
    expected = [argos_reference(tiny_model, s, beam) for s in SENTENCES]
    assert engine.translate(SENTENCES) == expected


def test_empty_and_blank_texts_are_not_sent_to_the_model(tiny_model: InstalledModel) -> None:
    engine = ArgosEngine(tiny_model, TranslationSettings())
    sent: list[list[list[str]]] = []
    real = engine.translator

    class Spy:
        def translate_batch(self, batch: list[list[str]], **options: object) -> object:
            sent.append(batch)
            return real.translate_batch(batch, **options)

    engine._translator = Spy()
    assert engine.translate(["", "  ", "Бізнес"]) == ["", "", romanize("Бізнес")]
    assert sent == [[engine.tokenizer.encode("Бізнес")]]


def test_decoding_length_is_bounded_by_the_source() -> None:
    settings = TranslationSettings(max_decoding_ratio=2.0)
    assert max_decoding_length(10, settings) == 30
    assert max_decoding_length(40, settings) > max_decoding_length(10, settings)


def test_padded_batches_cut_like_ctranslate2_longest_first() -> None:
    lengths = [3, 0, 10, 4, 10, 2, 30, 1]
    batches = padded_batches([["x"] * n for n in lengths], max_tokens=24)
    assert [[lengths[i] for i in b] for b in batches] == [[30], [10, 10], [4, 3, 2, 1]]
    assert batches[1] == [2, 4]  # equal lengths keep their input order
    for batch in batches:
        size = lengths[batch[0]] * len(batch)
        assert size <= 24 or len(batch) == 1
    assert sorted(i for b in batches for i in b) == [i for i, n in enumerate(lengths) if n]


def test_outputs_come_back_in_input_order_across_batches(engine: ArgosEngine) -> None:
    texts = [" ".join(["Бізнес"] * n) for n in (12, 1, 5, 30, 2)]
    assert engine.translate(texts) == [romanize(t) for t in texts]


def test_engine_key_changes_with_decoding_settings(tiny_model: InstalledModel) -> None:
    base = TranslationSettings()
    keys = {
        ArgosEngine(tiny_model, s).key
        for s in (
            base,
            replace(base, beam_size=1),
            replace(base, repetition_penalty=1.2),
            replace(base, no_repeat_ngram_size=3),
            replace(base, max_decoding_ratio=2.0),
        )
    }
    assert len(keys) == 5
    # Threads and batch size change speed, not output: same key, same memory entries.
    assert ArgosEngine(tiny_model, replace(base, threads=1, max_batch_tokens=64)).key in keys


def test_engine_key_names_the_package(tiny_model: InstalledModel) -> None:
    key = ArgosEngine(tiny_model, TranslationSettings()).key
    assert tiny_model.name in key
    assert tiny_model.version in key
    assert tiny_model.fingerprint in key


def test_memory_hit_avoids_engine_calls(tmp_path: Path) -> None:
    engine = FakeEngine()
    with TranslationMemory(tmp_path) as memory:
        first = translate_all({"uk": ["Бізнес", "Новини"]}, {"uk": engine}, memory)
        second = translate_all({"uk": ["Новини", "Бізнес", "Спорт"]}, {"uk": engine}, memory)

    assert (first.translated, first.from_memory) == (2, 0)
    assert (second.translated, second.from_memory) == (1, 2)
    assert engine.calls[-1] == ["Спорт"]
    assert second.translations[("uk", "Бізнес")] == "EN(Бізнес)"


def test_memory_persists_across_reopen(tmp_path: Path) -> None:
    with TranslationMemory(tmp_path) as memory:
        memory.store("uk", "k1", {"Бізнес": "Business"})
    with TranslationMemory(tmp_path) as memory:
        assert memory.lookup("uk", "k1", ["Бізнес", "Спорт"]) == {"Бізнес": "Business"}
        assert memory.lookup("uk", "k2", ["Бізнес"]) == {}  # another engine key
        assert memory.lookup("ru", "k1", ["Бізнес"]) == {}  # another language


def test_memory_uses_wal_and_survives_a_damaged_file(tmp_path: Path) -> None:
    with TranslationMemory(tmp_path) as memory:
        mode = memory._db.execute("PRAGMA journal_mode").fetchone()[0]
        path = memory.path
    assert mode == "wal"
    path.write_bytes(b"this is not a database" * 100)
    with TranslationMemory(tmp_path) as memory:
        memory.store("uk", "k", {"a": "b"})
        assert memory.lookup("uk", "k", ["a"]) == {"a": "b"}
    assert list(tmp_path.glob("*.damaged-*"))


def test_memory_rolls_back_an_interrupted_store(tmp_path: Path) -> None:
    with TranslationMemory(tmp_path) as memory:
        memory.store("uk", "k", {"kept": "KEPT"})
        with pytest.raises(sqlite3.IntegrityError):
            memory.store("uk", "k", {"new": "NEW", "broken": None})  # type: ignore[dict-item]
        assert memory.lookup("uk", "k", ["kept", "new"]) == {"kept": "KEPT"}


def test_memory_is_keyed_by_engine_key(tmp_path: Path) -> None:
    old, new = FakeEngine(key="fake:1"), FakeEngine(key="fake:2", template="NEW({})")
    with TranslationMemory(tmp_path) as memory:
        translate_all({"uk": ["Бізнес"]}, {"uk": old}, memory)
        outcome = translate_all({"uk": ["Бізнес"]}, {"uk": new}, memory)
    assert outcome.translations[("uk", "Бізнес")] == "NEW(Бізнес)"
    assert new.texts_seen == 1


def test_translate_all_counts_missing_languages_and_shares_whitespace(tmp_path: Path) -> None:
    engine = FakeEngine()
    outcome = translate_all(
        {"uk": ["Бізнес", " Бізнес ", "  "], "ru": ["Бизнес"]}, {"uk": engine}, None
    )
    assert outcome.missing == ("ru",)
    assert engine.calls == [["Бізнес"]]
    assert outcome.translations[("uk", " Бізнес ")] == "EN(Бізнес)"
    assert outcome.translations[("uk", "  ")] == ""
    assert ("ru", "Бизнес") not in outcome.translations


def test_translate_all_with_the_real_engine(engine: ArgosEngine, tmp_path: Path) -> None:
    with TranslationMemory(tmp_path) as memory:
        outcome = translate_all({"uk": SENTENCES}, {"uk": engine}, memory)
        assert memory.lookup("uk", engine.key, SENTENCES) == {s: romanize(s) for s in SENTENCES}
    assert outcome.translated == len(SENTENCES)
    assert outcome.flags == {}


def test_translate_all_reports_suspicious_outputs() -> None:
    salad = FakeEngine(template="salad salad salad salad {}")
    outcome = translate_all({"uk": ["Бізнес"]}, {"uk": salad}, None)
    assert any("repeats" in f for f in outcome.flags[("uk", "Бізнес")])


@pytest.mark.parametrize(
    ("source", "output", "expected"),
    [
        ("Ціни на хліб зросли.", "Bread prices rose.", []),
        ("Так, так, так!", "Yes, yes, yes!", []),  # repeated in the source too
        ("Салат", "salad salad salad salad", ["repeats"]),
        ("Він сказав", "he said it is it is it is it is", ["repeats"]),
        ("Так", "Yes, and then the minister said that the budget will grow next year", ["long"]),
        ("Президент зустрівся з міністрами та обговорив бюджет.", "President.", ["short"]),
        ("Бізнес", "", ["empty"]),
        ("Бізнес новини", "Бізнес новини", ["untranslated"]),
    ],
)
def test_flag_suspicious(source: str, output: str, expected: list[str]) -> None:
    flags = flag_suspicious(source, output)
    words = {
        "repeats": "repeats",
        "long": "much longer",
        "short": "much shorter",
        "empty": "empty output",
        "untranslated": "equals the source",
    }
    assert len(flags) == len(expected), flags
    for kind, flag in zip(expected, flags, strict=True):
        assert words[kind] in flag


def test_an_engine_spec_travels_by_pickle_and_loads_once_per_process(
    tiny_model: InstalledModel, tmp_path: Path
) -> None:
    import pickle
    import subprocess
    import sys

    engine = ArgosEngine(tiny_model, TranslationSettings())
    spec = pickle.loads(pickle.dumps(engine.spec))
    assert spec == engine.spec and spec.key == engine.key
    assert spec.load() is spec.load()  # built once in this process
    assert spec.load().translate(SENTENCES) == engine.translate(SENTENCES)
    # Another process, as a worker would be, gets the same translations from the spec.
    shipped = tmp_path / "spec.pickle"
    shipped.write_bytes(pickle.dumps(engine.spec))
    code = (
        "import pickle, sys, json\n"
        "spec = pickle.loads(open(sys.argv[1], 'rb').read())\n"
        "print(json.dumps(spec.load().translate(json.loads(sys.argv[2]))))\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", code, str(shipped), json.dumps(SENTENCES)],
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert json.loads(done.stdout) == engine.translate(SENTENCES)
