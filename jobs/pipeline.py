"""One run: discover → read → segment → detect → translate (one batch) → summarise → write.

The stages are pure functions over records; this module only wires them and owns the
order of side effects, so that a run killed at any point can be finished by the next:
outputs are written atomically and an article is recorded in the state store only
after its files are in place.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from jobs import __version__, ingest, render
from jobs.config import Config
from jobs.errors import InputError, MissingPrerequisite, MixdigestError, OutputError
from jobs.models import InstalledModel, ModelStore, missing_model_message
from jobs.progress import NoProgress, Progress
from jobs.records import (
    Article,
    ArticleResult,
    BlockKind,
    FileError,
    RunReport,
    Source,
    Span,
    Summary,
)
from jobs.state import (
    ArticleState,
    ResultMemory,
    RunLock,
    StateStore,
    atomic_write,
    checkpoint,
    code_fingerprint,
    remove_stale_temporaries,
)
from jobs.translate import Engine, TranslationMemory, TranslationOutcome, translate_all

log = logging.getLogger("mixdigest")

EngineFactory = Callable[[str], Engine | None]
"""Given a source language, the engine that translates it to English, or None."""


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


@dataclass
class _Work:
    """Articles of the sources that must be (re)done this run, in discovery order."""

    articles: dict[str, list[Article]] = field(default_factory=dict)  # source relpath → …
    sources: dict[str, Source] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)  # sources with a file or record error
    errors: list[FileError] = field(default_factory=list)
    clock: StageClock = field(default_factory=StageClock)


def run_fingerprint(config: Config, installed: Sequence[InstalledModel]) -> str:
    """What an output depends on besides its input: settings, models and code version."""
    models = sorted(f"{m.from_code}-{m.to_code}@{m.version}" for m in installed)
    settings = config.fingerprint("languages", "translation", "summary", "segment")
    return f"{__version__}|{settings}|{','.join(models)}"


def run(
    config: Config,
    *,
    force: bool = False,
    engine_factory: EngineFactory | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """Process every new or changed article under the input folder. Holds the run lock."""
    started = time.monotonic()
    progress = progress or NoProgress()
    paths = config.paths
    if not paths.input.is_dir():
        raise MissingPrerequisite(
            f"input folder {paths.input} does not exist; create it or pass --input DIR"
        )
    with RunLock(paths.state):
        remove_stale_temporaries(paths.output)
        store = ModelStore(paths.models)
        # A broken package stops the run here, named, before anything is read or written.
        store.preflight()
        # One scan of the models folder serves the fingerprint, detection and engines.
        installed = store.installed()
        engines = engine_factory or _argos_engines(config, installed)
        fingerprint = run_fingerprint(config, installed)
        state = StateStore(paths.state)
        try:
            return _run_locked(
                config, state, installed, engines, fingerprint, force, progress, started
            )
        finally:
            state.close()
            progress.close()


def _run_locked(
    config: Config,
    state: StateStore,
    installed: Sequence[InstalledModel],
    engines: EngineFactory,
    fingerprint: str,
    force: bool,
    progress: Progress,
    started: float,
) -> RunReport:
    paths = config.paths
    sources, errors = ingest.discover(paths.input, config.input.extensions)
    checkpoint("discovered")
    known = state.by_source()
    for gone in state.forget_missing({s.relpath for s in sources}, known):
        log.info("input %s is gone; its outputs stay in place", gone.key)

    todo: list[Source] = []
    unchanged: list[ArticleState] = []
    for source in sources:
        previous = known.get(source.relpath, [])
        if (
            not force
            and previous
            and all(
                p.source_sha256 == source.sha256
                and p.fingerprint == fingerprint
                and p.status != "error"
                and all((paths.output / out).is_file() for out in p.outputs)
                for p in previous
            )
        ):
            unchanged.extend(previous)
        else:
            todo.append(source)

    progress.start(len(todo))
    work = _prepare(config, installed, todo, progress)
    # Discovery errors name whole files; read errors name their source in work.failed.
    failed_sources: set[str] = {e.relpath for e in errors} | work.failed
    errors.extend(work.errors)

    results, spans_translated = _translate_and_summarise(config, work, engines, progress)

    rows: list[tuple[str, str, str, str]] = []
    done = 0  # articles written without failure; every entry of errors is one failure
    for relpath, source_results in results.items():
        states = []
        try:
            for result in source_results:
                with work.clock("write"):
                    name = _write_article(config, result)
                checkpoint("write")
                status = "failed" if result.failed else "ok"
                note = "; ".join(result.flags)
                rows.append((name, result.article.document.key, status, note))
                states.append(
                    ArticleState(
                        result.article.document.key,
                        work.sources[relpath].sha256,
                        fingerprint,
                        (f"{name}.md", f"{name}.json"),
                        status,
                    )
                )
        except OutputError as exc:
            errors.append(FileError(relpath, str(exc)))
            continue
        for result in source_results:
            if result.failed:
                errors.append(FileError(result.article.document.key, "; ".join(result.flags)))
            else:
                done += 1
        if any(s.status == "failed" for s in states):
            failed_sources.add(relpath)
        # A source whose records partly failed to read is recorded as "error" so that
        # the next run retries it instead of skipping it as unchanged.
        if relpath in failed_sources:
            states = [replace(s, status="error") for s in states]
        state.record(relpath, states)

    for kept in unchanged:
        name = kept.outputs[0].removesuffix(".md") if kept.outputs else kept.key
        rows.append((name, kept.key, "unchanged", ""))
    listed = {key for _, key, _, _ in rows}
    for error in errors:
        if error.relpath not in listed:
            listed.add(error.relpath)
            rows.append((render.output_name(error.relpath), error.relpath, "error", error.reason))

    report = RunReport(
        done=done,
        skipped=len(unchanged),
        failed=len(errors),
        spans_translated=spans_translated,
        seconds=time.monotonic() - started,
        errors=tuple(errors),
        stage_seconds=dict(work.clock.seconds),
    )
    rows.sort(key=lambda row: row[1])
    problem = _write_run_files(config, rows, report)
    if problem is not None:
        # Not an article: "failed" keeps counting articles, but the run exits 1 naming it.
        # The articles are written and recorded; the next run rewrites the index.
        report = replace(report, errors=(*report.errors, problem))
    return report


def _prepare(
    config: Config,
    installed: Sequence[InstalledModel],
    sources: Iterable[Source],
    progress: Progress,
) -> _Work:
    """Read, segment and detect. Per-file problems become FileErrors, never exceptions."""
    work = _Work()
    sources = list(sources)
    if not sources:
        return work  # a run with nothing to do imports and loads none of the stages
    # Imported here, not at the top: a run that skips everything must stay fast.
    from jobs import langid, segment

    clock = work.clock
    installed_sources = {m.from_code for m in installed if m.to_code == config.languages.target}
    detector = langid.LanguageDetector(
        langid.candidate_languages(config.languages, installed_sources)
    )
    segmented: dict[str, list[Article]] = {}
    for source in sources:
        try:
            with clock("read"):
                documents, record_errors = ingest.read(source, config.input)
            checkpoint("read")
        except InputError as exc:
            work.errors.append(FileError(source.relpath, str(exc)))
            work.failed.add(source.relpath)
            progress.advance(articles=1)
            continue
        work.errors.extend(record_errors)
        if record_errors:
            work.failed.add(source.relpath)
        if documents:
            with clock("segment"):
                segmented[source.relpath] = [segment.segment(d, config.segment) for d in documents]
            work.sources[source.relpath] = source
        elif not record_errors:
            work.errors.append(FileError(source.relpath, "no articles in this file"))
            work.failed.add(source.relpath)
    # All articles at once: one look-up in the detection memory, one store.
    with clock("detect"), langid.DetectionMemory(config.paths.state) as memory:
        labelled = iter(langid.label_all(_flat(segmented.values()), detector, memory))
        for relpath, articles in segmented.items():
            work.articles[relpath] = [next(labelled) for _ in articles]
    return work


def _flat(groups: Iterable[list[Article]]) -> list[Article]:
    return [item for group in groups for item in group]


def _translate_and_summarise(
    config: Config, work: _Work, engines: EngineFactory, progress: Progress
) -> tuple[dict[str, list[ArticleResult]], int]:
    if not work.articles:
        return {}, 0  # a run that skips everything opens neither memory
    requests: dict[str, set[str]] = defaultdict(set)
    for articles in work.articles.values():
        for article in articles:
            for span in article.spans():
                if span.needs_translation:
                    requests[span.lang].add(span.text.strip())

    available: dict[str, Engine] = {}
    missing: set[str] = set()
    for lang in sorted(requests):
        with work.clock("load model"):
            engine = engines(lang)
        if engine is None:
            missing.add(lang)
        else:
            available[lang] = engine
    required_missing = sorted(missing & set(config.languages.require_models))
    if required_missing:
        raise MissingPrerequisite(
            "\n".join(missing_model_message(lang) for lang in required_missing)
        )

    with work.clock("translate"), TranslationMemory(config.paths.state) as memory:
        checkpoint("translate")
        outcome = translate_all(
            {lang: texts for lang, texts in requests.items() if lang in available},
            available,
            memory,
            progress=lambda n: _batch_done(progress, n),
        )

    with work.clock("translate"):
        translated = {
            relpath: [_apply_translations(article, outcome, missing) for article in articles]
            for relpath, articles in work.articles.items()
        }
    results: dict[str, list[ArticleResult]] = {relpath: [] for relpath in translated}
    with work.clock("summarise"), ResultMemory(config.paths.state) as memory:
        settings_and_code = f"{config.fingerprint('summary')}|{_summary_code()}"
        keyed = [
            (relpath, article, _summary_key(settings_and_code, article))
            for relpath, articles in translated.items()
            for article in articles
        ]
        known = memory.lookup(SUMMARY_STAGE, [key for _, _, key in keyed])
        fresh: dict[bytes, str] = {}
        for relpath, article, key in keyed:
            result = _summarise(config, article, missing, known.get(key))
            if key not in known:
                fresh[key] = _summaries_json(result)
            results[relpath].append(result)
            progress.advance(articles=1)
        memory.store(SUMMARY_STAGE, fresh)
    return results, outcome.translated


def _batch_done(progress: Progress, spans: int) -> None:
    checkpoint("translated")
    progress.advance(spans=spans)


def _apply_translations(
    article: Article, outcome: TranslationOutcome, missing: set[str]
) -> Article:
    def span_in_english(span: Span) -> Span:
        if not span.needs_translation:
            return span
        key = (span.lang, span.text.strip())
        english = outcome.translations.get(key)
        if english is None:
            flag = "no-model" if span.lang in missing else "untranslated"
            return replace(span, flags=(*span.flags, flag))
        return replace(span, english=english, flags=(*span.flags, *outcome.flags.get(key, ())))

    return article.map_spans(lambda span, _sentence: span_in_english(span))


SUMMARY_STAGE = "summary"


@functools.cache
def _summary_code() -> str:
    """The code and libraries a summary runs through. Conservative on purpose: any edit
    to these files summarises again. summarize.py, the records it reads, the word
    tokenizer it borrows from segment.py, and this module (which picks the
    source-summary language)."""
    modules = ("summarize.py", "records.py", "segment.py", "pipeline.py")
    return code_fingerprint(
        [Path(__file__).with_name(module) for module in modules], ("sumy", "nltk", "regex")
    )


def _summary_key(settings_and_code: str, article: Article) -> bytes:
    """A digest of everything an article's summaries depend on: its translated blocks
    (the records' repr is complete and deterministic), its title, and
    ``settings_and_code`` (the summary settings' fingerprint and ``_summary_code()``)."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (settings_and_code, article.document.title or ""):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(repr(article.blocks).encode())
    return digest.digest()


def _summaries_json(result: ArticleResult) -> str:
    source = result.source_summary
    return json.dumps(
        [result.summary.to_dict(), source.to_dict() if source is not None else None],
        ensure_ascii=False,
    )


def _summarise(
    config: Config, article: Article, missing: set[str], remembered: str | None = None
) -> ArticleResult:
    """The article's summaries and flags; ``remembered`` is what ``_summaries_json`` made
    of an earlier result for the same key, used instead of summarising again."""
    flags: list[str] = []
    untranslated = _untranslated_by_lang(article)
    for lang, count in sorted(untranslated.items()):
        if lang in missing:
            flags.append(
                f"error: no {lang}→en model; {count} span(s) left untranslated. Fix: "
                f"mixdigest models download {lang} en (or models install FILE.argosmodel)"
            )
        else:
            flags.append(f"error: {count} {lang} span(s) could not be translated")
    suspicious = sum(
        1 for span in article.spans() if set(span.flags) - {"no-model", "untranslated"}
    )
    if suspicious:
        flags.append(f"check: {suspicious} translation(s) look suspicious (see flags column)")
    if remembered is not None:
        english, source = json.loads(remembered)
        summary = Summary.from_dict(english)
        source_summary = Summary.from_dict(source) if source is not None else None
        return ArticleResult(article, summary, source_summary, tuple(flags))

    from jobs import summarize  # sumy/NLTK take ~0.4 s to import; skip runs never need them

    summary = summarize.summarize(article, config.summary)
    source_summary = None
    if config.summary.also_in_source_language:
        language = _main_foreign_language(article)
        if language is not None:
            source_summary = summarize.summarize_source_language(article, config.summary, language)
    return ArticleResult(article, summary, source_summary, tuple(flags))


def _main_foreign_language(article: Article) -> str | None:
    """The non-English language with the most letters in the body, if any."""
    letters: dict[str, int] = defaultdict(int)
    for _, sentence in article.sentences(BlockKind.BODY):
        for span in sentence.spans:
            if span.needs_translation:
                letters[span.lang] += len(span.text)
    return max(sorted(letters), key=letters.__getitem__) if letters else None


def _untranslated_by_lang(article: Article) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for span in article.spans():
        if span.needs_translation and span.english is None:
            counts[span.lang] += 1
    return counts


def _write_article(config: Config, result: ArticleResult) -> str:
    name = render.output_name(result.article.document.key)
    out = config.paths.output
    # JSON first, review file last: the .md's presence means the article is complete.
    atomic_write(out / f"{name}.json", render.render_json(result, name))
    atomic_write(out / f"{name}.md", render.render_markdown(result, name))
    return name


def _write_run_files(
    config: Config, rows: list[tuple[str, str, str, str]], report: RunReport
) -> FileError | None:
    """Write index.md and run.json; a failure is returned, to fail the run by name."""
    out = config.paths.output
    name = "index.md"
    try:
        atomic_write(out / name, render.render_index(rows, report.line()))
        name = "run.json"
        manifest = {
            "version": __version__,
            "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "done": report.done,
            "skipped": report.skipped,
            "failed": report.failed,
            "spans_translated": report.spans_translated,
            "seconds": round(report.seconds, 3),
            "errors": [{"source": e.relpath, "reason": e.reason} for e in report.errors],
        }
        atomic_write(out / name, json.dumps(manifest, ensure_ascii=False, indent=1))
    except OutputError as exc:
        return FileError(name, str(exc))
    return None


def _argos_engines(config: Config, installed: Sequence[InstalledModel]) -> EngineFactory:
    """Engines for installed Argos packages, loaded on first use and once per run."""
    from jobs.translate import ArgosEngine

    target = config.languages.target
    # installed is sorted by version, so the newest package of a pair wins.
    newest = {m.from_code: m for m in installed if m.to_code == target}
    loaded: dict[str, Engine | None] = {}

    def engine_for(lang: str) -> Engine | None:
        if lang not in loaded:
            model = newest.get(lang)
            if model is None:
                loaded[lang] = None
            else:
                try:
                    loaded[lang] = ArgosEngine(model, config.translation, config.paths.models)
                except MixdigestError:
                    raise
                except Exception as exc:  # a broken package must stop the run, named
                    raise MissingPrerequisite(
                        f"the installed model {model.name} at {model.path} cannot be loaded "
                        f"({exc}); reinstall it: mixdigest models install FILE.argosmodel"
                    ) from exc
        return loaded[lang]

    return engine_for
