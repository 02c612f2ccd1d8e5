"""The wired stages, through jobs.pipeline.run, with the fake and the tiny real engine."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import pytest

from jobs import config as config_module
from jobs import pipeline
from jobs.config import Config
from jobs.errors import MissingPrerequisite
from jobs.models import ModelStore
from tests.fakes import FakeEngine

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
VOA = SHARED / "mixed" / "voa_huawei_cloud_on_ukrainian_site.txt"


def make_config(tmp_path: Path, models: Path | None = None) -> Config:
    base = config_module.load(ROOT / "config" / "job.yaml")
    return base.with_paths(
        input=tmp_path / "input",
        output=tmp_path / "output",
        state=tmp_path / "state",
        models=models or tmp_path / "models",
    )


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def outputs(config: Config) -> dict[str, dict[str, object]]:
    return {
        p.name: json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(config.paths.output.glob("*.json"))
        if p.name != "run.json"
    }


MIXED = (
    "Грант для громади\n\n"
    "Головна / Новини / Грант для громади\n\n"
    "Громада отримала грант на ремонт школи. Роботи почнуться влітку. "
    "Батьки зібрали підписи ще минулого року. Місцева рада додасть кошти з бюджету.\n\n"
    "місце для вашої реклами!\n"
)


def test_repeated_spans_reach_the_engine_once_per_run_and_never_again(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    write(config.paths.input, "a.txt", MIXED)
    write(config.paths.input, "b.txt", MIXED.replace("Грант", "Премія"))
    engine = FakeEngine()
    report = pipeline.run(config, engine_factory=lambda lang: engine if lang == "uk" else None)
    assert report.done == 2 and report.failed == 0
    seen = [text for call in engine.calls for text in call]
    assert len(seen) == len(set(seen))
    assert "місце для вашої реклами!" in seen or "Місце для вашої реклами!" in seen
    assert report.spans_translated == len(seen)

    engine.calls.clear()
    forced = pipeline.run(
        config, force=True, engine_factory=lambda lang: engine if lang == "uk" else None
    )
    assert forced.done == 2 and forced.spans_translated == 0 and engine.calls == []


def test_summary_settings_change_redoes_summaries_but_translates_nothing(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    write(config.paths.input, "a.txt", MIXED)
    engine = FakeEngine()
    pipeline.run(config, engine_factory=lambda lang: engine)
    engine.calls.clear()
    from dataclasses import replace

    fewer = replace(config, summary=replace(config.summary, sentences=1))
    report = pipeline.run(fewer, engine_factory=lambda lang: engine)
    assert report.done == 1 and report.skipped == 0 and engine.calls == []
    [data] = outputs(fewer).values()
    assert len(data["summary"]["sentences"]) == 1  # type: ignore[index]


def test_changing_one_input_redoes_only_that_article(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    write(config.paths.input, "a.txt", MIXED)
    write(config.paths.input, "b.txt", "An English note. It has two sentences.\n")
    engine = FakeEngine()
    pipeline.run(config, engine_factory=lambda lang: engine)
    write(config.paths.input, "b.txt", "An English note. It now has three. Really it does.\n")
    report = pipeline.run(config, engine_factory=lambda lang: engine)
    assert (report.done, report.skipped) == (1, 1)


def test_required_model_missing_stops_before_writing(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    write(config.paths.input, "a.txt", MIXED)
    with pytest.raises(MissingPrerequisite, match="models download uk en"):
        pipeline.run(config, engine_factory=lambda lang: None)
    assert not list(config.paths.output.glob("*.md"))


def test_run_opens_no_network_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, installed_models: ModelStore
) -> None:
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network is blocked in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: refuse(None, a))  # type: ignore[arg-type]
    config = make_config(tmp_path, installed_models.models_dir)
    write(config.paths.input, "a.txt", MIXED)
    report = pipeline.run(config)
    assert report.done == 1 and report.failed == 0 and report.spans_translated > 0
    assert attempts == []
    assert "torch" not in sys.modules and "argostranslate.translate" not in sys.modules


@pytest.mark.shared
@pytest.mark.skipif(not VOA.is_file(), reason=f"real example not found at {VOA}")
def test_real_voa_page_end_to_end(tmp_path: Path, installed_models: ModelStore) -> None:
    config = make_config(tmp_path, installed_models.models_dir)
    write(config.paths.input, VOA.name, VOA.read_text(encoding="utf-8"))
    report = pipeline.run(config)
    assert report.done == 1 and report.failed == 0
    [data] = outputs(config).values()
    blocks = data["blocks"]
    spans = [(b["kind"], s) for b in blocks for se in b["sentences"] for s in se["spans"]]

    business = [s for _, s in spans if s["text"].strip() == "Бізнес"]
    assert business and all(s["lang"] == "uk" and s["english"] for s in business)
    ad = [(kind, s) for kind, s in spans if "місце для вашої реклами" in s["text"]]
    assert ad and all(s["lang"] == "uk" and s["english"] for _, s in ad)

    set_aside = [b for b in blocks if b["kind"] == "boilerplate"]
    texts = [
        "".join(s["text"] for se in b["sentences"] for s in se["spans"]).strip() for b in set_aside
    ]
    assert "місце для вашої реклами!" in texts and "your ads here" in texts

    summary = [s["text"] for s in data["summary"]["sentences"]]
    assert len(summary) == 3
    for sentence in summary:
        assert "FILE –" not in sentence and "FILE" not in sentence
        assert "реклами" not in sentence and "your ads here" not in sentence
        assert "Home" not in sentence and "/" not in sentence


def test_report_breaks_the_run_down_by_stage(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    write(config.paths.input, "a.txt", MIXED)
    report = pipeline.run(config, engine_factory=lambda lang: FakeEngine())
    stages = set(report.stage_seconds)
    assert {"read", "segment", "detect", "translate", "summarise", "write"} <= stages
    assert sum(report.stage_seconds.values()) <= report.seconds


class RecordingProgress:
    """Every stage with its total and what was advanced, as a terminal bar would show."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, int, list[int]]] = []

    def stage(self, name: str, total: int, unit: str) -> None:
        self.stages.append((name, total, []))

    def advance(self, done: int = 1) -> None:
        self.stages[-1][2].append(done)

    def close(self) -> None:
        pass


def test_progress_counts_each_stage_to_its_total_and_moves_while_translating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jobs import translation

    config = make_config(tmp_path)
    records = [
        {"title": f"Запис {i}", "text": MIXED.replace("Грант", f"Грант {i}")} for i in range(3)
    ]
    write(config.paths.input, "feed.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")
    write(config.paths.input, "a.txt", MIXED)
    monkeypatch.setattr(translation, "CHUNK", 4)
    progress = RecordingProgress()
    report = pipeline.run(config, engine_factory=lambda lang: FakeEngine(), progress=progress)
    assert report.done == 4
    stages = {name: (total, steps) for name, total, steps in progress.stages}
    assert list(stages) == ["read", "translate", "write"]
    assert stages["read"] == (2, [1, 1])  # files
    assert stages["write"] == (4, [1, 1, 1, 1])  # articles: the JSONL file holds three
    total, steps = stages["translate"]
    assert sum(steps) == total == report.spans_translated
    assert len(steps) >= 3 and max(steps) <= 4  # it moves chunk by chunk
