"""One exception family. Every message says what went wrong and what to do next."""

from __future__ import annotations


class MixdigestError(Exception):
    """Base of every error the job reports to a user instead of a traceback."""

    exit_code = 1


class ConfigError(MixdigestError):
    """The configuration or the command line is wrong; nothing was processed."""

    exit_code = 2

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class MissingPrerequisite(MixdigestError):
    """A model or another prerequisite is missing; the message gives the fixing command."""

    exit_code = 3


class ModelError(MissingPrerequisite):
    """An installed or offered model package is broken or incomplete."""


class LockHeld(MixdigestError):
    """Another run holds the lock (EX_TEMPFAIL, so cron wrappers may retry later)."""

    exit_code = 75


class InputError(MixdigestError):
    """One input file cannot be processed; the run goes on with the others."""


class OutputError(MixdigestError):
    """Writing an output failed (disk full, permissions); earlier good outputs stay."""
