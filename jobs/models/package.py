"""One Argos package folder: its metadata, its files, its identity, and whether it loads.

An installed package carries an install record (``INSTALL_RECORD``): the size and
sha256 of every file, written when it was unpacked. It is the package's identity (so a
package re-packed under the same version is a different model) and lets every run find
a file cut short or replaced by a stat, without loading the model.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jobs.errors import ModelError

TOKENIZER_FILES = ("sentencepiece.model", "bpe.model")
INSTALL_RECORD = ".mixdigest-files.json"


@dataclass(frozen=True)
class InstalledModel:
    from_code: str
    to_code: str
    version: str
    path: Path  # the package folder (resolved: symlinks followed)
    name: str  # argospm-style name, e.g. "translate-uk_en"
    fingerprint: str = ""  # changes whenever the package's files do

    @property
    def model_dir(self) -> Path:
        return self.path / "model"

    @property
    def label(self) -> str:
        return f"{self.from_code}→{self.to_code} {self.version}"

    @property
    def identity(self) -> str:
        """The package by content: what the run state and the translation memory both
        key on, so a package re-packed under the same version is a different model."""
        return f"{self.name}@{self.version}#{self.fingerprint}"


def pair_name(from_code: str, to_code: str) -> str:
    return f"translate-{from_code}_{to_code}"


def read_metadata(pkg: Path) -> dict[str, Any]:
    try:
        data = json.loads((pkg / "metadata.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(f"{pkg}: no metadata.json") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{pkg}: metadata.json is unreadable: {exc}") from exc
    return check_metadata(data, str(pkg))


def check_metadata(data: Any, where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ModelError(f"{where}: metadata.json is not a JSON object")
    for key in ("from_code", "to_code"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ModelError(f"{where}: metadata.json has no {key}")
    kind = data.get("type", "translate")
    if kind != "translate":
        raise ModelError(f"{where}: package type is {kind!r}, not a translation model")
    return data


def missing_files(pkg: Path) -> list[str]:
    missing = [rel for rel in ("metadata.json", "model/model.bin") if not (pkg / rel).is_file()]
    if not any((pkg / t).is_file() for t in TOKENIZER_FILES):
        missing.append(" or ".join(TOKENIZER_FILES))
    return missing


def model_of(pkg: Path, meta: Mapping[str, Any]) -> InstalledModel:
    return InstalledModel(
        from_code=meta["from_code"],
        to_code=meta["to_code"],
        version=str(meta.get("package_version", "")),
        path=pkg,
        name=pair_name(meta["from_code"], meta["to_code"]),
        fingerprint=fingerprint(pkg),
    )


# -- identity and the install record ------------------------------------------------


def _file_digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def write_install_record(pkg: Path) -> None:
    files = {
        p.relative_to(pkg).as_posix(): {"size": p.stat().st_size, "sha256": _file_digest(p)}
        for p in sorted(pkg.rglob("*"))
        if p.is_file() and p.name != INSTALL_RECORD
    }
    (pkg / INSTALL_RECORD).write_text(json.dumps(files, indent=0), encoding="utf-8")


def _install_record(pkg: Path) -> dict[str, Any] | None:
    """The record, None when there is none (placed by hand or by argospm); raises
    ValueError when it cannot be read."""
    try:
        recorded = json.loads((pkg / INSTALL_RECORD).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"its install record {INSTALL_RECORD} is unreadable ({exc})") from exc
    if not isinstance(recorded, dict):
        raise ValueError(f"its install record {INSTALL_RECORD} is not a JSON object")
    return recorded


def fingerprint(pkg: Path) -> str:
    """A hash of the package's content: of its install record's digests of every file
    when it has one, else (a package placed by hand) of metadata, tokenizer, model
    config and model.bin's size and ends, which is cheap enough for every run."""
    with contextlib.suppress(ValueError):
        recorded = _install_record(pkg)
        if recorded and all(isinstance(v, dict) and "sha256" in v for v in recorded.values()):
            digests = json.dumps({k: v["sha256"] for k, v in recorded.items()}, sort_keys=True)
            return hashlib.sha256(digests.encode()).hexdigest()[:16]
    h = hashlib.sha256()
    for rel in ("metadata.json", *TOKENIZER_FILES, "model/config.json"):
        with contextlib.suppress(OSError):
            h.update(rel.encode() + b"\0" + (pkg / rel).read_bytes())
    model_bin = pkg / "model" / "model.bin"
    try:
        size = model_bin.stat().st_size
        h.update(str(size).encode())
        with model_bin.open("rb") as f:
            h.update(f.read(1 << 20))
            f.seek(max(0, size - (1 << 20)))
            h.update(f.read())
    except OSError:
        pass
    return h.hexdigest()[:16]


def file_problem(pkg: Path, *, digests: bool = False) -> str | None:
    """How the package's files differ from its install record, or None. Sizes only by
    default (a stat per file, for every run); ``digests`` also re-hashes every file."""
    try:
        recorded = _install_record(pkg)
    except ValueError as exc:
        return str(exc)
    if recorded is None:
        return None
    changed = []
    for rel, entry in sorted(recorded.items()):
        # Records written before digests were kept hold the size alone.
        size, digest = (entry, None) if isinstance(entry, int) else (entry["size"], entry["sha256"])
        try:
            now = (pkg / rel).stat().st_size
        except OSError:
            changed.append(f"{rel} is missing")
            continue
        if now != size:
            changed.append(f"{rel} is {now:,} bytes but was installed with {size:,}")
        elif digests and digest is not None and _file_digest(pkg / rel) != digest:
            changed.append(f"{rel} has changed since it was installed (its sha256 differs)")
    return "; ".join(changed) or None


def check_loads(pkg: Path, models_dir: Path) -> None:
    """Raise ModelError unless argostranslate and CTranslate2 can both load ``pkg``."""
    from jobs.models.argos import argos_package

    package = argos_package(models_dir)
    try:
        argos_pkg = package.Package(pkg)
    except Exception as exc:  # argostranslate raises bare Exceptions
        raise ModelError(f"{pkg.name}: argostranslate cannot read it: {exc}") from exc
    tokenizer = getattr(argos_pkg, "tokenizer", None)
    if tokenizer is None:
        raise ModelError(f"{pkg.name}: no tokenizer ({' or '.join(TOKENIZER_FILES)})")
    if (pkg / "sentencepiece.model").is_file():
        import sentencepiece

        try:
            sentencepiece.SentencePieceProcessor(model_file=str(pkg / "sentencepiece.model"))
        except Exception as exc:  # sentencepiece raises RuntimeError/OSError
            raise ModelError(f"{pkg.name}: sentencepiece.model is broken: {exc}") from exc
    import ctranslate2

    try:
        # The cheapest real proof that model.bin is complete: load it on one thread.
        translator = ctranslate2.Translator(
            str(pkg / "model"), device="cpu", compute_type="auto", intra_threads=1
        )
        del translator
    except Exception as exc:  # ctranslate2 raises RuntimeError/ValueError
        raise ModelError(f"{pkg.name}: CTranslate2 cannot load model/: {exc}") from exc
