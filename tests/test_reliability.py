"""The promises a nightly job makes, tested by breaking things on purpose.

Crashes are real SIGKILLs of the real command (``python -m jobs run``) with the tiny real
model, held at a named phase by the test-only checkpoint hook (``jobs.state.checkpoint``)
so that each phase is hit every time rather than by luck of timing.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jobs.models import ModelStore
from jobs.state import TEMP_MARK, TEST_HOOK_ENV
from jobs.translation.memory import MEMORY_FILE
from tests.commands import run_args

ROOT = Path(__file__).resolve().parents[1]

# Sentences the tiny model's vocabulary covers, mixed so every article has both languages.
UK = (
    "Уряд України ухвалив нові правила для енергетичних компаній.",
    "Президент зустрівся з міністрами та обговорив бюджет на наступний рік.",
    "У Львові відкрили новий міст через річку, рух транспорту відновлено.",
    "Ціни на хліб і молоко зросли на п'ять відсотків за місяць.",
)
EN = (
    "The government of Ukraine approved new rules for energy companies.",
    "Huawei's new phone was presented in Kyiv on Monday, the company said.",
    "Prices for bread and milk rose by five percent in a month.",
    "Analysts expect the new rules to take effect next spring.",
)


def _body(n: int) -> list[str]:
    """Paragraphs of article n: a crumb, English and Ukrainian sentences, an ad line."""
    uk = [UK[(n + i) % len(UK)] for i in range(2)]
    en = [EN[(n + i) % len(EN)] for i in range(3)]
    return [
        f"Home / Бізнес / Story {n}",
        f"{en[0]} {uk[0]} Article number {n}.",
        f"{en[1]} {en[2]}",
        f"{uk[1]} Київ, {n} квітня.",
        "Місце для вашої реклами.",
    ]


def write_batch(folder: Path, articles: int = 30) -> int:
    """About 30 mixed uk/en articles in every format; returns how many articles."""
    folder.mkdir(parents=True, exist_ok=True)
    jsonl_records = 6
    files = articles - jsonl_records
    for n in range(files):
        title = f"Story {n}: ринок і ціни"
        paragraphs = _body(n)
        kind = n % 4
        if kind == 0:
            text = title + "\n\n" + "\n\n".join(paragraphs) + "\n"
            (folder / f"story-{n:02}.txt").write_text(text, encoding="utf-8")
        elif kind == 1:
            text = f"# {title}\n\n" + "\n\n".join(paragraphs) + "\n"
            (folder / f"story-{n:02}.md").write_text(text, encoding="utf-8")
        elif kind == 2:
            body = "".join(f"<p>{p}</p>" for p in paragraphs)
            html = (
                f"<html><head><title>{title}</title></head>"
                f"<body><h1>{title}</h1>{body}</body></html>"
            )
            (folder / f"story-{n:02}.html").write_text(html, encoding="utf-8")
        else:
            record = {"id": f"s{n}", "title": title, "text": "\n\n".join(paragraphs)}
            (folder / f"story-{n:02}.json").write_text(
                json.dumps(record, ensure_ascii=False), encoding="utf-8"
            )
    lines = [
        json.dumps({"title": f"Feed {n}", "text": "\n\n".join(_body(100 + n))}, ensure_ascii=False)
        for n in range(jsonl_records)
    ]
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return articles


def cli_env(cwd: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != TEST_HOOK_ENV}
    env.update({"PYTHONPATH": str(ROOT), "HOME": str(cwd / "home")})
    env.update(extra or {})
    return env


def run_command(workdir: Path, models: Path, *extra: str | Path) -> list[str]:
    return [sys.executable, "-m", "jobs", *run_args(workdir, models, *extra)]


def run_job(
    workdir: Path, models: Path, *extra: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    (workdir / "home").mkdir(exist_ok=True)
    return subprocess.run(
        run_command(workdir, models, *extra),
        cwd=workdir,
        env=cli_env(workdir, env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def kill_at(workdir: Path, models: Path, stage: str, nth: int) -> subprocess.Popen[str]:
    """Start the job, wait until it holds at the nth ``stage`` checkpoint, SIGKILL it."""
    hook = workdir / "hook"
    hook.mkdir(exist_ok=True)
    (workdir / "home").mkdir(exist_ok=True)
    proc = subprocess.Popen(
        run_command(workdir, models),
        cwd=workdir,
        env=cli_env(workdir, {TEST_HOOK_ENV: f"{stage}:{nth}:{hook}"}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    reached = hook / f"{stage}.reached"
    deadline = time.monotonic() + 240
    while not reached.exists():
        if proc.poll() is not None:
            _, err = proc.communicate()
            pytest.fail(f"the run ended (exit {proc.returncode}) before {stage}#{nth}:\n{err}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the run never reached {stage}#{nth}")
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    reached.unlink()
    return proc


def outputs(folder: Path) -> dict[str, bytes]:
    """Every output file's bytes, except the two that carry this run's time and counts."""
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.name not in ("index.md", "run.json")
    }


def index_articles(folder: Path) -> set[tuple[str, str]]:
    """(name, key) of every row of index.md; its status column says unchanged or ok."""
    rows = set()
    for line in (folder / "index.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| ") and "`" in line:
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows.add((cells[0], cells[1]))
    return rows


def leftovers(*folders: Path) -> list[str]:
    """Temporary or partial files: ours, SQLite's journals, and unfinished model installs."""
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            name = path.name
            if path.is_file() and (
                TEMP_MARK in name or name.endswith(("-journal", ".tmp", ".partial"))
            ):
                found.append(str(path))
        tmp = folder / ".tmp"
        if tmp.is_dir() and any(tmp.iterdir()):
            found.append(f"{tmp} is not empty")
    return found


