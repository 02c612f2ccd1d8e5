"""The real command in a temporary folder: exit codes, files and messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def mixdigest(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(cwd / "home"), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "jobs", *map(str, args)],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "home").mkdir()
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / "story.txt").write_text(
        "Tariffs hit exporters\n\n"
        "Home / Бізнес / Tariffs hit exporters\n\n"
        "місце для вашої реклами!\n\n"
        "New tariffs took effect on Monday. Exporters say margins will shrink. "
        "The ministry promised support for small firms. Analysts expect prices to rise.\n",
        encoding="utf-8",
    )
    return tmp_path


def run_args(workdir: Path, models: Path) -> list[str | Path]:
    return [
        "run",
        "--input",
        workdir / "input",
        "--output",
        workdir / "output",
        "--state-dir",
        workdir / "state",
        "--models-dir",
        models,
    ]


def test_run_without_a_model_exits_3_with_both_fixing_commands(workdir: Path) -> None:
    result = mixdigest(*run_args(workdir, workdir / "models"), cwd=workdir)
    assert result.returncode == 3, result.stderr
    assert "mixdigest models download uk en" in result.stderr
    assert "mixdigest models install FILE.argosmodel" in result.stderr
    assert not (workdir / "output").exists() or not any((workdir / "output").glob("*.md"))
    assert "Traceback" not in result.stderr


def test_install_then_run_writes_review_files_and_one_summary_line(
    workdir: Path, tiny_package: Path
) -> None:
    models = workdir / "models"
    installed = mixdigest("models", "install", tiny_package, "--models-dir", models, cwd=workdir)
    assert installed.returncode == 0, installed.stderr
    listed = mixdigest("models", "list", "--models-dir", models, cwd=workdir)
    assert "uk→en" in listed.stdout

    result = mixdigest(*run_args(workdir, models), cwd=workdir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mixdigest: 1 done, 0 skipped, 0 failed")
    assert result.stderr == ""  # quiet on success

    out = workdir / "output"
    [review] = out.glob("story*.md")
    data = json.loads(review.with_suffix(".json").read_text(encoding="utf-8"))
    spans = [s for b in data["blocks"] for se in b["sentences"] for s in se["spans"]]
    crumb = next(s for s in spans if s["text"].strip() == "Бізнес")
    assert crumb["lang"] == "uk" and crumb["english"] == "Biznes"  # the tiny model romanises
    summary = [s["text"] for s in data["summary"]["sentences"]]
    assert summary and all("реклами" not in s and "Home" not in s for s in summary)
    assert "[story" in (out / "index.md").read_text(encoding="utf-8")
    assert not any((workdir / "home").iterdir())  # nothing written into the user's home

    again = mixdigest(*run_args(workdir, models), cwd=workdir)
    assert again.returncode == 0
    assert again.stdout.startswith("mixdigest: 0 done, 1 skipped, 0 failed, 0 spans translated")


def test_a_bad_file_is_named_and_the_rest_is_written(workdir: Path, tiny_package: Path) -> None:
    models = workdir / "models"
    mixdigest("models", "install", tiny_package, "--models-dir", models, cwd=workdir)
    (workdir / "input" / "empty.txt").write_text("  \n", encoding="utf-8")
    result = mixdigest(*run_args(workdir, models), cwd=workdir)
    assert result.returncode == 1
    assert "empty.txt" in result.stderr and "Traceback" not in result.stderr
    assert "1 done, 0 skipped, 1 failed" in result.stdout
    assert list((workdir / "output").glob("story*.md"))


def test_a_language_without_a_model_is_flagged_and_fails_the_article(
    workdir: Path, tiny_package: Path
) -> None:
    models = workdir / "models"
    mixdigest("models", "install", tiny_package, "--models-dir", models, cwd=workdir)
    (workdir / "input" / "ru.txt").write_text(
        "Правительство объявило новые меры поддержки экспортёров. "
        "Эксперты считают, что этого недостаточно.\n",
        encoding="utf-8",
    )
    result = mixdigest(*run_args(workdir, models), cwd=workdir)
    assert result.returncode == 1
    assert "ru.txt" in result.stderr and "no ru→en model" in result.stderr
    [review] = (workdir / "output").glob("ru*.md")
    text = review.read_text(encoding="utf-8")
    assert "Status: failed" in text and "mixdigest models download ru en" in text


def test_bad_config_reports_every_problem_and_exits_2(workdir: Path) -> None:
    config = workdir / "job.yaml"
    config.write_text("summary:\n  sentences: zero\ncolour: blue\n", encoding="utf-8")
    result = mixdigest("run", "--config", config, cwd=workdir)
    assert result.returncode == 2
    assert "summary.sentences" in result.stderr and "colour" in result.stderr


def test_models_verify_pair_exits_3_when_missing(workdir: Path) -> None:
    result = mixdigest("models", "verify", "uk", "en", "--models-dir", workdir / "m", cwd=workdir)
    assert result.returncode == 3
    assert "mixdigest models download uk en" in result.stderr


def test_help_lists_commands_and_exit_codes(workdir: Path) -> None:
    result = mixdigest("--help", cwd=workdir)
    assert result.returncode == 0
    assert "run" in result.stdout and "models" in result.stdout and "75" in result.stdout
