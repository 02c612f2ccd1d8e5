"""The `mixdigest` command: parse arguments, set up logging, map errors to exit codes.

Heavy modules (CTranslate2, sumy, langdetect) are imported inside the commands so that
`mixdigest --help` stays instant.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from jobs import __version__
from jobs.errors import ConfigError, ExitCode, MixdigestError

if TYPE_CHECKING:
    from jobs.config import Config

log = logging.getLogger("mixdigest")

LOGGERS = ("mixdigest", "jobs")  # the pipeline's logger and the modules' own (jobs.ingest, …)
LOG_MAX_BYTES, LOG_BACKUPS = 5_000_000, 5


class _OneLineFormatter(logging.Formatter):
    """The console gets the message only; tracebacks go to the log file."""

    def format(self, record: logging.LogRecord) -> str:
        return "mixdigest: " + record.getMessage()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mixdigest",
        description="Summarise mixed Ukrainian/English news articles offline.",
        epilog="Exit codes: 0 all done; 1 some articles failed (or index.md/run.json could not "
        "be written); 2 usage or config error; "
        "3 a model or other prerequisite is missing; 75 another run holds the lock.",
    )
    parser.add_argument("--version", action="version", version=f"mixdigest {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--config",
            type=Path,
            metavar="FILE",
            help="YAML config (default: config/job.yaml if present)",
        )
        sub.add_argument(
            "--models-dir",
            type=Path,
            metavar="DIR",
            help="installed models (overrides paths.models)",
        )
        sub.add_argument("-v", "--verbose", action="store_true", help="log more detail")

    run = commands.add_parser("run", help="process new and changed articles in the input folder")
    common(run)
    run.add_argument("--input", type=Path, metavar="DIR", help="overrides paths.input")
    run.add_argument("--output", type=Path, metavar="DIR", help="overrides paths.output")
    run.add_argument("--state-dir", type=Path, metavar="DIR", help="overrides paths.state")
    run.add_argument(
        "--force",
        action="store_true",
        help="redo every article, even unchanged ones (translations, language detections and "
        "summaries are still taken from the memories in the state folder; delete them to "
        "recompute those)",
    )
    run.add_argument("--no-progress", action="store_true", help="no progress bar on a terminal")
    run.add_argument(
        "--log-file",
        type=Path,
        metavar="FILE",
        help="log to FILE, rotated at 5 MB, 5 kept (overrides paths.log_file); "
        "stderr then only gets messages when it is a terminal",
    )

    models = commands.add_parser("models", help="list, download, install or verify models")
    actions = models.add_subparsers(dest="action", required=True, metavar="ACTION")
    common(actions.add_parser("list", help="list installed models"))
    download = actions.add_parser("download", help="download and install SRC→TGT (network)")
    common(download)
    download.add_argument("source", metavar="SRC")
    download.add_argument("target", metavar="TGT")
    install = actions.add_parser("install", help="install a .argosmodel file (offline)")
    common(install)
    install.add_argument("file", type=Path, metavar="FILE.argosmodel")
    verify = actions.add_parser("verify", help="check installed models (exit 3 if broken)")
    common(verify)
    verify.add_argument(
        "pair", nargs="*", metavar="SRC TGT", help="also require this pair to be installed"
    )
    return parser


def _setup_logging(config: Config | None, verbose: bool) -> None:
    """Log to the configured file (rotated), and to stderr when it is a terminal or
    when there is no log file: under cron the file is the record, not cron's mail."""
    handlers: list[logging.Handler] = []
    log_file = config.paths.log_file if config is not None else None
    if log_file is None or sys.stderr.isatty():
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(_OneLineFormatter())
        console.setLevel(logging.DEBUG if verbose else logging.WARNING)
        handlers.append(console)
    if log_file is not None:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            handler: logging.Handler = logging.handlers.RotatingFileHandler(
                log_file, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
            )
        except OSError as exc:
            raise ConfigError(
                f"cannot open the log file {log_file}: {exc.strerror or exc}; "
                "fix paths.log_file or --log-file"
            ) from exc
        handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(message)s"))
        handlers.append(handler)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        for old in logger.handlers:
            old.close()
        logger.handlers = list(handlers)
        logger.setLevel(logging.DEBUG if verbose else logging.INFO)
        logger.propagate = False


def _load_config(args: argparse.Namespace) -> Config:
    from jobs import config as config_module

    config = config_module.load(args.config)
    return config.with_paths(
        input=getattr(args, "input", None),
        output=getattr(args, "output", None),
        models=args.models_dir,
        state=getattr(args, "state_dir", None),
        log_file=getattr(args, "log_file", None),
    )


def _cmd_run(args: argparse.Namespace, config: Config) -> int:
    from jobs import pipeline
    from jobs.progress import progress_for

    progress = progress_for(sys.stderr, enabled=not args.no_progress)
    report = pipeline.run(config, force=args.force, progress=progress)
    for error in report.errors:
        log.error("%s: %s", error.relpath, error.reason)
    print(report.line())
    log.info("%s", report.line())
    return ExitCode.SOME_FAILED if report.failed or report.errors else ExitCode.OK


def _cmd_models(args: argparse.Namespace, config: Config) -> int:
    from jobs.errors import MissingPrerequisite
    from jobs.models import ModelStore, missing_model_message

    store = ModelStore(config.paths.models)
    if args.action == "list":
        installed = store.installed()
        if not installed:
            print(f"no models installed in {config.paths.models}")
        for model in installed:
            print(
                f"{model.from_code}→{model.to_code}  {model.version:8}  {model.name}  {model.path}"
            )
        return ExitCode.OK
    if args.action == "install":
        model = store.install(args.file)
        print(f"installed {model.from_code}→{model.to_code} {model.version} at {model.path}")
        return ExitCode.OK
    if args.action == "download":
        model = store.download(args.source, args.target)
        print(f"installed {model.from_code}→{model.to_code} {model.version} at {model.path}")
        return ExitCode.OK
    # verify
    if args.pair and len(args.pair) != 2:
        raise ConfigError("models verify takes no pair or exactly two codes: SRC TGT")
    problems = []
    for model, problem in store.verify():
        print(f"{model.from_code}→{model.to_code} {model.name}: {problem or 'ok'}")
        if problem:
            problems.append(
                f"model {model.name} at {model.path} is broken: {problem}; "
                "reinstall it with mixdigest models install FILE.argosmodel"
            )
    if args.pair and store.find(args.pair[0], args.pair[1]) is None:
        problems.append(missing_model_message(args.pair[0]))
    if problems:
        raise MissingPrerequisite("\n".join(problems))
    return ExitCode.OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging_ready = False
    try:
        config = _load_config(args)
        _setup_logging(config, args.verbose)
        logging_ready = True
        if args.command == "run":
            return _cmd_run(args, config)
        return _cmd_models(args, config)
    except MixdigestError as exc:
        if not logging_ready:
            _setup_logging(None, getattr(args, "verbose", False))
        for line in str(exc).splitlines():
            log.error("%s", line)
        return exc.exit_code
    except KeyboardInterrupt:
        log.error("interrupted; outputs written so far are complete, rerun to finish")
        return ExitCode.INTERRUPTED
    except Exception as exc:  # a bug: one line for the user, the traceback for the log
        if not logging_ready:
            _setup_logging(None, getattr(args, "verbose", False))
        log.critical(
            "internal error: %s: %s (a bug; rerun with -v or see the log file for details, "
            "and report it)",
            type(exc).__name__,
            exc,
            exc_info=True,
        )
        return ExitCode.INTERNAL