def integrity(database: Path) -> str:
    with sqlite3.connect(database) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


@pytest.fixture(scope="module")
def reference(
    tmp_path_factory: pytest.TempPathFactory, installed_models: ModelStore
) -> Iterator[tuple[Path, int]]:
    """One uninterrupted run of the batch: what every interrupted one must end up as."""
    workdir = tmp_path_factory.mktemp("reference")
    articles = write_batch(workdir / "input")
    result = run_job(workdir, installed_models.models_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"mixdigest: {articles} done, 0 skipped, 0 failed")
    yield workdir / "output", articles


@pytest.mark.parametrize(
    ("stage", "nth"),
    [
        ("read", 10),  # reading: a third of the files read, nothing translated
        ("translate", 1),  # translating: model loaded, memory open, engine not yet called
        ("translated", 1),  # translating: first batch stored in the translation memory
        ("write", 12),  # writing: 12 articles written, the 12th not yet recorded
        ("replace", 15),  # writing: a complete temporary file not yet renamed
    ],
)
def test_sigkill_at_any_phase_then_rerun_gives_the_uninterrupted_outputs(
    tmp_path: Path,
    installed_models: ModelStore,
    reference: tuple[Path, int],
    stage: str,
    nth: int,
) -> None:
    expected_dir, articles = reference
    models = installed_models.models_dir
    write_batch(tmp_path / "input")
    out, state = tmp_path / "output", tmp_path / "state"

    kill_at(tmp_path, models, stage, nth)

    written = sorted(out.glob("*.md")) if out.is_dir() else []
    if stage in ("read", "translate", "translated"):
        assert written == []
    else:
        assert 0 < len(written) < articles  # killed in the middle of writing
    if stage == "replace":
        assert list(out.glob(f"{TEMP_MARK}*")), "the kill should leave a temporary file"
    if stage == "translated":
        with sqlite3.connect(state / MEMORY_FILE) as db:
            assert db.execute("SELECT count(*) FROM memory").fetchone()[0] > 0

    rerun = run_job(tmp_path, models)

    assert rerun.returncode == 0, rerun.stderr
    assert "Traceback" not in rerun.stderr
    done_before = len(written) - (1 if stage == "write" else 0)  # the 12th was not recorded
    assert rerun.stdout.startswith(f"mixdigest: {articles - max(done_before, 0)} done")
    assert outputs(out) == outputs(expected_dir)
    assert index_articles(out) == index_articles(expected_dir)
    assert leftovers(out, state, models) == []
    assert integrity(state / "state.sqlite") == "ok"
    assert integrity(state / MEMORY_FILE) == "ok"
    with sqlite3.connect(state / "state.sqlite") as db:
        statuses = db.execute("SELECT status, count(*) FROM articles GROUP BY status").fetchall()
    assert statuses == [("ok", articles)]

    if stage != "write":
        return  # one phase is enough to show that the finished state is complete
    again = run_job(tmp_path, models)
    assert again.stdout.startswith(f"mixdigest: 0 done, {articles} skipped, 0 failed")


def test_sigkill_at_random_moments_three_times_then_rerun_gives_the_same_outputs(
    tmp_path: Path, installed_models: ModelStore, reference: tuple[Path, int]
) -> None:
    """Moments no checkpoint names (inside a SQLite commit, an fsync, an import)."""
    import random

    expected_dir, articles = reference
    models = installed_models.models_dir
    write_batch(tmp_path / "input")
    (tmp_path / "home").mkdir()
    delays = random.Random(6).sample([x / 10 for x in range(3, 40)], 3)
    for delay in delays:
        proc = subprocess.Popen(
            run_command(tmp_path, models),
            cwd=tmp_path,
            env=cli_env(tmp_path),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=120)  # a process in fsync dies only when it returns

    rerun = run_job(tmp_path, models)

    assert rerun.returncode == 0, rerun.stderr
    done, skipped = re.match(
        r"mixdigest: (\d+) done, (\d+) skipped, 0 failed", rerun.stdout
    ).groups()  # type: ignore[union-attr]
    assert int(done) + int(skipped) == articles
    assert outputs(tmp_path / "output") == outputs(expected_dir)
    assert leftovers(tmp_path / "output", tmp_path / "state", models) == []
    assert integrity(tmp_path / "state" / "state.sqlite") == "ok"
    assert integrity(tmp_path / "state" / MEMORY_FILE) == "ok"


