"""The installed packages of one models folder: listing, finding and checking them.

Layout of the models folder::

    translate-uk_en -> .store/translate-uk_en-1_9-3f2a…   one symlink per language pair
    .store/…        unpacked packages (metadata.json, model/, sentencepiece.model)
    .tmp/           extractions in progress; anything here is garbage after a crash
    .argos/         argostranslate's data/cache/config folders (index, downloads)

A plain package folder put into the models folder by hand is listed as well.
Installing (``jobs.models.install``) and downloading (``jobs.models.download``) live in
modules of their own; the store's methods of those names call them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jobs.errors import ModelError
from jobs.models.package import (
    InstalledModel,
    check_loads,
    file_problem,
    missing_files,
    model_of,
    read_metadata,
)


def missing_model_message(lang: str, target: str = "en") -> str:
    """What to tell a user when no lang→target model is installed."""
    return (
        f"no {lang}→{target} translation model is installed. Install one with either:\n"
        f"  mixdigest models download {lang} {target}   (needs network, once)\n"
        f"  mixdigest models install FILE.argosmodel   (air-gapped: copy the file over first)"
    )


def version_key(version: str) -> tuple[int, Any]:
    from packaging.version import InvalidVersion, Version

    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


class ModelStore:
    """Installed Argos packages in one models folder."""

    def __init__(self, models_dir: Path) -> None:
        self.models_dir = Path(models_dir).absolute()

    def installed(self) -> list[InstalledModel]:
        """Every usable package, sorted by pair and version; broken ones are left out
        (``verify`` and ``preflight`` name them)."""
        found = [model for model, problem in self._entries() if problem is None]
        return sorted(found, key=lambda m: (m.from_code, m.to_code, version_key(m.version)))

    def find(self, src: str, tgt: str = "en") -> InstalledModel | None:
        """The newest installed src→tgt package, or None."""
        matches = [m for m in self.installed() if (m.from_code, m.to_code) == (src, tgt)]
        return matches[-1] if matches else None

    def _entries(self, *, digests: bool = False) -> Iterator[tuple[InstalledModel, str | None]]:
        if not self.models_dir.is_dir():
            return
        for child in sorted(self.models_dir.iterdir()):
            if child.name.startswith(".") or not child.is_dir():
                continue  # our own bookkeeping, stray files, dangling links
            pkg = child.resolve()
            if not (pkg / "metadata.json").is_file():
                continue  # not a package at all (e.g. a user's notes folder)
            try:
                meta = read_metadata(pkg)
            except ModelError as exc:
                yield InstalledModel("?", "?", "?", pkg, child.name), str(exc)
                continue
            model = model_of(pkg, meta)
            missing = missing_files(pkg)
            if missing:
                yield model, f"missing {', '.join(missing)}"
            else:
                yield model, file_problem(pkg, digests=digests)

    def preflight(self) -> None:
        """Raise ModelError (exit 3) naming every installed package that is broken.

        Cheap enough for every run: metadata is parsed and file sizes are compared
        with the install record; a package whose files are whole but damaged inside
        is caught when its engine loads, still before anything is written.
        """
        problems = [
            f"installed model {model.name} at {model.path} is broken: {problem}; "
            f"reinstall it: {_reinstall_hint(model)}"
            for model, problem in self._entries()
            if problem is not None
        ]
        if problems:
            raise ModelError("\n".join(problems))

    def verify(self) -> list[tuple[InstalledModel, str | None]]:
        """Every package with its problem (None: it loads and is usable). Thorough:
        every file is hashed against its install record and the model is loaded."""
        results: list[tuple[InstalledModel, str | None]] = []
        for model, problem in self._entries(digests=True):
            if problem is None:
                try:
                    check_loads(model.path, self.models_dir)
                except ModelError as exc:
                    problem = str(exc)
            if problem is not None:
                problem += f"; reinstall it: {_reinstall_hint(model)}"
            results.append((model, problem))
        return results

    def install(self, file: Path) -> InstalledModel:
        """``jobs.models.install.install``: a .argosmodel file, atomically."""
        from jobs.models.install import install

        return install(self, file)

    def download(self, src: str, tgt: str = "en") -> InstalledModel:
        """``jobs.models.download.download``: fetch from the Argos index, then install."""
        from jobs.models.download import download

        return download(self, src, tgt)


def _reinstall_hint(model: InstalledModel) -> str:
    if model.from_code == "?":
        return "mixdigest models install FILE.argosmodel"
    return (
        f"mixdigest models download {model.from_code} {model.to_code} "
        "or mixdigest models install FILE.argosmodel"
    )
