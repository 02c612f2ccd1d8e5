"""Where engine calls run. An executor takes chunks (one engine, some texts) and yields
each chunk's outputs as it completes, in any order.

``LocalExecutor`` is the in-process loop. An executor that sends chunks to other
processes or machines fits the same seam: it ships ``engine.spec`` (an ``EngineSpec``)
where the engine has one, and each worker loads the model once. The coordinator keeps
the memories, so only translations travel.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from jobs.translation.engine import Engine


@dataclass(frozen=True, eq=False)
class Chunk:
    """Texts of one language for one engine call; outputs come back one per text."""

    lang: str
    engine: Engine
    texts: tuple[str, ...]


class Executor(Protocol):
    def map(self, chunks: Sequence[Chunk]) -> Iterator[tuple[Chunk, list[str]]]: ...


class LocalExecutor:
    """Runs every chunk in this process, one after the other."""

    def map(self, chunks: Sequence[Chunk]) -> Iterator[tuple[Chunk, list[str]]]:
        for chunk in chunks:
            yield chunk, chunk.engine.translate(chunk.texts)