def test_checkpoint_is_inert_without_the_test_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jobs import state

    monkeypatch.delenv(TEST_HOOK_ENV, raising=False)
    for _ in range(1000):
        state.checkpoint("write")
    assert state._checkpoint_hits == {}
    # A hook for another stage, or a malformed one, does not hold the run either.
    monkeypatch.setenv(TEST_HOOK_ENV, f"read:1:{tmp_path}")
    state.checkpoint("write")
    monkeypatch.setenv(TEST_HOOK_ENV, "garbage")
    state.checkpoint("write")
    assert list(tmp_path.iterdir()) == []


# -- a process-wide fault injector for the real command ---------------------------------

SITECUSTOMIZE = '''
"""Test-only faults for a mixdigest subprocess, switched on by environment variables."""
import builtins, errno, io, os, socket

_DENY = os.environ.get("MIXDIGEST_TEST_DENY")  # paths containing this fail
_ERRNO = getattr(errno, os.environ.get("MIXDIGEST_TEST_DENY_ERRNO", "EACCES"))
_NET_LOG = os.environ.get("MIXDIGEST_TEST_NET_LOG")
_open = builtins.open

if _DENY:
    _os_open, _os_write, _filling = os.open, os.write, set()

    def _denied(file):
        return isinstance(file, (str, os.PathLike)) and _DENY in os.fspath(file)

    def _fail(file):
        raise OSError(_ERRNO, os.strerror(_ERRNO), os.fspath(file))

    def _guarded_open(file, *args, **kwargs):
        if _denied(file):
            _fail(file)
        return _open(file, *args, **kwargs)

    def _guarded_os_open(path, flags, *args, **kwargs):
        if _denied(path) and _ERRNO != errno.ENOSPC:
            _fail(path)
        fd = _os_open(path, flags, *args, **kwargs)
        if _denied(path):
            _filling.add(fd)
        return fd

    def _guarded_write(fd, data):
        # A full disk takes part of the data, then refuses the rest.
        if fd in _filling:
            if len(data) > 1 and fd not in _filling_started:
                _filling_started.add(fd)
                return _os_write(fd, bytes(data[: len(data) // 2]))
            raise OSError(_ERRNO, os.strerror(_ERRNO))
        return _os_write(fd, data)

    _filling_started = set()
    builtins.open = io.open = _guarded_open
    os.open, os.write = _guarded_os_open, _guarded_write

if _NET_LOG:
    def _record(what):
        with _open(_NET_LOG, "a") as log:
            log.write(repr(what) + "\\n")
        raise OSError(errno.ENETUNREACH, "network blocked by the test")

    socket.socket.connect = lambda self, address: _record(("connect", address))
    socket.socket.connect_ex = lambda self, address: _record(("connect_ex", address))
    socket.socket.sendto = lambda self, *args: _record(("sendto", args[-1]))
    socket.getaddrinfo = lambda *args, **kwargs: _record(("getaddrinfo", args[:2]))
    socket.create_connection = lambda address, *a, **k: _record(("create_connection", address))
'''


