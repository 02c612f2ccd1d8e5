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
    from jobs.config import Config, ConfigChoice

log = logging.getLogger("mixdigest")

LOGGERS = ("mixdigest", "jobs")  # the pipeline's logger and the modules' own (jobs.ingest, …)
LOG_MAX_BYTES, LOG_BACKUPS = 5_000_000, 5
FILE_ONLY = {"console": False}  # `extra=` for a record the console must not repeat
PATH_OPTIONS = {  # option → paths.<key>
    "input": "input",
    "output": "output",
    "models_dir": "models",
    "state_dir": "state",
    "log_file": "log_file",
}
EXIT_CODES = (
    "Exit codes: 0 all done; 1 some articles failed (the rest were written), or index.md/"
    "run.json could not be written; 2 usage or config error, or the input does not exist; "
    "3 a model, a writable state folder or another prerequisite is missing; "
    "70 internal error (a bug); 75 another run holds the lock; 130 interrupted."
)


class _OneLineFormatter(logging.Formatter):
    """The console gets the message only; tracebacks go to the log file."""

    def format(self, record: logging.LogRecord) -> str:
        return "mixdigest: " + record.getMessage()


def _console_allowed(record: logging.LogRecord) -> bool:
    return getattr(record, "console", True) is not False


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Like ``parse_args``, but an unknown option is reported by the (sub)command it was
    given to, with that command's usage, not by the top-level parser."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        leaf: argparse.ArgumentParser = getattr(args, "leaf", parser)
        leaf.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mixdigest",
        description="Summarise mixed Ukrainian/English news articles offline.",
        epilog=EXIT_CODES,
    )
    parser.add_argument("--version", action="version", version=f"mixdigest {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def leaf(
        group: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help: str
    ) -> argparse.ArgumentParser:
        sub = group.add_parser(name, help=help, description=help[:1].upper() + help[1:] + ".")
        sub.set_defaults(leaf=sub)
        sub.add_argument(
            "--config",
            type=Path,
            metavar="FILE",
            help="YAML settings laid over the defaults (default: $MIXDIGEST_CONFIG, else "
            "config/job.yaml in this folder or above, else the project's own)",
        )
        sub.add_argument(
            "--models-dir",
            type=Path,
            metavar="DIR",
            help="installed models (overrides paths.models)",
        )
        sub.add_argument(
            "-v",
            "--verbose",
            action="store_true",
            help="also say which config is used, each article written and each stage's time",
        )
        return sub

    def paths(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--input",
            type=Path,
            metavar="PATH",
            help="a folder of articles, or one article file (overrides paths.input)",
        )
        sub.add_argument("--output", type=Path, metavar="DIR", help="overrides paths.output")
        sub.add_argument("--state-dir", type=Path, metavar="DIR", help="overrides paths.state")
        sub.add_argument(
            "--log-file",
            type=Path,
            metavar="FILE",
            help="log to FILE, rotated at 5 MB, 5 kept (overrides paths.log_file); "
            "stderr then only gets messages when it is a terminal",
        )

    run = leaf(commands, "run", "process new and changed articles in the input folder")
    paths(run)
    run.add_argument(
        "--force",
        action="store_true",
        help="redo every article, even unchanged ones (translations, language detections and "
        "summaries are still taken from the memories in the state folder; delete them to "
        "recompute those)",
    )
    run.add_argument("--no-progress", action="store_true", help="no progress bar on a terminal")

    models = commands.add_parser("models", help="list, download, install or verify models")
    actions = models.add_subparsers(dest="action", required=True, metavar="ACTION")
    leaf(actions, "list", "list installed models")
    download = leaf(actions, "download", "download and install SRC→TGT (network)")
    download.add_argument("source", metavar="SRC")
    download.add_argument("target", metavar="TGT")
    install = leaf(actions, "install", "install a .argosmodel file (offline)")
    install.add_argument("file", type=Path, metavar="FILE.argosmodel")
    verify = leaf(actions, "verify", "check installed models (exit 3 if broken)")
    verify.add_argument(
        "pair", nargs="*", metavar="SRC TGT", help="also require this pair to be installed"
    )

    config = commands.add_parser("config", help="show the settings in effect")
    config_actions = config.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = leaf(
        config_actions,
        "show",
        "print the settings in effect as YAML, with where each value came from",
    )
    paths(show)
    return parser


def _setup_logging(config: Config | None, verbose: bool) -> None:
    """Log to the configured file (rotated), and to stderr when it is a terminal or
    when there is no log file: under cron the file is the record, not cron's mail."""
    handlers: list[logging.Handler] = []
    log_file = config.paths.log_file if config is not None else None
    if log_file is None or sys.stderr.isatty():
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(_OneLineFormatter())
        console.setLevel(logging.INFO if verbose else logging.WARNING)
        console.addFilter(_console_allowed)
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


def _load_config(args: argparse.Namespace) -> tuple[Config, ConfigChoice, Path | None]:
    """The settings in effect, the config file chosen, and the one article file to
    process when ``--input`` names a file rather than a folder."""
    from jobs import config as config_module

    choice = config_module.locate(args.config)
    config = config_module.load_choice(choice)
    overrides = {key: getattr(args, option, None) for option, key in PATH_OPTIONS.items()}
    only = None
    given: Path | None = overrides["input"]
    if given is not None and given.is_file():
        only = given.resolve()
        # Inside the configured folder, the file keeps the key (and output name) a
        # folder run gives it; elsewhere its own folder is the input.
        overrides["input"] = None if only.is_relative_to(config.paths.input) else only.parent
    return config.with_paths("command line", **overrides), choice, only


def _say_which_config(choice: ConfigChoice) -> None:
    if choice.path is None:
        log.warning("%s", choice.describe())
    else:
        log.info("%s", choice.describe())


def _cmd_run(args: argparse.Namespace, config: Config, only: Path | None) -> int:
    from jobs import pipeline
    from jobs.progress import progress_for

    progress = progress_for(sys.stderr, enabled=not args.no_progress)
    report = pipeline.run(config, force=args.force, only=only, progress=progress)
    for error in report.errors:
        log.error("%s: %s", error.relpath, error.reason)
    if report.stage_seconds:
        stages = ", ".join(f"{name} {s:.2f}s" for name, s in report.stage_seconds.items())
        log.info("time by stage: %s", stages)
    print(report.line())
    log.info("%s", report.line(), extra=FILE_ONLY)
    return ExitCode.SOME_FAILED if report.failed or report.errors else ExitCode.OK


def _cmd_models(args: argparse.Namespace, config: Config) -> int:
    from jobs.errors import MissingPrerequisite
    from jobs.models import ModelStore, missing_model_message

    store = ModelStore(config.paths.models)
    if args.action == "list":
        origin = config.provenance.origin("paths.models")
        print(f"models folder: {config.paths.models} (paths.models from {origin})")
        installed = store.installed()
        if not installed:
            print("no models installed there")
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


def _cmd_config(config: Config, choice: ConfigChoice) -> int:
    from jobs.config import render

    print(render(config, header=["mixdigest settings in effect", choice.describe()]), end="")
    return ExitCode.OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(_parser(), argv)
    logging_ready = False
    try:
        config, choice, only = _load_config(args)
        _setup_logging(config, args.verbose)
        logging_ready = True
        _say_which_config(choice)
        if args.command == "run":
            return _cmd_run(args, config, only)
        if args.command == "config":
            return _cmd_config(config, choice)
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
