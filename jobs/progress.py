"""A progress bar on a terminal, nothing under cron."""

from __future__ import annotations

from typing import Protocol, TextIO


class Progress(Protocol):
    def start(self, articles: int) -> None: ...
    def advance(self, articles: int = 0, spans: int = 0) -> None: ...
    def close(self) -> None: ...


class NoProgress:
    def start(self, articles: int) -> None:
        pass

    def advance(self, articles: int = 0, spans: int = 0) -> None:
        pass

    def close(self) -> None:
        pass


class _Bar:
    """Articles as the bar, spans translated as a running count beside it."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.spans = 0
        self.bar: object | None = None

    def start(self, articles: int) -> None:
        from tqdm import tqdm

        # Updates come once per article or per translated batch: few enough to draw each.
        self.bar = tqdm(
            total=articles,
            unit="article",
            file=self.stream,
            leave=False,
            dynamic_ncols=True,
            mininterval=0,
            miniters=1,
        )

    def advance(self, articles: int = 0, spans: int = 0) -> None:
        from tqdm import tqdm

        if not isinstance(self.bar, tqdm):
            return
        self.spans += spans
        if spans:
            self.bar.set_postfix_str(f"{self.spans} spans translated", refresh=False)
        self.bar.update(articles)

    def close(self) -> None:
        from tqdm import tqdm

        if isinstance(self.bar, tqdm):
            self.bar.close()
            self.bar = None


def progress_for(stream: TextIO, *, enabled: bool = True) -> Progress:
    if enabled and stream.isatty():
        return _Bar(stream)
    return NoProgress()