def fault_env(tmp_path: Path, **faults: str) -> dict[str, str]:
    """Environment that loads SITECUSTOMIZE into the subprocess, with these faults on."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    return {"PYTHONPATH": f"{site}{os.pathsep}{ROOT}", **faults}


# -- bad input: one run, every kind of bad file, nothing else lost -------------------------

GOOD = "\n\n".join(_body(1)) + "\n"


def test_every_kind_of_bad_input_in_one_run_gets_one_line_each_and_the_rest_is_written(
    tmp_path: Path, installed_models: ModelStore
) -> None:
    inp = tmp_path / "input"
    inp.mkdir()
    (inp / "good.txt").write_text(GOOD, encoding="utf-8")
    bad: dict[str, str] = {}  # file → a word its error must contain

    def put(name: str, data: bytes | str, reason: str) -> None:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        (inp / name).write_bytes(raw)
        bad[name] = reason

    put("empty.txt", b"", "empty file")
    put("blank.txt", " \n\t\r\n   \n", "only whitespace")
    put("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "PNG")
    put("nul.txt", b"Some text\x00\x00\x01\x02 and more\x00", "NUL byte")
    put("cut.txt", "Привіт, це досить довгий український текст.".encode()[:-2], "UTF-8")
    put("bad-bytes.md", b"Plain text \xff\xfe with \xc3 stray bytes", "UTF-8")
    put("big.txt", "Too long a line of text. " * 6000, "max_bytes")
    put("no-text.html", "<html><body><script>var a = 1;</script></body></html>", "no text")
    put(
        "deep.html",
        "<html><body>" + "<div>" * 10_000 + "deep" + "</div>" * 10_000 + "</body></html>",
        "nested too deeply",
    )
    put("broken.json", '{"title": "x", "text": "abc"', "not valid JSON")
    lines = [
        json.dumps({"title": "First", "text": GOOD}, ensure_ascii=False),
        '{"title": "Second", "text": "no closing brace"',
        json.dumps({"title": "Third", "text": "\n\n".join(_body(2))}, ensure_ascii=False),
    ]
    (inp / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad["feed.jsonl#2"] = "line 2: not valid JSON"
    hostile = [
        {"id": "../../escaped", "title": "../../escaped", "text": GOOD},
        {"id": "/etc/passwd", "title": "/tmp/absolute/x", "text": GOOD},
        {"id": "nul\u0000id", "title": "a\u0000b", "text": GOOD},
        {"id": "x" * 300, "title": "y" * 300, "text": GOOD},
    ]
    (inp / "hostile.json").write_text(json.dumps(hostile), encoding="utf-8")
    outside = tmp_path / "outside.txt"
    outside.write_text(GOOD, encoding="utf-8")
    (inp / "link.txt").symlink_to(outside)
    put("locked.txt", GOOD, "Permission denied")
    os.mkfifo(inp / "pipe.txt")
    bad["pipe.txt"] = "not a regular file"
    put("changing.txt", GOOD, "changed while being read")
    config = tmp_path / "job.yaml"
    config.write_text("input:\n  max_bytes: 120000\n", encoding="utf-8")
    assert (inp / "deep.html").stat().st_size < 120_000 < (inp / "big.txt").stat().st_size

    hook = tmp_path / "hook"
    hook.mkdir()
    env = cli_env(
        tmp_path,
        {
            **fault_env(tmp_path, MIXDIGEST_TEST_DENY="/locked.txt"),
            TEST_HOOK_ENV: f"discovered:1:{hook}",
        },
    )
    (tmp_path / "home").mkdir()
    command = run_command(tmp_path, installed_models.models_dir, "--config", config)
    proc = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while not (hook / "discovered.reached").exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.01)
    # Hashed at discovery, changed before it is read.
    (inp / "changing.txt").write_text(GOOD + "\nA late edit.\n", encoding="utf-8")
    (hook / "discovered.go").touch()
    stdout, stderr = proc.communicate(timeout=300)

    assert proc.returncode == 1, stderr
    assert "Traceback" not in stderr
    lines_out = stderr.splitlines()
    assert all(line.startswith("mixdigest: ") for line in lines_out), stderr
    for name, reason in bad.items():
        mentions = [line for line in lines_out if f" {name}: " in line]
        assert len(mentions) == 1, (name, "\n".join(lines_out))
        assert reason in mentions[0], (name, mentions[0])
    [warning] = [line for line in lines_out if "link.txt" in line]
    assert "ignored" in warning and "outside the input folder" in warning
    assert stdout.strip() == stdout.strip().splitlines()[0]  # one summary line
    good_articles = 1 + 2 + len(hostile)  # good.txt, feed #1 and #3, every hostile record
    assert stdout.startswith(f"mixdigest: {good_articles} done, 0 skipped, {len(bad)} failed")

    out = tmp_path / "output"
    written = sorted(p.name for p in out.glob("*.md") if p.name != "index.md")
    assert len(written) == good_articles
    assert any(n.startswith("good.") for n in written)
    assert sum(n.startswith("feed.jsonl_1.") or n.startswith("feed.jsonl_3.") for n in written) == 2
    # Hostile ids and titles: every output is a plain file directly inside output/.
    assert {p.parent for p in out.rglob("*")} == {out}
    assert not (tmp_path / "escaped").exists() and not list(tmp_path.glob("*escaped*"))
    assert all(len(n) < 120 for n in written)
    records = [json.loads(p.read_text(encoding="utf-8")) for p in out.glob("hostile*.json")]
    titles = sorted(r["title"] for r in records)
    assert titles == ["../../escaped", "/tmp/absolute/x", "a b", "y" * 300]  # NUL → space
    assert {r["meta"]["id"] for r in records} == {
        "../../escaped",
        "/etc/passwd",
        "nul id",
        "x" * 300,
    }
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert {e["source"] for e in manifest["errors"]} == set(bad)


# -- full disk and unwritable output ---------------------------------------------------


def test_an_index_that_cannot_be_written_fails_the_run_by_name(
    tmp_path: Path, installed_models: ModelStore
) -> None:
    _one_article(tmp_path)
    (tmp_path / "output" / "index.md").mkdir(parents=True)  # a folder where the file goes
    result = run_job(tmp_path, installed_models.models_dir)
    assert result.returncode == 1, result.stderr
    assert "index.md: cannot write" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout.startswith("mixdigest: 1 done, 0 skipped, 0 failed")
    # The article itself was written; the next run retries only what is missing.
    assert list((tmp_path / "output").glob("story.txt.*.md"))


def _one_article(workdir: Path) -> Path:
    (workdir / "input").mkdir(parents=True, exist_ok=True)
    source = workdir / "input" / "story.txt"
    source.write_text("Story\n\n" + GOOD, encoding="utf-8")
    return source


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("code", ["ENOSPC", "EACCES"])
def test_failed_output_write_through_the_cli_names_the_article_and_keeps_the_old_files(
    tmp_path: Path, installed_models: ModelStore, code: str
) -> None:
    models = installed_models.models_dir
    _one_article(tmp_path)
    first = run_job(tmp_path, models)
    assert first.returncode == 0, first.stderr
    before = _snapshot(tmp_path / "output")

    source = tmp_path / "input" / "story.txt"
    source.write_text(source.read_text(encoding="utf-8") + "\nA late update.\n", encoding="utf-8")
    faults = fault_env(tmp_path, MIXDIGEST_TEST_DENY="/output/", MIXDIGEST_TEST_DENY_ERRNO=code)
    failed = run_job(tmp_path, models, env=faults)

    assert failed.returncode == 1, failed.stderr
    assert "Traceback" not in failed.stderr
    reason = os.strerror(getattr(__import__("errno"), code))
    [article_error] = [line for line in failed.stderr.splitlines() if "story.txt:" in line]
    assert article_error.startswith("mixdigest: story.txt: cannot write ")
    assert reason in article_error
    assert failed.stdout.startswith("mixdigest: 0 done, 0 skipped, 1 failed")
    # Every earlier good file is still whole, and no partial temporary sits beside it.
    assert _snapshot(tmp_path / "output") == before
    # The changed article was not recorded as done, so the next run with space redoes it.
    again = run_job(tmp_path, models)
    assert again.returncode == 0 and again.stdout.startswith("mixdigest: 1 done")
    assert "A late update" in next((tmp_path / "output").glob("story*.json")).read_text()


def test_output_path_that_is_a_file_fails_each_article_with_exit_1(
    tmp_path: Path, installed_models: ModelStore
) -> None:
    _one_article(tmp_path)
    (tmp_path / "output").write_text("not a folder", encoding="utf-8")
    result = run_job(tmp_path, installed_models.models_dir)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "story.txt: cannot write" in result.stderr
    assert "is a file, not a folder" in result.stderr
    assert (tmp_path / "output").read_text(encoding="utf-8") == "not a folder"


def _can_mount_tmpfs() -> bool:
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "d=$(mktemp -d) && mount -t tmpfs -o size=64k t $d"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or not _can_mount_tmpfs(),
    reason="needs unshare -m and permission to mount a tmpfs (root on Linux)",
)
def test_a_really_full_disk_keeps_the_good_outputs_of_the_earlier_run(
    tmp_path: Path, installed_models: ModelStore
) -> None:
    """A real ENOSPC: the output folder is a tiny tmpfs, filled up between two runs."""
    source = _one_article(tmp_path)
    saved_before, saved_after = tmp_path / "before", tmp_path / "after"
    saved_before.mkdir()
    saved_after.mkdir()
    out = tmp_path / "output"
    out.mkdir()
    command = " ".join(f"'{part}'" for part in run_command(tmp_path, installed_models.models_dir))
    script = f"""
        mount -t tmpfs -o size=512k tmpfs '{out}' || exit 90
        {command} > '{tmp_path}/first.out' 2>&1; echo $? > '{tmp_path}/first.rc'
        cp -a '{out}/.' '{saved_before}/'
        dd if=/dev/zero of='{out}/filler' bs=4k 2>/dev/null
        echo 'A later paragraph, so the outputs must be rewritten.' >> '{source}'
        {command} > '{tmp_path}/second.out' 2>&1; echo $? > '{tmp_path}/second.rc'
        rm '{out}/filler'
        cp -a '{out}/.' '{saved_after}/'
    """
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        cwd=tmp_path,
        env=cli_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "first.rc").read_text().strip() == "0"
    assert (tmp_path / "second.rc").read_text().strip() == "1"
    second = (tmp_path / "second.out").read_text()
    assert "story.txt: cannot write" in second and "No space left on device" in second
    assert "Traceback" not in second
    assert _snapshot(saved_after) == _snapshot(saved_before)


# -- locking -------------------------------------------------------------------------------


def test_second_run_through_the_cli_exits_75_at_once_naming_the_holder(
    tmp_path: Path, installed_models: ModelStore
) -> None:
    from jobs.state import RunLock

    _one_article(tmp_path)
    with RunLock(tmp_path / "state"):
        # Were the lock waited for, this would hang until the timeout instead.
        result = run_job(tmp_path, installed_models.models_dir)
    assert result.returncode == 75
    [line] = result.stderr.splitlines()
    assert f"PID {os.getpid()}, started " in line
    assert re.search(r"started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d", line)
    assert result.stdout == ""
    assert not (tmp_path / "output").exists()


def test_lock_left_by_a_dead_run_is_taken_over_by_the_cli(
    tmp_path: Path, installed_models: ModelStore
) -> None:
    _one_article(tmp_path)
    state = tmp_path / "state"
    holder = (
        "import os; from pathlib import Path; from jobs.state import RunLock; "
        f"RunLock(Path({str(state)!r})).acquire(); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", holder], cwd=ROOT, check=True)
    assert (state / "run.lock").read_text().startswith("PID ")  # the dead run's lock file
    result = run_job(tmp_path, installed_models.models_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("mixdigest: 1 done")


# -- models ----------------------------------------------------------------------------------


def models_command(workdir: Path, *args: str | Path, env: dict[str, str] | None = None) -> Any:
    (workdir / "home").mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "jobs", "models", *map(str, args)],
        cwd=workdir,
        env=cli_env(workdir, env),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("damage", ["truncated", "corrupt member"])
def test_models_install_refuses_a_damaged_file_and_installs_nothing(
    tmp_path: Path, tiny_package: Path, damage: str
) -> None:
    data = tiny_package.read_bytes()
    bad = tmp_path / "half-downloaded.argosmodel"
    if damage == "truncated":
        bad.write_bytes(data[: len(data) // 2])
    else:  # the zip directory is intact but a member's bytes are not (CRC mismatch)
        middle = len(data) // 2
        bad.write_bytes(
            data[:middle]
            + bytes(b ^ 0xFF for b in data[middle : middle + 64])
            + data[middle + 64 :]
        )
    models = tmp_path / "models"

    result = models_command(tmp_path, "install", bad, "--models-dir", models)

    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    assert str(bad) in result.stderr and "Nothing was installed" in result.stderr
    assert ModelStore(models).installed() == []
    leftover = [p for p in models.rglob("*") if p.is_file() and p.name != ".lock"]
    assert leftover == []
    assert "no models installed" in models_command(tmp_path, "list", "--models-dir", models).stdout


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        ("model.bin truncated", "model/model.bin is"),
        ("metadata.json corrupt", "metadata.json"),
        ("model.bin garbage of the same size", "CTranslate2 cannot load"),
    ],
)
def test_a_broken_installed_model_stops_the_run_with_exit_3_naming_it(
    tmp_path: Path, tiny_package: Path, damage: str, why: str
) -> None:
    models = tmp_path / "models"
    model = ModelStore(models).install(tiny_package)
    model_bin = model.path / "model" / "model.bin"
    if damage == "model.bin truncated":
        model_bin.write_bytes(model_bin.read_bytes()[:1000])
    elif damage == "metadata.json corrupt":
        (model.path / "metadata.json").write_text('{"from_code": "uk", "to_', encoding="utf-8")
    else:
        model_bin.write_bytes(b"\x5a" * model_bin.stat().st_size)
    _one_article(tmp_path)

    result = run_job(tmp_path, models)

    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert "translate-uk_en" in result.stderr or "uk→en" in result.stderr  # the model, named
    assert why in result.stderr
    assert "reinstall it: mixdigest models " in result.stderr
    assert not (tmp_path / "output").exists() or not any((tmp_path / "output").iterdir())


# -- the offline promise ------------------------------------------------------------------


def test_the_whole_job_attempts_no_network_connection(tmp_path: Path, tiny_package: Path) -> None:
    attempts = tmp_path / "connections.log"
    blocked = fault_env(tmp_path, MIXDIGEST_TEST_NET_LOG=str(attempts))
    models = tmp_path / "models"
    installed = models_command(
        tmp_path, "install", tiny_package, "--models-dir", models, env=blocked
    )
    assert installed.returncode == 0, installed.stderr
    for action in ("list", "verify"):
        assert models_command(tmp_path, action, "--models-dir", models, env=blocked).returncode == 0
    write_batch(tmp_path / "input", articles=8)

    result = run_job(tmp_path, models, env=blocked)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("mixdigest: 8 done, 0 skipped, 0 failed")
    spans = int(result.stdout.split(" ignored, ")[1].split()[0])
    assert spans > 0  # the real engine ran
    assert not attempts.exists(), attempts.read_text()


def test_models_download_is_the_command_that_uses_the_network_and_fails_cleanly_offline(
    tmp_path: Path,
) -> None:
    attempts = tmp_path / "connections.log"
    blocked = fault_env(tmp_path, MIXDIGEST_TEST_NET_LOG=str(attempts))
    models = tmp_path / "models"

    result = models_command(tmp_path, "download", "uk", "en", "--models-dir", models, env=blocked)

    assert attempts.exists() and attempts.read_text().strip()  # it did try
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    assert "mixdigest models install FILE.argosmodel" in result.stderr
    assert ModelStore(models).installed() == []


# -- odd but valid input -------------------------------------------------------------------

ODD_TEXT = "Ринок і ціни\n\n" + "\n\n".join(_body(3)) + "\n"


def _odd_encodings(text: str) -> dict[str, bytes]:
    """The same article as scraped files arrive: no declaration anywhere."""
    mixed_endings = text.replace("\n\n", "\r\n\r\n", 1).replace("\n\n", "\r\r", 1)
    return {
        "cp1251.txt": text.encode("cp1251"),
        "koi8u.txt": text.encode("koi8-u"),
        "utf16-bom.txt": text.encode("utf-16"),
        "utf16le-nobom.txt": text.encode("utf-16-le"),
        "utf16be-nobom.txt": text.encode("utf-16-be"),
        "mixed-endings.txt": mixed_endings.encode("utf-8"),
        "utf8-bom.txt": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "cp1251-no-meta.html": (
            "<html><body><article>"
            + "".join(f"<p>{p}</p>" for p in text.strip().split("\n\n"))
            + "</article></body></html>"
        ).encode("cp1251"),
        "utf16.jsonl": (json.dumps({"text": text}, ensure_ascii=False) + "\r\n").encode("utf-16"),
    }


def test_odd_but_valid_encodings_give_the_same_outputs_as_plain_utf8(
    tmp_path: Path, installed_models: ModelStore
) -> None:
    from jobs import config as config_module
    from jobs import pipeline

    odd = _odd_encodings(ODD_TEXT)
    assert "\r" in odd["mixed-endings.txt"].decode() and b"\x00" in odd["utf16le-nobom.txt"]
    reports = {}
    for variant in ("plain", "odd"):
        folder = tmp_path / variant
        (folder / "input").mkdir(parents=True)
        for name, data in odd.items():
            if variant == "plain":
                if name.endswith(".html"):
                    data = data.decode("cp1251").encode("utf-8")
                elif name.endswith(".jsonl"):
                    data = (json.dumps({"text": ODD_TEXT}, ensure_ascii=False) + "\n").encode()
                else:
                    data = ODD_TEXT.encode("utf-8")
            (folder / "input" / name).write_bytes(data)
        config = config_module.load(ROOT / "config" / "job.yaml").with_paths(
            input=folder / "input",
            output=folder / "output",
            state=folder / "state",
            models=installed_models.models_dir,
        )
        reports[variant] = pipeline.run(config)

    assert reports["odd"].failed == 0, reports["odd"].errors
    assert reports["odd"].done == len(odd)
    for plain_file in sorted((tmp_path / "plain" / "output").glob("*.json")):
        if plain_file.name == "run.json":
            continue
        plain = json.loads(plain_file.read_text(encoding="utf-8"))
        got = json.loads((tmp_path / "odd" / "output" / plain_file.name).read_text("utf-8"))
        encoding = got["meta"].pop("encoding")
        plain["meta"].pop("encoding")
        for data in (plain, got):
            data.pop("source_sha256")
        assert got == plain, (plain_file.name, encoding)
        spans = [s for b in got["blocks"] for se in b["sentences"] for s in se["spans"]]
        assert "".join(s["text"] for s in spans).startswith("Ринок і ціни")
        assert any(s["lang"] == "uk" and s["english"] for s in spans)  # translated


# -- operations: cron, logs, one summary line ---------------------------------------------


def test_crontab_line_has_a_schedule_the_log_file_and_the_venv_command(tmp_path: Path) -> None:
    from jobs import cron

    line = cron.crontab_line(tmp_path / "proj", log_file=tmp_path / "log dir" / "m%d.log")
    fields = line.split()
    assert fields[:5] == ["17", "2", "*", "*", "*"]
    assert f"cd {tmp_path / 'proj'} && " in line
    assert f"{tmp_path / 'proj' / '.venv' / 'bin' / 'mixdigest'} run --no-progress" in line
    logged_to = str(tmp_path / "log dir" / "m%d.log").replace("%", "\\%")
    assert f"--log-file '{logged_to}'" in line  # quoted, and % escaped for cron
    assert line.endswith(f"# mixdigest nightly run for {tmp_path / 'proj'}")
    assert "\n" not in line
    with pytest.raises(cron.CronError, match="five cron fields"):
        cron.crontab_line(tmp_path, schedule="every night")
    assert cron.crontab_line(tmp_path, schedule="@daily").startswith("@daily cd ")


def test_merging_keeps_other_entries_and_never_duplicates(tmp_path: Path) -> None:
    from jobs import cron

    line = cron.crontab_line(tmp_path / "proj")
    other_project = cron.crontab_line(tmp_path / "other")
    existing = "MAILTO=ops@example.org\n# backups\n0 3 * * * /usr/local/bin/backup\n\n"
    once = cron.merge(existing, line)
    assert once == existing.rstrip("\n") + "\n" + line + "\n"
    assert cron.merge(once, line) == once  # idempotent
    moved = cron.crontab_line(tmp_path / "proj", schedule="5 1 * * *")
    rescheduled = cron.merge(once, moved)
    assert rescheduled.count("mixdigest nightly run") == 1 and moved in rescheduled
    both = cron.merge(once, other_project)
    assert line in both and other_project in both
    assert cron.merge("", line) == line + "\n"


def test_install_merges_into_the_users_crontab_through_the_crontab_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stand-in `crontab` on PATH: the test never touches the machine's real crontab."""
    from jobs import cron

    table = tmp_path / "table"
    table.write_text("0 3 * * * /usr/local/bin/backup\n")
    fake = tmp_path / "bin" / "crontab"
    fake.parent.mkdir()
    fake.write_text(
        f'#!/bin/sh\nif [ "$1" = -l ]; then cat {table}; else cat > {table}; fi\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    line = cron.crontab_line(tmp_path / "proj")

    cron.install(line)
    cron.install(line)

    assert table.read_text() == f"0 3 * * * /usr/local/bin/backup\n{line}\n"
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(cron.CronError, match="crontab is not installed"):
        cron.install(line)


def test_the_crontab_command_runs_quietly_logs_to_the_file_and_respects_the_lock(
    tmp_path: Path, installed_models: ModelStore
) -> None:
    """Run the line's command as cron would, in a project laid out like this one."""
    from jobs import cron
    from jobs.state import RunLock

    project = tmp_path / "proj"
    (project / ".venv" / "bin").mkdir(parents=True)
    (project / ".venv" / "bin" / "mixdigest").write_text(
        f'#!/bin/sh\nexec {sys.executable} -m jobs "$@"\n', encoding="utf-8"
    )
    (project / ".venv" / "bin" / "mixdigest").chmod(0o755)
    (project / "config").mkdir()
    (project / "config" / "job.yaml").write_text(
        "paths:\n  input: ../input\n  output: ../output\n  state: ../.mixdigest\n"
        f"  models: {installed_models.models_dir}\n",
        encoding="utf-8",
    )
    _one_article(project)
    line = cron.crontab_line(project)
    command = line.split(None, 5)[5]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}  # cron's
    log = project / "logs" / "mixdigest.log"

    first = subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True)
    with RunLock(project / ".mixdigest"):
        locked = subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True)

    assert (first.returncode, first.stdout, first.stderr) == (0, "", "")  # cron mails nothing
    assert (locked.returncode, locked.stdout, locked.stderr) == (75, "", "")
    logged = log.read_text(encoding="utf-8").splitlines()
    assert [line for line in logged if "mixdigest: 1 done, 0 skipped, 0 failed" in line]
    assert [line for line in logged if "holds the lock" in line and f"PID {os.getpid()}" in line]
    assert (project / "logs" / "mixdigest.log.stderr").read_text() == ""
    assert list((project / "output").glob("story*.md"))


