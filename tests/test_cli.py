"""The real command in a temporary folder: exit codes, files and messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.commands import mixdigest

ROOT = Path(__file__).resolve().parents[1]


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
    assert again.stdout.startswith(
        "mixdigest: 0 done, 1 skipped, 0 failed, 0 ignored, 0 spans translated"
    )


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


# -- defects a user met (issue 12) ------------------------------------------------------

SHARED = ROOT.parent / "shared" / "data"
VOA = SHARED / "mixed" / "voa_huawei_cloud_on_ukrainian_site.txt"


def installed(workdir: Path, package: Path) -> Path:
    models = workdir / "models"
    done = mixdigest("models", "install", package, "--models-dir", models, cwd=workdir)
    assert done.returncode == 0, done.stderr
    return models


def set_aside(review: Path) -> list[str]:
    text = review.read_text(encoding="utf-8")
    return [line for line in text.split("## Set aside")[1].splitlines() if line.startswith("- ")]


def test_a_config_with_only_summary_settings_keeps_every_builtin_rule(
    workdir: Path, tiny_package: Path
) -> None:
    models = installed(workdir, tiny_package)
    mine = workdir / "mine.yaml"
    mine.write_text("summary: {sentences: 2}\n", encoding="utf-8")
    result = mixdigest(*run_args(workdir, models), "--config", mine, cwd=workdir)
    assert result.returncode == 0, result.stderr
    [review] = (workdir / "output").glob("story*.md")
    rules = " ".join(set_aside(review))
    assert "boilerplate (breadcrumb)" in rules and "boilerplate (ad placeholder)" in rules
    summary = review.read_text(encoding="utf-8").split("## Summary")[1].split("##")[0]
    assert summary.count("\n- ") == 2


@pytest.mark.shared
@pytest.mark.skipif(not VOA.is_file(), reason=f"real example not found at {VOA}")
def test_the_voa_page_with_a_one_key_config_sets_aside_crumb_ads_and_captions(
    workdir: Path, tiny_package: Path
) -> None:
    models = installed(workdir, tiny_package)
    (workdir / "input" / "story.txt").unlink()
    (workdir / "input" / VOA.name).write_text(VOA.read_text(encoding="utf-8"), encoding="utf-8")
    mine = workdir / "mine.yaml"
    mine.write_text("summary: {sentences: 2}\n", encoding="utf-8")
    result = mixdigest(*run_args(workdir, models), "--config", mine, cwd=workdir)
    assert result.returncode == 0, result.stderr
    [review] = (workdir / "output").glob("voa*.md")
    items = set_aside(review)
    assert sum("(breadcrumb)" in item for item in items) == 1
    assert sum("(ad placeholder)" in item for item in items) == 2
    assert sum("caption (file photo)" in item for item in items) == 2


def test_config_show_prints_the_settings_and_where_each_came_from(workdir: Path) -> None:
    mine = workdir / "mine.yaml"
    mine.write_text("summary:\n  sentences: 2\n", encoding="utf-8")
    result = mixdigest("config", "show", "--config", mine, "--input", "elsewhere", cwd=workdir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("# config") and "given with --config" in line for line in lines)
    assert next(line for line in lines if "sentences:" in line).endswith(f"# {mine}:2")
    assert next(line for line in lines if "beam_size:" in line).endswith("# default")
    input_line = next(line for line in lines if line.strip().startswith("input:"))
    assert str(workdir / "elsewhere") in input_line and input_line.endswith("# command line")


def test_commands_run_from_another_folder_say_which_config_they_use(workdir: Path) -> None:
    listed = mixdigest("models", "list", cwd=workdir)
    assert listed.returncode == 0, listed.stderr
    # No config/job.yaml here or above: the project's own, beside the code, is used.
    project_config = ROOT / "config" / "job.yaml"
    assert f"models folder: {ROOT / 'models'}" in listed.stdout
    assert f"paths.models from {project_config}:" in listed.stdout
    verbose = mixdigest("models", "list", "-v", cwd=workdir)
    assert f"config {project_config} (" in verbose.stderr
    assert "beside the installed code" in verbose.stderr

    own = workdir / "config" / "job.yaml"
    own.parent.mkdir()
    own.write_text("paths:\n  models: ../my-models\n", encoding="utf-8")
    here = mixdigest("models", "list", cwd=workdir)
    assert f"models folder: {workdir / 'my-models'} (paths.models from {own}:2)" in here.stdout


def test_an_unknown_option_gets_the_usage_of_its_own_command(workdir: Path) -> None:
    result = mixdigest("run", "--inptu", "x", cwd=workdir)
    assert result.returncode == 2
    assert "usage: mixdigest run " in result.stderr
    assert "unrecognized arguments: --inptu x" in result.stderr
    nested = mixdigest("models", "list", "--bogus", cwd=workdir)
    assert nested.returncode == 2 and "usage: mixdigest models list " in nested.stderr


def test_verbose_adds_stage_times_and_a_line_per_article_not_a_second_summary(
    workdir: Path, tiny_package: Path
) -> None:
    models = installed(workdir, tiny_package)
    result = mixdigest(*run_args(workdir, models), "-v", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1
    assert "mixdigest: mixdigest:" not in result.stderr
    assert " done, " not in result.stderr  # the summary line is on stdout only
    assert "time by stage: read " in result.stderr and "translate " in result.stderr
    assert "story.txt: ok → story.txt." in result.stderr


def test_input_may_be_a_single_article_file(workdir: Path, tiny_package: Path) -> None:
    models = installed(workdir, tiny_package)
    (workdir / "input" / "sub").mkdir()
    (workdir / "input" / "sub" / "other.txt").write_text("Another story here.\n", "utf-8")
    config = workdir / "job.yaml"
    config.write_text("paths:\n  input: input\n", encoding="utf-8")
    args = [a for a in run_args(workdir, models) if a not in ("--input", workdir / "input")]
    one = mixdigest(*args, "--config", config, "--input", "input/sub/other.txt", cwd=workdir)
    assert one.returncode == 0, one.stderr
    assert one.stdout.startswith("mixdigest: 1 done, 0 skipped")
    # Inside the configured folder, the file keeps the key a folder run gives it ...
    assert [p.name[:13] for p in (workdir / "output").glob("*.md") if p.name != "index.md"] == [
        "sub__other.tx"
    ]
    # ... and the folder's other articles are neither done nor forgotten.
    folder = mixdigest(*args, "--config", config, cwd=workdir)
    assert folder.stdout.startswith("mixdigest: 1 done, 1 skipped"), folder.stdout
    missing = mixdigest(*args, "--input", "input/nope.txt", cwd=workdir)
    assert missing.returncode == 2 and "nope.txt does not exist" in missing.stderr


def test_ignored_files_and_an_empty_input_are_counted_and_named(
    workdir: Path, tiny_package: Path
) -> None:
    models = installed(workdir, tiny_package)
    (workdir / "input" / "story.txt").unlink()
    empty = mixdigest(*run_args(workdir, models), cwd=workdir)
    assert empty.returncode == 0
    assert "holds no article files" in empty.stderr
    (workdir / "input" / "b.docx").write_bytes(b"PK\x03\x04 not read")
    docx = mixdigest(*run_args(workdir, models), cwd=workdir)
    assert docx.stdout.startswith("mixdigest: 0 done, 0 skipped, 0 failed, 1 ignored")
    assert "b.docx" in docx.stderr and "input.extensions" in docx.stderr


def test_a_model_repacked_under_the_same_version_redoes_the_articles(
    workdir: Path, tiny_package: Path
) -> None:
    from tests.tiny_model import build_tiny_package

    models = installed(workdir, tiny_package)
    first = mixdigest(*run_args(workdir, models), cwd=workdir)
    assert first.stdout.startswith("mixdigest: 1 done"), first.stderr
    repacked = build_tiny_package(workdir / "repacked.argosmodel", seed=7)  # version 1.0 too
    installed(workdir, repacked)
    again = mixdigest(*run_args(workdir, models), cwd=workdir)
    assert again.stdout.startswith("mixdigest: 1 done, 0 skipped"), again.stdout
