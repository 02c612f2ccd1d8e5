"""Everything that persists between runs: the run lock, atomic writes, the run state.

A run killed at any moment must leave no half-written file and a state the next run
can finish from. Outputs are written to a temporary file beside the target, flushed
to disk and renamed over it; the state store is SQLite in WAL mode and records an
article only after its outputs are in place.

Test hook (inert in production)
    ``checkpoint(stage)`` marks a named moment of a run: "discovered", "read" (after
    each source), "translate" (before the engines run), "translated" (after each
    engine batch is stored), "write" (after each article's files, before its state is
    recorded), "replace" (inside ``atomic_write``, temporary file complete but not yet
    renamed) and "install" (``models install``: package unpacked, not yet live). It
    does nothing unless the environment holds ``MIXDIGEST_TEST_HOOK=STAGE:N:DIR``,
    which only tests set: then the Nth time the process reaches STAGE it creates
    ``DIR/STAGE.reached`` and waits until ``DIR/STAGE.go`` exists (at most ten
    minutes). The crash tests kill the run while it waits, which hits each phase
    deterministically instead of by timing.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import importlib.metadata
import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Self

from jobs.errors import LockHeld, OutputError, StateError

log = logging.getLogger(__name__)

TEMP_MARK = ".mixdigest-tmp-"
TEST_HOOK_ENV = "MIXDIGEST_TEST_HOOK"

_checkpoint_hits: dict[str, int] = {}


def checkpoint(stage: str) -> None:
    """A moment where tests may hold the run (see the module docstring); else a no-op."""
    spec = os.environ.get(TEST_HOOK_ENV)
    if spec:
        _hold_if_asked(stage, spec)


def _hold_if_asked(stage: str, spec: str) -> None:
    wanted, _, rest = spec.partition(":")
    count, _, folder = rest.partition(":")
    if wanted != stage or not count.isdigit() or not folder:
        return
    _checkpoint_hits[stage] = hits = _checkpoint_hits.get(stage, 0) + 1
    if hits != int(count):
        return
    Path(folder, f"{stage}.reached").write_text(f"{os.getpid()}\n")
    go = Path(folder, f"{stage}.go")
    deadline = time.monotonic() + 600
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.01)


def open_lock(path: Path) -> int:
    """A file descriptor for ``path``, created if needed, to take an flock on."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[int]:
    """Hold an exclusive flock on ``path``, waiting for it; yields the descriptor.

    flock is released by the kernel when its holder dies, so a lock file left by a
    killed process is simply taken over.
    """
    fd = open_lock(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # closing the descriptor releases the lock


class RunLock:
    """An exclusive, non-blocking lock on ``<state>/run.lock``.

    The PID and start time written into the lock file are only there to tell the user
    who holds a live lock. filelock was considered: it has no way to read who holds a
    lock, and importing it (4.3) took 60 ms against no cost for these few lines.
    """

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "run.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            fd = open_lock(self.path)
        except OSError as exc:
            raise StateError(
                f"cannot create the run lock {self.path}: {exc.strerror}; "
                "check that the state folder (--state-dir) is writable"
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise LockHeld(
                    f"another mixdigest run holds the lock {self.path} ({holder}); not starting"
                ) from None
            raise
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"PID {os.getpid()}, started {started}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def atomic_write(path: Path, data: str | bytes) -> None:
    """Replace ``path`` with ``data`` in one step, or leave the old file as it was."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if _holds(path, payload):
        return  # unchanged: no rewrite, no fsync, and its mtime still says when it changed
    tmp = path.with_name(f"{TEMP_MARK}{os.getpid()}-{path.name}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        checkpoint("replace")
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise OutputError(f"cannot write {path}: {_write_problem(exc, path.parent)}") from exc
    _fsync_dir(path.parent)


def _holds(path: Path, payload: bytes) -> bool:
    try:
        return path.stat().st_size == len(payload) and path.read_bytes() == payload
    except OSError:
        return False


def _write_problem(exc: OSError, folder: Path) -> str:
    """The reason a write failed, with what the user can do about it."""
    if folder.exists() and not folder.is_dir():
        return f"{folder} is a file, not a folder; move it aside or choose another output"
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"{reason}; free some space and rerun (earlier outputs are kept)"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{reason}; make {folder} writable and rerun (earlier outputs are kept)"
    return reason


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_stale_temporaries(folder: Path) -> int:
    """Delete temporary files a killed run left behind. Call only while holding the lock."""
    removed = 0
    if not folder.is_dir():
        return 0
    for tmp in folder.glob(f"{TEMP_MARK}*"):
        with contextlib.suppress(OSError):
            tmp.unlink()
            removed += 1
    return removed


def open_sqlite(path: Path, timeout: float = 30.0) -> sqlite3.Connection:
    """A connection in WAL mode with explicit transactions: a run killed mid-write loses
    at most its open transaction and never corrupts what was committed before."""
    db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # WAL keeps it consistent on a crash
    except sqlite3.DatabaseError:
        db.close()
        raise
    return db


@contextlib.contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def code_fingerprint(files: Iterable[Path], distributions: Iterable[str]) -> str:
    """What a memory's answers depend on besides their inputs: the source of the modules
    that compute them and the versions of the packages those use. Read from disk, never
    imported, so that a run answered from memory does not pay for the imports."""
    code = hashlib.sha256()
    for path in files:
        code.update(path.read_bytes())
    versions = ",".join(f"{name}={installed_version(name)}" for name in distributions)
    return f"{code.hexdigest()[:16]};{versions}"


def installed_version(distribution: str, missing: str = "-") -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return missing


class SqliteFile:
    """One SQLite file in the state folder, opened one way for all of them.

    WAL mode with one transaction per write: a run killed mid-write loses at most that
    transaction. ``SCHEMA`` statements run at every open; a damaged file is handed to
    ``_damaged``, which decides between starting anew and stopping the run.
    """

    FILE: ClassVar[str]
    WHAT: ClassVar[str]  # for messages: "translation memory"
    SCHEMA: ClassVar[tuple[str, ...]]  # CREATE … IF NOT EXISTS statements
    TABLE: ClassVar[str]

    def __init__(self, state_dir: Path) -> None:
        self.path = Path(state_dir) / self.FILE
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(
                f"cannot create the state folder {self.path.parent}: {exc.strerror or exc}; "
                "check --state-dir or paths.state"
            ) from exc
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as exc:
            self._db = self._damaged(exc)

    def _open(self) -> sqlite3.Connection:
        db = open_sqlite(self.path)
        try:
            for statement in self.SCHEMA:
                db.execute(statement)
            # Reads a page, so a damaged file fails here; count(*) would scan the table.
            db.execute(f"SELECT 1 FROM {self.TABLE} LIMIT 1").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _damaged(self, exc: sqlite3.DatabaseError) -> sqlite3.Connection:
        raise StateError(
            f"the {self.WHAT} {self.path} cannot be opened ({exc}); move it aside and "
            "rerun with --force to rebuild it"
        ) from exc

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class SqliteCache(SqliteFile):
    """A cache file that a run may lose without harm: a damaged one is set aside (named
    in a warning) and a new one started, since everything in it can be computed again."""

    def _damaged(self, exc: sqlite3.DatabaseError) -> sqlite3.Connection:
        aside = self.path.with_name(f"{self.path.name}.damaged-{int(time.time())}")
        log.warning("%s %s is damaged (%s); moved to %s", self.WHAT, self.path, exc, aside)
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{self.path}{suffix}").rename(f"{aside}{suffix}")
        return self._open()

    def _select_in(
        self, query: str, fixed: tuple[Any, ...], keys: Iterable[Any]
    ) -> list[tuple[Any, ...]]:
        """Rows of ``query`` (ending in "IN ({marks})") for every key, 500 at a time."""
        unique = list(dict.fromkeys(keys))
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(unique), 500):  # SQLite's bound-parameter limit
            part = unique[start : start + 500]
            marks = ",".join("?" * len(part))
            rows.extend(self._db.execute(query.format(marks=marks), (*fixed, *part)))
        return rows

    def _insert(self, query: str, rows: Iterable[tuple[Any, ...]]) -> None:
        with transaction(self._db):
            self._db.executemany(query, rows)

    def __len__(self) -> int:
        return int(self._db.execute(f"SELECT count(*) FROM {self.TABLE}").fetchone()[0])


class ResultMemory(SqliteCache):
    """Results of a pure stage (JSON text) under a key that digests all of its inputs.

    The summaries use it: a rerun over the same translated articles with the same
    settings and code takes each summary from here instead of loading sumy and NLTK.
    """

    FILE = "result-memory.sqlite3"
    WHAT = "result memory"
    TABLE = "results"
    SCHEMA = (
        # A rowid table: values are kilobytes of JSON, which WITHOUT ROWID handles badly.
        "CREATE TABLE IF NOT EXISTS results (stage TEXT NOT NULL, key BLOB NOT NULL,"
        " value TEXT NOT NULL, PRIMARY KEY (stage, key))",
    )

    def lookup(self, stage: str, keys: Iterable[bytes]) -> dict[bytes, str]:
        rows = self._select_in(
            "SELECT key, value FROM results WHERE stage = ? AND key IN ({marks})", (stage,), keys
        )
        return {bytes(key): value for key, value in rows}

    def store(self, stage: str, values: Mapping[bytes, str]) -> None:
        if values:
            self._insert(
                "INSERT OR REPLACE INTO results (stage, key, value) VALUES (?, ?, ?)",
                [(stage, key, value) for key, value in values.items()],
            )


@dataclass(frozen=True, slots=True)
class ArticleState:
    key: str
    source_sha256: str
    fingerprint: str
    outputs: tuple[str, ...]
    status: str


class StateStore(SqliteFile):
    """What each article was last built from, so unchanged inputs are skipped. Not a
    cache: a damaged run state stops the run (exit 3) rather than redo every article."""

    FILE = "state.sqlite"
    WHAT = "run state"
    TABLE = "articles"
    SCHEMA = (
        "CREATE TABLE IF NOT EXISTS articles ("
        " key TEXT PRIMARY KEY, source TEXT NOT NULL, source_sha256 TEXT NOT NULL,"
        " fingerprint TEXT NOT NULL, outputs TEXT NOT NULL, status TEXT NOT NULL,"
        " updated REAL NOT NULL)",
        "CREATE INDEX IF NOT EXISTS by_source ON articles(source)",
    )

    def by_source(self) -> dict[str, list[ArticleState]]:
        found: dict[str, list[ArticleState]] = {}
        rows = self._db.execute(
            "SELECT source, key, source_sha256, fingerprint, outputs, status FROM articles"
        )
        for source, key, sha, fingerprint, outputs, status in rows:
            found.setdefault(source, []).append(
                ArticleState(key, sha, fingerprint, tuple(json.loads(outputs)), status)
            )
        return found

    def record(self, source: str, states: Iterable[ArticleState]) -> None:
        """Replace what is known of one source's articles, in one transaction."""
        now = time.time()
        with transaction(self._db):
            self._db.execute("DELETE FROM articles WHERE source = ?", (source,))
            self._db.executemany(
                "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        s.key,
                        source,
                        s.source_sha256,
                        s.fingerprint,
                        json.dumps(s.outputs),
                        s.status,
                        now,
                    )
                    for s in states
                ],
            )

    def forget_missing(
        self, present_sources: set[str], known: Mapping[str, list[ArticleState]]
    ) -> list[ArticleState]:
        """Drop sources no longer in the input folder; return what they had produced.

        ``known`` is this store's ``by_source()``, which the caller has already read.
        """
        gone_sources = [src for src in known if src not in present_sources]
        with transaction(self._db):
            self._db.executemany(
                "DELETE FROM articles WHERE source = ?", [(src,) for src in gone_sources]
            )
        return [state for src in gone_sources for state in known[src]]