def test_log_file_rotates_and_stderr_is_used_only_when_interactive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import logging.handlers

    from jobs import cli
    from jobs.config import load

    config = load(ROOT / "config" / "job.yaml").with_paths(log_file=tmp_path / "m.log")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    cli._setup_logging(config, verbose=False)
    [handler] = logging.getLogger("mixdigest").handlers
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    assert (handler.maxBytes, handler.backupCount) == (cli.LOG_MAX_BYTES, cli.LOG_BACKUPS)
    assert logging.getLogger("jobs").handlers == [handler]  # jobs.ingest's warnings too
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    cli._setup_logging(config, verbose=False)
    kinds = {type(h) for h in logging.getLogger("mixdigest").handlers}
    assert kinds == {logging.StreamHandler, logging.handlers.RotatingFileHandler}
    cli._setup_logging(None, verbose=False)
    assert [type(h) for h in logging.getLogger("mixdigest").handlers] == [logging.StreamHandler]


def test_models_install_killed_midway_leaves_nothing_half_installed(
    tmp_path: Path, tiny_package: Path
) -> None:
    models = tmp_path / "models"
    hook = tmp_path / "hook"
    hook.mkdir()
    (tmp_path / "home").mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobs", "models", "install", tiny_package, "--models-dir", models],
        cwd=tmp_path,
        env=cli_env(tmp_path, {TEST_HOOK_ENV: f"install:1:{hook}"}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not (hook / "install.reached").exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=120)
    assert any((models / ".tmp").iterdir())  # killed with an unpacked package in .tmp

    assert ModelStore(models).installed() == []  # nothing half-installed is visible
    _one_article(tmp_path)
    nothing = run_job(tmp_path, models)
    assert nothing.returncode == 3 and "mixdigest models download uk en" in nothing.stderr
    again = models_command(tmp_path, "install", tiny_package, "--models-dir", models)
    assert again.returncode == 0, again.stderr
    assert leftovers(models) == []
    assert len(list((models / ".store").iterdir())) == 1
    assert run_job(tmp_path, models).returncode == 0
