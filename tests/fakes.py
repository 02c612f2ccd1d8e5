"""Test doubles behind the same interfaces as the real ones."""

from __future__ import annotations

from collections.abc import Sequence


class FakeEngine:
    """A deterministic engine: "EN(" + text + ")"; records every call.

    ``calls`` holds the list of texts of each ``translate`` call, so tests can check
    what reached the engine (e.g. nothing, when the memory had it all).
    """

    def __init__(self, key: str = "fake:1", template: str = "EN({})") -> None:
        self._key = key
        self.template = template
        self.calls: list[list[str]] = []

    @property
    def key(self) -> str:
        return self._key

    @property
    def texts_seen(self) -> int:
        return sum(len(call) for call in self.calls)

    def translate(self, texts: Sequence[str]) -> list[str]:
        self.calls.append(list(texts))
        return [self.template.format(text) for text in texts]
