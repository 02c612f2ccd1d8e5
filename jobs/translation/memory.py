"""The translation memory: every translation ever made, by text, language and engine."""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping

from jobs.state import SqliteCache

MEMORY_FILE = "translation-memory.sqlite3"


class TranslationMemory(SqliteCache):
    """Persistent cache of translations keyed by (text, source language, engine key)."""

    FILE = MEMORY_FILE
    WHAT = "translation memory"
    TABLE = "memory"
    SCHEMA = (
        "CREATE TABLE IF NOT EXISTS memory (engine TEXT NOT NULL, lang TEXT NOT NULL,"
        " source TEXT NOT NULL, target TEXT NOT NULL, created REAL NOT NULL,"
        " PRIMARY KEY (engine, lang, source)) WITHOUT ROWID",
    )

    def lookup(self, lang: str, engine_key: str, texts: Collection[str]) -> dict[str, str]:
        """The stored translations of those ``texts`` that have one."""
        rows = self._select_in(
            "SELECT source, target FROM memory WHERE engine = ? AND lang = ?"
            " AND source IN ({marks})",
            (engine_key, lang),
            texts,
        )
        return dict(rows)

    def store(self, lang: str, engine_key: str, pairs: Mapping[str, str]) -> None:
        if not pairs:
            return
        now = time.time()
        self._insert(
            "INSERT OR REPLACE INTO memory (engine, lang, source, target, created)"
            " VALUES (?, ?, ?, ?, ?)",
            [(engine_key, lang, s, t, now) for s, t in pairs.items()],
        )
