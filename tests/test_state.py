import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jobs.errors import LockHeld, OutputError
from jobs.state import (
    TEMP_MARK,
    ArticleState,
    RunLock,
    StateStore,
    atomic_write,
    code_fingerprint,
    remove_stale_temporaries,
)


def test_second_lock_is_refused_with_the_holders_pid(tmp_path: Path) -> None:
    with RunLock(tmp_path):
        with pytest.raises(LockHeld) as caught:
            RunLock(tmp_path).acquire()
        assert f"PID {os.getpid()}" in str(caught.value)
        assert caught.value.exit_code == 75
    RunLock(tmp_path).acquire()  # released on exit


def test_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    code = (
        "import os, sys; from pathlib import Path; from jobs.state import RunLock; "
        f"RunLock(Path({str(tmp_path)!r})).acquire(); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert "PID" in (tmp_path / "run.lock").read_text()  # left behind by the dead run
    with RunLock(tmp_path):
        assert f"PID {os.getpid()}" in (tmp_path / "run.lock").read_text()


def test_atomic_write_replaces_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out" / "a.md"
    atomic_write(target, "first")
    atomic_write(target, "second")
    assert target.read_text() == "second"
    assert [p.name for p in target.parent.iterdir()] == ["a.md"]


def test_atomic_write_leaves_an_identical_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    atomic_write(target, "same")
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    atomic_write(target, "same")
    assert target.stat().st_mtime_ns == 1_000_000_000
    atomic_write(target, "sane")  # same length, other bytes
    assert target.read_text() == "sane" and target.stat().st_mtime_ns != 1_000_000_000


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES])
def test_failed_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    target = tmp_path / "a.md"
    atomic_write(target, "good output from an earlier run")

    def failing_write(fd: int, data: object) -> int:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "write", failing_write)
    with pytest.raises(OutputError, match=os.strerror(code)):
        atomic_write(target, "new")
    monkeypatch.undo()
    assert target.read_text() == "good output from an earlier run"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_stale_temporaries_are_removed(tmp_path: Path) -> None:
    (tmp_path / f"{TEMP_MARK}123-a.md").write_text("half")
    (tmp_path / "keep.md").write_text("whole")
    assert remove_stale_temporaries(tmp_path) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["keep.md"]


def test_state_round_trips_and_forgets_missing_sources(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    a = ArticleState("a.txt", "sha-a", "fp", ("a.md", "a.json"), "ok")
    b1 = ArticleState("b.jsonl#1", "sha-b", "fp", ("b1.md",), "ok")
    b2 = ArticleState("b.jsonl#2", "sha-b", "fp", ("b2.md",), "error")
    store.record("a.txt", [a])
    store.record("b.jsonl", [b1, b2])
    store.record("b.jsonl", [b1])  # a source's articles are replaced as a whole
    store.close()
    reopened = StateStore(tmp_path)
    assert reopened.by_source() == {"a.txt": [a], "b.jsonl": [b1]}
    assert reopened.forget_missing({"b.jsonl"}, reopened.by_source()) == [a]
    assert set(reopened.by_source()) == {"b.jsonl"}


def test_code_fingerprint_follows_the_code_and_names_the_versions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("x = 1\n")
    first = code_fingerprint([module], ["pyyaml", "no-such-distribution"])
    assert first == code_fingerprint([module], ["pyyaml", "no-such-distribution"])
    assert ";pyyaml=" in first and first.endswith(",no-such-distribution=-")
    module.write_text("x = 2\n")
    assert code_fingerprint([module], ["pyyaml", "no-such-distribution"]) != first
