"""One exception family and the exit codes it maps to. Every message says what went
wrong and what to do next.

The exit codes are the contract with cron wrappers and monitoring; the README's table
lists the same rows and ``tests/test_exit_codes.py`` provokes each one through the
command.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    SOME_FAILED = 1  # some articles failed; the rest were written
    USAGE = 2  # the command line or the configuration is wrong; nothing was processed
    PREREQUISITE = 3  # a model, a writable state folder or other prerequisite is missing
    INTERNAL = 70  # EX_SOFTWARE: a bug, not the user's input
    LOCKED = 75  # EX_TEMPFAIL: another run holds the lock; retry later
    INTERRUPTED = 130  # 128 + SIGINT


class MixdigestError(Exception):
    """Base of every error the job reports to a user instead of a traceback."""

    exit_code: ExitCode = ExitCode.SOME_FAILED


class ConfigError(MixdigestError):
    """The configuration or the command line is wrong; nothing was processed."""

    exit_code = ExitCode.USAGE

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class MissingPrerequisite(MixdigestError):
    """A model or another prerequisite is missing; the message gives the fixing command."""

    exit_code = ExitCode.PREREQUISITE


class ModelError(MissingPrerequisite):
    """An installed or offered model package is broken or incomplete."""


class StateError(MissingPrerequisite):
    """The state folder (run lock, run state) cannot be created, written or read."""


class DataError(MissingPrerequisite):
    """Data a library ships (word lists, language profiles) is missing or not in the
    format the job reads; the installation is broken."""


class LockHeld(MixdigestError):
    """Another run holds the lock (EX_TEMPFAIL, so cron wrappers may retry later)."""

    exit_code = ExitCode.LOCKED


class InputError(MixdigestError):
    """One input file cannot be processed; the run goes on with the others."""


class OutputError(MixdigestError):
    """Writing an output failed (disk full, permissions); earlier good outputs stay."""
