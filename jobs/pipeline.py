"""One run: discover → read → segment → detect → translate → summarise → write.

This module only sequences the stages (each a function of its own module) and owns the
order of side effects, so that a run killed at any point can be finished by the next:
outputs are written atomically and an article is recorded in the run state only after
its files are in place.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from jobs import __version__, ingest, render
from jobs.config import Config
from jobs.errors import InputError, MissingPrerequisite, MixdigestError, OutputError
from jobs.models import InstalledModel, ModelStore
from jobs.progress import NoProgress, Progress
from jobs.records import Article, ArticleResult, FileError, RunReport, Source
from jobs.state import (
    ArticleState,
    ResultMemory,
    RunLock,
    StateStore,
    atomic_write,
    checkpoint,
    remove_stale_temporaries,
)
from jobs.translation import Engine, EngineFactory, EngineSpec
from jobs.view import IndexRow, article_view, output_name, status_of

log = logging.getLogger("mixdigest")


class StageClock:
    """Wall time spent in each stage over the whole run, for the benchmark's breakdown."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] += time.perf_counter() - started


def run_fingerprint(config: Config, installed: Sequence[InstalledModel]) -> str:
    """What an output depends on besides its input: settings, models and code version."""
    models = sorted(m.identity for m in installed)
    settings = config.fingerprint("languages", "translation", "summary", "segment", "output")
    return f"{__version__}|{settings}|{','.join(models)}"


