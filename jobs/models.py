"""The model store: Argos Translate packages installed in the project's models folder.

Layout of the models folder::

    translate-uk_en -> .store/translate-uk_en-1_9-3f2a…   one symlink per language pair
    .store/…        unpacked packages (metadata.json, model/, sentencepiece.model)
    .tmp/           extractions in progress; anything here is garbage after a crash
    .argos/         argostranslate's data/cache/config folders (index, downloads)

A pair is (re)installed by extracting and checking the package under ``.tmp`` and
then replacing its symlink with ``os.replace``, which is atomic: a reader sees the
old package or the new one, never a mixture, and a crash leaves the old one in place.
A plain package folder put into the models folder by hand is listed as well.

Only ``ModelStore.download`` uses the network. ``argostranslate.translate`` is never
imported (it pulls torch and stanza); neither is ``install_from_path``, which does.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib
import json
import os
import shutil
import socket
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any

from jobs.errors import ModelError
from jobs.state import checkpoint

DEFAULT_MODELS_DIR = Path("models")
STORE = ".store"
TMP = ".tmp"
ARGOS_HOME = ".argos"
TOKENIZER_FILES = ("sentencepiece.model", "bpe.model")
MAX_UNPACKED_BYTES = 8 * 1024**3  # far above any real Argos package; stops zip bombs
# Written into each package at install: the size of every file, so that a file cut
# short or replaced later (disk trouble, a bad copy) is found by a stat, without
# loading the model, before every run.
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


def missing_model_message(lang: str, target: str = "en") -> str:
    """What to tell a user when no lang→target model is installed."""
    return (
        f"no {lang}→{target} translation model is installed. Install one with either:\n"
        f"  mixdigest models download {lang} {target}   (needs network, once)\n"
        f"  mixdigest models install FILE.argosmodel   (air-gapped: copy the file over first)"
    )


def argos_environment(models_dir: Path) -> dict[str, str]:
    """Point argostranslate at ``models_dir`` so that importing it writes nowhere else.

    ``argostranslate.settings`` creates its data, config and cache folders (by default
    under the home directory) at import time, so this must run before the first import.
    Returns the variables it set.
    """
    base = Path(models_dir).resolve()
    argos = base / ARGOS_HOME
    env = {
        "ARGOS_PACKAGES_DIR": str(base),
        "XDG_DATA_HOME": str(argos / "data"),
        "XDG_CACHE_HOME": str(argos / "cache"),
        "XDG_CONFIG_HOME": str(argos / "config"),
    }
    os.environ.update(env)
    return env


def argos_package(models_dir: Path) -> ModuleType:
    """``argostranslate.package``, imported with its folders under ``models_dir``.

    The folders are fixed by the first import in a process; later stores with another
    models folder get the module's settings re-pointed at theirs (only the package
    index and downloads depend on them).
    """
    argos_environment(models_dir)
    package = importlib.import_module("argostranslate.package")
    settings: Any = importlib.import_module("argostranslate.settings")

    base = Path(models_dir).resolve()
    argos = base / ARGOS_HOME
    if settings.package_data_dir != base:
        data_dir = argos / "data" / "argos-translate"
        settings.data_dir = data_dir
        settings.package_data_dir = base
        settings.package_dirs = [base]
        settings.cache_dir = argos / "cache" / "argos-translate"
        settings.downloads_dir = settings.cache_dir / "downloads"
        settings.local_package_index = data_dir / "index.json"
        settings.downloads_dir.mkdir(parents=True, exist_ok=True)
        data_dir.mkdir(parents=True, exist_ok=True)
    return package


def _pair_name(from_code: str, to_code: str) -> str:
    return f"translate-{from_code}_{to_code}"


def _version_key(version: str) -> tuple[int, Any]:
    from packaging.version import InvalidVersion, Version

    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def _fingerprint(pkg: Path) -> str:
    """Cheap content hash: metadata, tokenizer, model config, and model.bin's ends."""
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


