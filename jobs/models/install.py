"""Installing a ``.argosmodel`` file into the models folder, atomically.

A pair is (re)installed by extracting and checking the package under ``.tmp`` and then
replacing its symlink with ``os.replace``, which is atomic: a reader sees the old
package or the new one, never a mixture, and a crash leaves the old one in place.
Installs take the models folder's lock, so two never interleave.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from jobs.errors import ModelError
from jobs.models.package import (
    TOKENIZER_FILES,
    InstalledModel,
    check_loads,
    check_metadata,
    missing_files,
    model_of,
    pair_name,
    write_install_record,
)
from jobs.state import checkpoint, exclusive

if TYPE_CHECKING:
    from jobs.models.store import ModelStore

STORE = ".store"
TMP = ".tmp"
MAX_UNPACKED_BYTES = 8 * 1024**3  # far above any real Argos package; stops zip bombs


def install(store: ModelStore, file: Path) -> InstalledModel:
    """Install a ``.argosmodel`` file, replacing any installed package of its pair.

    Raises ModelError naming the problem; on any failure the models folder is as it
    was before (apart from garbage under ``.tmp`` that the next install removes).
    """
    file = Path(file)
    models_dir = store.models_dir
    with _locked(models_dir):
        _clean_tmp(models_dir)
        try:
            top, meta = _check_archive(file, models_dir)
            work = Path(tempfile.mkdtemp(prefix="install-", dir=models_dir / TMP))
            try:
                with zipfile.ZipFile(file) as zf:
                    _extract(zf, top, work / "pkg", file)
                pkg = work / "pkg"
                missing = missing_files(pkg)
                if missing:
                    raise ModelError(f"{file}: incomplete package, missing {', '.join(missing)}")
                check_loads(pkg, models_dir)
                checkpoint("install")  # test hook: unpacked and checked, not yet live
                return _activate(models_dir, pkg, meta, work)
            finally:
                shutil.rmtree(work, ignore_errors=True)
        except ModelError as exc:
            raise ModelError(f"{exc}\n{_redownload_hint(file)}") from exc


@contextlib.contextmanager
def _locked(models_dir: Path) -> Iterator[None]:
    try:
        (models_dir / TMP).mkdir(parents=True, exist_ok=True)
        with exclusive(models_dir / ".lock"):
            yield
    except OSError as exc:
        raise ModelError(
            f"cannot write into the models folder {models_dir}: "
            f"{exc.strerror or exc}; check the path and its permissions"
        ) from exc


def _check_archive(file: Path, models_dir: Path) -> tuple[str, dict[str, Any]]:
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
                _check_member(file, info)
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
            free = shutil.disk_usage(models_dir).free
            if total > free:
                raise ModelError(
                    f"{file}: needs {total // 2**20} MiB to unpack but {models_dir} "
                    f"has {free // 2**20} MiB free; free some space and retry"
                )
            try:
                meta = check_metadata(json.loads(zf.read(f"{top}/metadata.json")), str(file))
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise ModelError(f"{file}: metadata.json is not valid JSON: {exc}") from exc
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ModelError(f"{file}: damaged archive: {exc}") from exc
    return top, meta


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


def _activate(models_dir: Path, pkg: Path, meta: dict[str, Any], work: Path) -> InstalledModel:
    store = models_dir / STORE
    store.mkdir(exist_ok=True)
    from_code, to_code = meta["from_code"], meta["to_code"]
    version = str(meta.get("package_version", ""))
    name = pair_name(from_code, to_code)
    final = Path(tempfile.mkdtemp(prefix=f"{name}-{version.replace('/', '_')}-", dir=store))
    final.rmdir()
    write_install_record(pkg)
    pkg.rename(final)
    link = models_dir / name
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
        raise ModelError(f"cannot install into {models_dir}: {exc}") from exc
    if previous is not None and previous.parent == store.resolve():
        shutil.rmtree(previous, ignore_errors=True)
    return model_of(final.resolve(), meta)


def _clean_tmp(models_dir: Path) -> None:
    """Remove what a killed install left behind: partial extractions and store
    folders no symlink points at."""
    for leftover in (models_dir / TMP).iterdir():
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    store = models_dir / STORE
    if store.is_dir():
        used = {c.resolve() for c in models_dir.iterdir() if c.is_symlink()}
        for pkg in store.iterdir():
            if pkg.resolve() not in used:
                shutil.rmtree(pkg, ignore_errors=True)


def _redownload_hint(file: Path) -> str:
    return (
        f"Nothing was installed from {file}. Get the file again (a download may have been "
        "cut short) or run: mixdigest models download SRC TGT"
    )
