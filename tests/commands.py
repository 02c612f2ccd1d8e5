"""Command lines the tests and benchmarks share."""

from __future__ import annotations

from pathlib import Path


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
