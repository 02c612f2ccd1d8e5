"""Every row of the README's exit-code table, provoked through the command."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jobs.errors import ExitCode
from jobs.state import TEST_HOOK_ENV, RunLock
from tests.commands import mixdigest

ROOT = Path(__file__).resolve().parents[1]


def command(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None, module: str = "jobs"
) -> subprocess.CompletedProcess[str]:
    return mixdigest(*args, cwd=cwd, env={"HOME": str(cwd), **(env or {})}, module=module)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / "a.txt").write_text(
        "Грант для громади\n\nГромада отримала грант на ремонт школи. Роботи почнуться влітку.\n",
        encoding="utf-8",
    )
    return tmp_path


@pytest.fixture
def models(work: Path, tiny_package: Path) -> Path:
    folder = work / "models"
    done = command("models", "install", tiny_package, "--models-dir", folder, cwd=work)
    assert done.returncode == 0, done.stderr
    return folder


def run(
    work: Path, models: Path, *extra: str | Path, env: dict[str, str] | None = None
) -> list[str | Path]:
    return [
        "run",
        "--input",
        work / "input",
        "--output",
        work / "output",
        "--state-dir",
        work / "state",
        "--models-dir",
        models,
        "--no-progress",
        *extra,
    ]


def readme_codes() -> set[int]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("### Exit codes", 1)[1].split("\n\n", 2)[1]
    return {int(m) for m in re.findall(r"^\| (\d+) \|", table, re.MULTILINE)}


def test_the_readme_table_lists_exactly_the_codes_the_job_uses() -> None:
    assert readme_codes() == {int(code) for code in ExitCode}
    assert readme_codes() == TESTED


TESTED = {0, 1, 2, 3, 70, 75, 130}  # one or more tests below for each


def test_0_all_done_and_nothing_to_do(work: Path, models: Path) -> None:
    assert command(*run(work, models), cwd=work).returncode == 0
    assert command(*run(work, models), cwd=work).returncode == 0  # all skipped


def test_1_some_articles_failed(work: Path, models: Path) -> None:
    (work / "input" / "empty.txt").write_text("", encoding="utf-8")
    result = command(*run(work, models), cwd=work)
    assert result.returncode == 1
    assert "empty.txt: empty file" in result.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["run", "--inptu", "x"], "unrecognized arguments"),
        (["run", "--input", "no/such/folder"], "does not exist"),
        (["run", "--config", "bad.yaml"], "summary.sentences"),
        (["run", "--config", "missing.yaml"], "cannot read config"),
        (["models", "verify", "uk"], "exactly two codes"),
    ],
)
def test_2_usage_or_config_error(work: Path, args: list[str], says: str) -> None:
    (work / "bad.yaml").write_text("summary:\n  sentences: 0\n", encoding="utf-8")
    result = command(*args, cwd=work)
    assert result.returncode == 2, result.stderr
    assert says in result.stderr


def test_2_a_bad_cron_schedule(work: Path) -> None:
    result = command("--schedule", "every night", cwd=work, module="jobs.cron")
    assert result.returncode == 2
    assert "five cron fields" in result.stderr


def test_3_no_model(work: Path) -> None:
    result = command(*run(work, work / "no-models"), cwd=work)
    assert result.returncode == 3
    assert "mixdigest models download uk en" in result.stderr


def test_3_a_state_folder_that_cannot_be_created(work: Path, models: Path) -> None:
    (work / "afile").write_text("", encoding="utf-8")
    args = [str(a) for a in run(work, models)]
    args[args.index("--state-dir") + 1] = str(work / "afile" / "state")
    result = command(*args, cwd=work)
    assert result.returncode == 3
    assert "cannot create the run lock" in result.stderr and "--state-dir" in result.stderr


def test_3_a_damaged_run_state(work: Path, models: Path) -> None:
    (work / "state").mkdir()
    (work / "state" / "state.sqlite").write_bytes(b"not a database " * 100)
    result = command(*run(work, models), cwd=work)
    assert result.returncode == 3
    assert "move it aside" in result.stderr


def test_70_internal_error(work: Path, models: Path) -> None:
    code = (
        "import sys, jobs.pipeline, jobs.cli\n"
        "def broken(*a, **k): raise RuntimeError('a bug')\n"
        "jobs.pipeline.run = broken\n"
        f"sys.exit(jobs.cli.main({[str(a) for a in run(work, models)]!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=work,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 70
    assert "internal error: RuntimeError: a bug" in result.stderr


def test_75_another_run_holds_the_lock(work: Path, models: Path) -> None:
    with RunLock(work / "state"):
        result = command(*run(work, models), cwd=work)
    assert result.returncode == 75
    assert "holds the lock" in result.stderr


def test_130_interrupted(work: Path, models: Path) -> None:
    hold = work / "hold"
    hold.mkdir()
    environment = {k: v for k, v in os.environ.items() if k != "MIXDIGEST_CONFIG"}
    environment.update({"PYTHONPATH": str(ROOT), TEST_HOOK_ENV: f"read:1:{hold}"})
    process = subprocess.Popen(
        [sys.executable, "-m", "jobs", *map(str, run(work, models))],
        cwd=work,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not (hold / "read.reached").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130
    assert "interrupted" in stderr