def _read_metadata(pkg: Path) -> dict[str, Any]:
    try:
        data = json.loads((pkg / "metadata.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(f"{pkg}: no metadata.json") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{pkg}: metadata.json is unreadable: {exc}") from exc
    return _check_metadata(data, str(pkg))


def _check_metadata(data: Any, where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ModelError(f"{where}: metadata.json is not a JSON object")
    for key in ("from_code", "to_code"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ModelError(f"{where}: metadata.json has no {key}")
    kind = data.get("type", "translate")
    if kind != "translate":
        raise ModelError(f"{where}: package type is {kind!r}, not a translation model")
    return data


def _missing_files(pkg: Path) -> list[str]:
    missing = [rel for rel in ("metadata.json", "model/model.bin") if not (pkg / rel).is_file()]
    if not any((pkg / t).is_file() for t in TOKENIZER_FILES):
        missing.append(" or ".join(TOKENIZER_FILES))
    return missing


class ModelStore:
    """Installed Argos packages in one models folder."""

    def __init__(self, models_dir: Path = DEFAULT_MODELS_DIR) -> None:
        self.models_dir = Path(models_dir).absolute()

    # -- listing ------------------------------------------------------------------

    def installed(self) -> list[InstalledModel]:
        """Every package in the models folder, sorted by pair; broken ones are skipped
        (``verify`` names them)."""
        found = []
        for entry, problem in self._entries():
            if problem is None:
                found.append(entry)
        return sorted(found, key=lambda m: (m.from_code, m.to_code, _version_key(m.version)))

    def find(self, src: str, tgt: str = "en") -> InstalledModel | None:
        """The newest installed src→tgt package, or None."""
        matches = [m for m in self.installed() if (m.from_code, m.to_code) == (src, tgt)]
        return matches[-1] if matches else None

    def require(self, src: str, tgt: str = "en") -> InstalledModel:
        model = self.find(src, tgt)
        if model is None:
            raise ModelError(missing_model_message(src, tgt))
        return model

    def _entries(self) -> Iterator[tuple[InstalledModel, str | None]]:
        if not self.models_dir.is_dir():
            return
        for child in sorted(self.models_dir.iterdir()):
            if child.name.startswith(".") or not child.is_dir():
                continue  # our own bookkeeping, stray files, dangling links
            pkg = child.resolve()
            if not (pkg / "metadata.json").is_file():
                continue  # not a package at all (e.g. a user's notes folder)
            try:
                meta = _read_metadata(pkg)
            except ModelError as exc:
                stub = InstalledModel("?", "?", "?", pkg, child.name)
                yield stub, str(exc)
                continue
            model = InstalledModel(
                from_code=meta["from_code"],
                to_code=meta["to_code"],
                version=str(meta.get("package_version", "")),
                path=pkg,
                name=_pair_name(meta["from_code"], meta["to_code"]),
                fingerprint=_fingerprint(pkg),
            )
            missing = _missing_files(pkg)
            if missing:
                yield model, f"missing {', '.join(missing)}"
            else:
                yield model, _size_problem(pkg)

    # -- checking -----------------------------------------------------------------

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
        """Every package with its problem (None: it loads and is usable)."""
        results: list[tuple[InstalledModel, str | None]] = []
        for model, problem in self._entries():
            if problem is None:
                try:
                    self._check_loads(model.path)
                except ModelError as exc:
                    problem = str(exc)
            if problem is not None:
                problem += f"; reinstall it: {_reinstall_hint(model)}"
            results.append((model, problem))
        return results

    def _check_loads(self, pkg: Path) -> None:
        """Raise ModelError unless argostranslate and CTranslate2 can both load ``pkg``."""
        package = argos_package(self.models_dir)
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

    # -- installing ---------------------------------------------------------------

    def install(self, file: Path) -> InstalledModel:
        """Install a ``.argosmodel`` file, replacing any installed package of its pair.

        Raises ModelError naming the problem; on any failure the models folder is as it
        was before (apart from garbage under ``.tmp`` that the next install removes).
        """
        file = Path(file)
        with self._lock():
            self._clean_tmp()
            try:
                top, meta = self._check_archive(file)
                work = Path(tempfile.mkdtemp(prefix="install-", dir=self.models_dir / TMP))
                try:
                    with zipfile.ZipFile(file) as zf:
                        self._extract(zf, top, work / "pkg", file)
                    pkg = work / "pkg"
                    missing = _missing_files(pkg)
                    if missing:
                        raise ModelError(
                            f"{file}: incomplete package, missing {', '.join(missing)}"
                        )
                    self._check_loads(pkg)
                    checkpoint("install")  # test hook: unpacked and checked, not yet live
                    return self._activate(pkg, meta, work)
                finally:
                    shutil.rmtree(work, ignore_errors=True)
            except ModelError as exc:
                raise ModelError(f"{exc}\n{_redownload_hint(file)}") from exc

    def _check_archive(self, file: Path) -> tuple[str, dict[str, Any]]:
        if not file.is_file():
            raise ModelError(f"{file}: no such file; give the path of a .argosmodel file")
        if not zipfile.is_zipfile(file):
            raise ModelError(
                f"{file}: not an Argos model package (a .argosmodel file is a zip archive); "
                "it may be truncated or not a model at all"
            )
        try:
            with zipfile.ZipFile(file) as zf:
                infos = zf.infolist()
                names = [i.filename for i in infos]
                tops = set()
                total = 0
                for info in infos:
                    self._check_member(file, info)
                    tops.add(PurePosixPath(info.filename).parts[0])
                    total += info.file_size
                if len(tops) != 1:
                    raise ModelError(
                        f"{file}: expected one top folder holding the package, found "
                        f"{len(tops)}: {', '.join(sorted(tops)[:5])}"
                    )
                (top,) = tops
                required = [f"{top}/metadata.json", f"{top}/model/model.bin"]
                missing = [n for n in required if n not in names]
                if not any(f"{top}/{t}" in names for t in TOKENIZER_FILES):
                    missing.append(f"{top}/sentencepiece.model or bpe.model")
                if missing:
                    raise ModelError(f"{file}: incomplete package, missing {', '.join(missing)}")
                if total > MAX_UNPACKED_BYTES:
                    raise ModelError(f"{file}: unpacks to {total} bytes, too large for a model")
                free = shutil.disk_usage(self.models_dir).free
                if total > free:
                    raise ModelError(
                        f"{file}: needs {total // 2**20} MiB to unpack but {self.models_dir} "
                        f"has {free // 2**20} MiB free; free some space and retry"
                    )
                try:
                    meta = _check_metadata(json.loads(zf.read(f"{top}/metadata.json")), str(file))
                except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                    raise ModelError(f"{file}: metadata.json is not valid JSON: {exc}") from exc
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ModelError(f"{file}: damaged archive: {exc}") from exc
        return top, meta

    @staticmethod
    def _check_member(file: Path, info: zipfile.ZipInfo) -> None:
        name = info.filename
        path = PurePosixPath(name)
        mode = info.external_attr >> 16
        if (
            not name
            or "\\" in name
            or path.is_absolute()
            or ".." in path.parts
            or (len(name) > 1 and name[1] == ":")
        ):
            raise ModelError(
                f"{file}: refusing to unpack: member {name!r} would land outside the "
                "package folder; this file is not a genuine Argos package"
            )
        if stat.S_ISLNK(mode):
            raise ModelError(f"{file}: refusing to unpack: member {name!r} is a symlink")

    @staticmethod
    def _extract(zf: zipfile.ZipFile, top: str, dest: Path, file: Path) -> None:
        """Unpack the members under ``top`` into ``dest``, checking every CRC."""
        dest.mkdir()
        prefix = top + "/"
        for info in zf.infolist():
            if not info.filename.startswith(prefix) or info.is_dir():
                continue
            target = dest / info.filename[len(prefix) :]
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, target.open("wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
            except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
                raise ModelError(f"{file}: damaged archive ({info.filename}): {exc}") from exc
            except OSError as exc:
                raise ModelError(
                    f"cannot write into {dest.parent}: {exc.strerror or exc}; "
                    "check free space and permissions"
                ) from exc

    def _activate(self, pkg: Path, meta: dict[str, Any], work: Path) -> InstalledModel:
        store = self.models_dir / STORE
        store.mkdir(exist_ok=True)
        from_code, to_code = meta["from_code"], meta["to_code"]
        version = str(meta.get("package_version", ""))
        name = _pair_name(from_code, to_code)
        final = Path(tempfile.mkdtemp(prefix=f"{name}-{version.replace('/', '_')}-", dir=store))
        final.rmdir()
        _write_install_record(pkg)
        pkg.rename(final)
        link = self.models_dir / name
        previous = link.resolve() if link.is_symlink() else None
        tmp_link = work / "link"
        tmp_link.symlink_to(Path(STORE) / final.name)
        try:
            if link.exists() and not link.is_symlink():
                # A folder put here by hand: move it aside first (the one non-atomic case).
                link.rename(work / "replaced")
            os.replace(tmp_link, link)
        except OSError as exc:
            shutil.rmtree(final, ignore_errors=True)
            raise ModelError(f"cannot install into {self.models_dir}: {exc}") from exc
        if previous is not None and previous.parent == store.resolve():
            shutil.rmtree(previous, ignore_errors=True)
        return InstalledModel(
            from_code, to_code, version, final.resolve(), name, _fingerprint(final)
        )

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        try:
            self.models_dir.mkdir(parents=True, exist_ok=True)
            (self.models_dir / TMP).mkdir(exist_ok=True)
            fd = os.open(self.models_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ModelError(
                f"cannot write into the models folder {self.models_dir}: "
                f"{exc.strerror or exc}; check the path and its permissions"
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _clean_tmp(self) -> None:
        """Remove what a killed install left behind: partial extractions and store
        folders no symlink points at."""
        for leftover in (self.models_dir / TMP).iterdir():
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        store = self.models_dir / STORE
        if store.is_dir():
            used = {c.resolve() for c in self.models_dir.iterdir() if c.is_symlink()}
            for pkg in store.iterdir():
                if pkg.resolve() not in used:
                    shutil.rmtree(pkg, ignore_errors=True)

    # -- downloading --------------------------------------------------------------

    def download(self, src: str, tgt: str = "en", timeout: float = 60.0) -> InstalledModel:
        """Fetch the src→tgt package from the Argos package index and install it.

        The only network use of the job."""
        self.models_dir.mkdir(parents=True, exist_ok=True)
        package = argos_package(self.models_dir)
        import argostranslate.settings as settings

        index = Path(settings.local_package_index)
        before = index.stat().st_mtime_ns if index.exists() else None
        old_timeout = socket.getdefaulttimeout()
        socket.setdefaulttimeout(timeout)  # argostranslate's urlopen has none
        try:
            package.update_package_index()  # logs and returns on failure, never raises
            fresh = index.exists() and index.stat().st_mtime_ns != before
            if not index.exists():
                raise ModelError(
                    f"cannot reach the Argos package index ({settings.remote_package_index}); "
                    f"no network? On a machine without network, copy a .argosmodel file "
                    f"over and run: mixdigest models install FILE.argosmodel"
                )
            try:
                available = package.get_available_packages()
            except Exception as exc:  # a damaged index file
                index.unlink(missing_ok=True)
                raise ModelError(f"the Argos package index is unreadable ({exc}); retry") from exc
            offers = [
                p
                for p in available
                if (p.from_code, p.to_code) == (src, tgt)
                and getattr(p, "type", "translate") == "translate"
            ]
            if not offers:
                pairs = sorted(
                    f"{p.from_code} {p.to_code}"
                    for p in available
                    if src in (p.from_code, p.to_code)
                )
                raise ModelError(
                    f"the Argos package index offers no {src}→{tgt} model"
                    + (f"; pairs with {src}: {', '.join(pairs)}" if pairs else "")
                    + ("" if fresh else " (the index could not be refreshed; network down?)")
                )
            offer = max(offers, key=lambda p: _version_key(str(p.package_version)))
            try:
                path = Path(offer.download())
            except Exception as exc:  # argostranslate raises a bare Exception
                raise ModelError(
                    f"downloading the {src}→{tgt} model failed ({exc}); check the network and "
                    "retry, or copy a .argosmodel file over and run: "
                    "mixdigest models install FILE.argosmodel"
                ) from exc
        finally:
            socket.setdefaulttimeout(old_timeout)
        try:
            return self.install(path)
        finally:
            # argostranslate reuses a file already in its downloads folder, even a
            # truncated one; removing it makes a retry download afresh.
            path.unlink(missing_ok=True)


def _write_install_record(pkg: Path) -> None:
    sizes = {
        p.relative_to(pkg).as_posix(): p.stat().st_size
        for p in sorted(pkg.rglob("*"))
        if p.is_file() and p.name != INSTALL_RECORD
    }
    (pkg / INSTALL_RECORD).write_text(json.dumps(sizes, indent=0), encoding="utf-8")


def _size_problem(pkg: Path) -> str | None:
    """How the package's files differ from its install record, or None."""
    try:
        recorded = json.loads((pkg / INSTALL_RECORD).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None  # placed by hand or by argospm: nothing to compare with
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return f"its install record {INSTALL_RECORD} is unreadable ({exc})"
    if not isinstance(recorded, dict):
        return f"its install record {INSTALL_RECORD} is not a JSON object"
    changed = []
    for rel, size in sorted(recorded.items()):
        try:
            now = (pkg / rel).stat().st_size
        except OSError:
            changed.append(f"{rel} is missing")
            continue
        if now != size:
            changed.append(f"{rel} is {now:,} bytes but was installed with {size:,}")
    return "; ".join(changed) or None


def _reinstall_hint(model: InstalledModel) -> str:
    if model.from_code == "?":
        return "mixdigest models install FILE.argosmodel"
    return (
        f"mixdigest models download {model.from_code} {model.to_code} "
        "or mixdigest models install FILE.argosmodel"
    )


def _redownload_hint(file: Path) -> str:
    return (
        f"Nothing was installed from {file}. Get the file again (a download may have been "
        "cut short) or run: mixdigest models download SRC TGT"
    )
