"""A progress bar on a terminal, nothing under cron.

A run reports its stages in turn (reading files, translating texts, writing articles),
each with its own total, so the bar moves during whichever stage takes the time and
never counts past its total (a JSONL file holds many articles).
"""

from __future__ import annotations

from typing import Any, Protocol, TextIO


class Progress(Protocol):
    def stage(self, name: str, total: int, unit: str) -> None:
        """Start counting ``total`` units of a new stage (ends the previous one)."""

    def advance(self, done: int = 1) -> None: ...

    def close(self) -> None: ...


class NoProgress:
    def stage(self, name: str, total: int, unit: str) -> None:
        pass

    def advance(self, done: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


class _Bar:
    """One tqdm bar per stage, replaced when the next stage starts."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.bar: Any = None

    def stage(self, name: str, total: int, unit: str) -> None:
        from tqdm import tqdm

        self.close()
        # Updates come once per file, text chunk or article: few enough to draw each.
        self.bar = tqdm(
            total=total,
            desc=name,
            unit=unit,
            file=self.stream,
            leave=False,
            dynamic_ncols=True,
            mininterval=0,
            miniters=1,
        )

    def advance(self, done: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def progress_for(stream: TextIO, *, enabled: bool = True) -> Progress:
    if enabled and stream.isatty():
        return _Bar(stream)
    return NoProgress()
