"""The error for a library data file the detector reads directly but cannot understand.

wordfreq's word lists and langdetect's profiles are read as files, not through their
packages' API (``lexicon`` and ``profiles`` say why). A new version of either may
change those files; read without a check, a changed file would leave the detector
quietly without its evidence. Each file a detector may need is therefore checked when
the detector is created, before any article is read, and fails with this error.
"""

from __future__ import annotations

from pathlib import Path

from jobs.errors import DataError
from jobs.state import installed_version

FIX = "reinstall the pinned versions: make clean && make run"


def unexpected(what: str, path: Path | str, expected: str, found: str, package: str) -> DataError:
    """A DataError naming the file, what the detector expected, what it found and what
    to do about it."""
    version = installed_version(package, "(version unknown)")
    return DataError(
        f"{what} {path} is not what the language detector reads: expected {expected};"
        f" found {found}. Installed: {package} {version}; {FIX}"
    )


def found_error(exc: BaseException) -> str:
    """What reading a file that is not in the expected format raised, as ``found``."""
    return f"a file that cannot be read that way ({type(exc).__name__}: {exc})"
