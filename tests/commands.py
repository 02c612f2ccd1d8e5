"""Command lines the tests and benchmarks share."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_args(work: Path, models: Path, *extra: str | Path) -> list[str]:
    """``mixdigest run`` arguments for a work folder holding input/, output/ and state/,
    without a progress bar (tests and benchmarks read stderr, not a terminal)."""
    return [
        "run",
        "--input",
        str(work / "input"),
        "--output",
        str(work / "output"),
        "--state-dir",
        str(work / "state"),
        "--models-dir",
        str(models),
        "--no-progress",
        *map(str, extra),
    ]


def mixdigest(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None, module: str = "jobs"
) -> subprocess.CompletedProcess[str]:
    """The real command (``python -m jobs``, or another module of the project) in ``cwd``,
    with HOME there too and no settings leaking in from the test run's environment."""
    environment = {
        k: v for k, v in os.environ.items() if k not in ("MIXDIGEST_TEST_HOOK", "MIXDIGEST_CONFIG")
    }
    environment.update({"PYTHONPATH": str(ROOT), "HOME": str(cwd / "home"), **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", module, *map(str, args)],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