def run(
    config: Config,
    *,
    force: bool = False,
    only: Path | None = None,
    engine_factory: EngineFactory | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """Process every new or changed article under the input folder (or just the file
    ``only`` inside it). Holds the run lock."""
    started = time.monotonic()
    paths = config.paths
    ingest.require_folder(paths.input)  # before the lock creates the state folder
    with RunLock(paths.state):
        remove_stale_temporaries(paths.output)
        store = ModelStore(paths.models)
        # A broken package stops the run here, named, before anything is read or written.
        store.preflight()
        # One scan of the models folder serves the fingerprint, detection and engines.
        installed = store.installed()
        state = StateStore(paths.state)
        this_run = _Run(
            config=config,
            state=state,
            installed=installed,
            engines=engine_factory or argos_engines(config, installed),
            fingerprint=run_fingerprint(config, installed),
            force=force,
            progress=progress or NoProgress(),
            started=started,
        )
        try:
            return this_run.execute(only)
        finally:
            state.close()
            this_run.progress.close()


@dataclass
class _Run:
    """What the stages of one run share."""

    config: Config
    state: StateStore
    installed: Sequence[InstalledModel]
    engines: EngineFactory
    fingerprint: str
    force: bool
    progress: Progress
    started: float
    clock: StageClock = field(default_factory=StageClock)
    errors: list[FileError] = field(default_factory=list)
    failed_sources: set[str] = field(default_factory=set)  # a file or record error
    spans_translated: int = 0

    def execute(self, only: Path | None) -> RunReport:
        paths = self.config.paths
        found = ingest.discover(paths.input, self.config.input.extensions, only=only)
        checkpoint("discovered")
        self.errors.extend(found.errors)
        self.failed_sources.update(e.relpath for e in found.errors)
        _log_ignored(found.ignored, self.config)
        if not found.sources and not found.errors:
            log.warning(
                "the input %s holds no article files (%s)",
                paths.input,
                ", ".join(self.config.input.extensions),
            )
        todo, unchanged = self._plan(found.sources, forget_missing=only is None)
        articles = self._read(todo)
        results = self._process(articles)
        rows, done = self._write(results, {s.relpath: s for s in todo})
        rows += [_unchanged_row(kept) for kept in unchanged]
        listed = {row.key for row in rows}
        for error in self.errors:
            if error.relpath not in listed:
                listed.add(error.relpath)
                rows.append(
                    IndexRow(output_name(error.relpath), error.relpath, "error", error.reason)
                )
        report = RunReport(
            done=done,
            skipped=len(unchanged),
            failed=len(self.errors),
            spans_translated=self.spans_translated,
            seconds=time.monotonic() - self.started,
            errors=tuple(self.errors),
            ignored=tuple(found.ignored),
            stage_seconds=dict(self.clock.seconds),
        )
        problem = _write_run_files(self.config, sorted(rows, key=lambda r: r.key), report)
        if problem is not None:
            # Not an article: "failed" keeps counting articles, but the run exits 1 naming
            # it. The articles are written and recorded; the next run rewrites the index.
            report = replace(report, errors=(*report.errors, problem))
        return report

    # -- plan: what must be done ----------------------------------------------------

    def _plan(
        self, sources: Sequence[Source], *, forget_missing: bool
    ) -> tuple[list[Source], list[ArticleState]]:
        """The sources to (re)do, and the states of the unchanged ones."""
        known = self.state.by_source()
        if forget_missing:
            present = {s.relpath for s in sources}
            for gone in self.state.forget_missing(present, known):
                log.info("input %s is gone; its outputs stay in place", gone.key)
        expected = [render.FORMATS[f].suffix for f in self.config.output.formats]
        todo: list[Source] = []
        unchanged: list[ArticleState] = []
        for source in sources:
            previous = known.get(source.relpath, [])
            if (
                not self.force
                and previous
                and all(
                    _still_valid(p, source, self.fingerprint, expected, self.config.paths.output)
                    for p in previous
                )
            ):
                unchanged.extend(previous)
            else:
                todo.append(source)
        return todo, unchanged

    # -- read, segment, detect ------------------------------------------------------

    def _read(self, sources: Sequence[Source]) -> dict[str, list[Article]]:
        """Each source's articles, segmented and labelled. Per-file problems become
        FileErrors, never exceptions."""
        if not sources:
            return {}  # a run with nothing to do imports and loads none of the stages
        # Imported here, not at the top: a run that skips everything must stay fast.
        from jobs import langid, segment

        self.progress.stage("read", len(sources), "file")
        segmented: dict[str, list[Article]] = {}
        for source in sources:
            self.progress.advance()
            try:
                with self.clock("read"):
                    documents, record_errors = ingest.read(source, self.config.input)
                checkpoint("read")
            except InputError as exc:
                self._fail(source.relpath, str(exc))
                continue
            self.errors.extend(record_errors)
            if record_errors:
                self.failed_sources.add(source.relpath)
            if documents:
                with self.clock("segment"):
                    segmented[source.relpath] = [
                        segment.segment(d, self.config.segment) for d in documents
                    ]
            elif not record_errors:
                self._fail(source.relpath, "no articles in this file")
        if not segmented:
            return {}
        target = self.config.languages.target
        installed_sources = {m.from_code for m in self.installed if m.to_code == target}
        detector = langid.LanguageDetector(
            langid.candidate_languages(self.config.languages, installed_sources)
        )
        flat = [article for articles in segmented.values() for article in articles]
        # All articles at once: one look-up in the detection memory, one store.
        with self.clock("detect"), langid.DetectionMemory(self.config.paths.state) as memory:
            labelled = iter(langid.label_all(flat, detector, memory))
        return {relpath: [next(labelled) for _ in arts] for relpath, arts in segmented.items()}

    def _fail(self, relpath: str, reason: str) -> None:
        self.errors.append(FileError(relpath, reason))
        self.failed_sources.add(relpath)

    # -- translate, summarise ---------------------------------------------------------

    def _process(self, by_source: dict[str, list[Article]]) -> dict[str, list[ArticleResult]]:
        if not by_source:
            return {}  # a run that skips everything opens neither memory
        from jobs import summarize, translation

        flat = [article for articles in by_source.values() for article in articles]
        with self.clock("translate"), translation.TranslationMemory(self.config.paths.state) as tm:
            checkpoint("translate")
            translated, outcome = translation.translate_articles(
                flat,
                self.engines,
                tm,
                required=self.config.languages.require_models,
                progress=self.progress,
            )
        self.spans_translated = outcome.translated
        with self.clock("summarise"), ResultMemory(self.config.paths.state) as memory:
            summaries = summarize.summarize_articles(translated, self.config, memory)
        results = iter(
            ArticleResult(article, summary, source_summary, translation.article_flags(article))
            for article, (summary, source_summary) in zip(translated, summaries, strict=True)
        )
        return {relpath: [next(results) for _ in arts] for relpath, arts in by_source.items()}

    # -- write and record -----------------------------------------------------------

    def _write(
        self, results: dict[str, list[ArticleResult]], sources: dict[str, Source]
    ) -> tuple[list[IndexRow], int]:
        """Write every article's files and record each source once they are in place.

        Returns the index rows and the number of articles written without failure.
        """
        rows: list[IndexRow] = []
        done = 0
        self.progress.stage("write", sum(map(len, results.values())), "article")
        for relpath, source_results in results.items():
            states = []
            try:
                for result in source_results:
                    with self.clock("write"):
                        name, outputs = _write_article(self.config, result)
                    checkpoint("write")
                    self.progress.advance()
                    status = "failed" if result.failed else "ok"
                    rows.append(
                        IndexRow(name, result.article.document.key, status, "; ".join(result.flags))
                    )
                    log.info("%s: %s → %s", result.article.document.key, status_of(result), name)
                    states.append(
                        ArticleState(
                            result.article.document.key,
                            sources[relpath].sha256,
                            self.fingerprint,
                            outputs,
                            status,
                        )
                    )
            except OutputError as exc:
                self.errors.append(FileError(relpath, str(exc)))
                continue
            for result in source_results:
                if result.failed:
                    self.errors.append(
                        FileError(result.article.document.key, "; ".join(result.flags))
                    )
                else:
                    done += 1
            if any(s.status == "failed" for s in states):
                self.failed_sources.add(relpath)
            # A source whose records partly failed to read is recorded as "error" so that
            # the next run retries it instead of skipping it as unchanged.
            if relpath in self.failed_sources:
                states = [replace(s, status="error") for s in states]
            self.state.record(relpath, states)
        return rows, done


def _still_valid(
    previous: ArticleState, source: Source, fingerprint: str, suffixes: Sequence[str], out: Path
) -> bool:
    """Whether an article recorded earlier can be skipped: same input bytes, same
    settings, models and code, not an error, and every file of today's formats there."""
    name = output_name(previous.key)
    return (
        previous.source_sha256 == source.sha256
        and previous.fingerprint == fingerprint
        and previous.status != "error"
        and all((out / f"{name}{suffix}").is_file() for suffix in suffixes)
    )


def _unchanged_row(kept: ArticleState) -> IndexRow:
    return IndexRow(output_name(kept.key), kept.key, "unchanged", "")


def _log_ignored(ignored: Sequence[str], config: Config) -> None:
    if not ignored:
        return
    shown = ", ".join(ignored[:10]) + (
        f" and {len(ignored) - 10} more" if len(ignored) > 10 else ""
    )
    log.warning(
        "ignored %d file(s) of a type the job does not read: %s (it reads %s; input.extensions)",
        len(ignored),
        shown,
        ", ".join(config.input.extensions),
    )


def _write_article(config: Config, result: ArticleResult) -> tuple[str, tuple[str, ...]]:
    """Write the article's files in the configured formats; returns its name and files."""
    name = output_name(result.article.document.key)
    view = article_view(result, name)
    files = []
    # In FORMATS' order: the review file last, so its presence means the rest is there.
    for fmt, writer in render.FORMATS.items():
        if fmt in config.output.formats:
            atomic_write(config.paths.output / f"{name}{writer.suffix}", writer.render(view))
            files.append(f"{name}{writer.suffix}")
    return name, tuple(files)


def _write_run_files(config: Config, rows: list[IndexRow], report: RunReport) -> FileError | None:
    """Write index.md and run.json; a failure is returned, to fail the run by name."""
    out = config.paths.output
    link = (
        ".md" if "md" in config.output.formats else render.FORMATS[config.output.formats[0]].suffix
    )
    name = "index.md"
    try:
        atomic_write(out / name, render.render_index(rows, report.line(), link))
        name = "run.json"
        manifest = {
            "version": __version__,
            "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "done": report.done,
            "skipped": report.skipped,
            "failed": report.failed,
            "ignored": list(report.ignored),
            "spans_translated": report.spans_translated,
            "seconds": round(report.seconds, 3),
            "errors": [{"source": e.relpath, "reason": e.reason} for e in report.errors],
        }
        atomic_write(out / name, json.dumps(manifest, ensure_ascii=False, indent=1))
    except OutputError as exc:
        return FileError(name, str(exc))
    return None


def argos_engines(config: Config, installed: Sequence[InstalledModel]) -> EngineFactory:
    """Engines for installed Argos packages, loaded on first use and once per run."""
    target = config.languages.target
    # installed is sorted by version, so the newest package of a pair wins.
    newest = {m.from_code: m for m in installed if m.to_code == target}
    loaded: dict[str, Engine | None] = {}

    def engine_for(lang: str) -> Engine | None:
        if lang not in loaded:
            model = newest.get(lang)
            loaded[lang] = (
                None
                if model is None
                else _load(EngineSpec(model, config.translation, config.paths.models))
            )
        return loaded[lang]

    return engine_for


def _load(spec: EngineSpec) -> Engine:
    try:
        return spec.load()
    except MixdigestError:
        raise
    except Exception as exc:  # a broken package must stop the run, named
        model = spec.model
        raise MissingPrerequisite(
            f"the installed model {model.name} at {model.path} cannot be loaded "
            f"({exc}); reinstall it: mixdigest models install FILE.argosmodel"
        ) from exc
