"""The model store: air-gapped install, listing, verify, refusals, and no side effects."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from jobs.errors import ModelError
from jobs.models import ModelStore, missing_model_message
from jobs.models.package import INSTALL_RECORD
from tests.tiny_model import build_tiny_package

ROOT = Path(__file__).resolve().parent.parent


def visible(models_dir: Path) -> set[str]:
    """What a user sees in the models folder, minus our bookkeeping and the empty .tmp."""
    names = {p.name for p in models_dir.iterdir()}
    tmp = models_dir / ".tmp"
    if tmp.is_dir() and not any(tmp.iterdir()):
        names.discard(".tmp")
    return names - {".argos", ".lock"}


def rezip(src: Path, dest: Path, edit: dict[str, bytes | None]) -> Path:
    """Copy the package ``src`` to ``dest`` with members replaced (bytes) or dropped (None)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for info in zin.infolist():
            rel = info.filename.split("/", 1)[1]
            if rel in edit:
                if edit[rel] is not None:
                    zout.writestr(info.filename, edit[rel])
            else:
                zout.writestr(info, zin.read(info))
    return dest


def test_install_from_file_lists_and_finds(tiny_package: Path, tmp_path: Path) -> None:
    store = ModelStore(tmp_path / "models")
    assert store.installed() == []
    assert store.find("uk", "en") is None

    model = store.install(tiny_package)

    assert (model.from_code, model.to_code, model.version) == ("uk", "en", "1.0")
    assert (model.path / "model" / "model.bin").is_file()
    assert store.installed() == [model]
    assert store.find("uk", "en") == model
    assert store.find("ru", "en") is None
    assert [problem for _, problem in store.verify()] == [None]


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ("truncated", "model/model.bin is"),
        ("same size, garbage", "model/model.bin has changed since it was installed"),
        ("no install record, garbage", "CTranslate2"),
    ],
)
def test_verify_names_a_damaged_package(
    tiny_package: Path, tmp_path: Path, damage: str, reason: str
) -> None:
    store = ModelStore(tmp_path / "models")
    model = store.install(tiny_package)
    model_bin = model.path / "model" / "model.bin"
    size = model_bin.stat().st_size
    if damage == "truncated":
        model_bin.write_bytes(model_bin.read_bytes()[: size // 2])
    else:
        model_bin.write_bytes(b"\x5a" * size)
    if damage.startswith("no install record"):
        (model.path / INSTALL_RECORD).unlink()  # as a package placed by hand: load it

    [(checked, problem)] = store.verify()

    assert checked.path == model.path
    assert problem is not None
    assert reason in problem
    assert "mixdigest models download uk en" in problem


def test_reinstall_replaces_the_pair_atomically(tiny_package: Path, tmp_path: Path) -> None:
    store = ModelStore(tmp_path / "models")
    old = store.install(tiny_package)
    newer = build_tiny_package(tmp_path / "v2.argosmodel", package_version="1.1")

    new = store.install(newer)

    assert new.version == "1.1"
    assert store.installed() == [new]
    assert not old.path.exists()  # the old version's files are gone, not left to pile up
    assert (store.models_dir / "translate-uk_en").resolve() == new.path


def test_hand_placed_package_folder_is_listed(tiny_package: Path, tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    with zipfile.ZipFile(tiny_package) as zf:
        zf.extractall(models)

    [model] = ModelStore(models).installed()

    assert (model.from_code, model.to_code) == ("uk", "en")
    assert model.path.parent == models.resolve()


@pytest.mark.parametrize(
    "damage",
    ["truncated", "garbage", "no model.bin", "bad metadata", "broken model.bin", "two tops"],
)
def test_bad_packages_are_refused_and_nothing_is_left(
    tiny_package: Path, tmp_path: Path, damage: str
) -> None:
    store = ModelStore(tmp_path / "models")
    bad = tmp_path / "bad.argosmodel"
    if damage == "truncated":
        data = tiny_package.read_bytes()
        bad.write_bytes(data[: len(data) * 2 // 3])
    elif damage == "garbage":
        bad.write_bytes(b"<html>404 not found</html>")
    elif damage == "no model.bin":
        rezip(tiny_package, bad, {"model/model.bin": None})
    elif damage == "bad metadata":
        rezip(tiny_package, bad, {"metadata.json": b"{not json"})
    elif damage == "broken model.bin":
        rezip(tiny_package, bad, {"model/model.bin": b"\0" * 100})
    else:
        rezip(tiny_package, bad, {})
        with zipfile.ZipFile(bad, "a") as zf:
            zf.writestr("other/readme.txt", "x")

    with pytest.raises(ModelError) as caught:
        store.install(bad)

    message = str(caught.value)
    assert str(bad) in message
    assert "Nothing was installed" in message
    assert store.installed() == []
    assert visible(store.models_dir) <= {".store"}
    assert not any((store.models_dir / ".store").glob("*"))


def test_failed_reinstall_keeps_the_working_package(tiny_package: Path, tmp_path: Path) -> None:
    store = ModelStore(tmp_path / "models")
    good = store.install(tiny_package)
    bad = rezip(tiny_package, tmp_path / "bad.argosmodel", {"model/model.bin": b"junk"})

    with pytest.raises(ModelError):
        store.install(bad)

    assert store.installed() == [good]
    assert [problem for _, problem in store.verify()] == [None]


@pytest.mark.parametrize("member", ["../evil.txt", "/tmp/evil.txt", "pkg/../../evil.txt"])
def test_path_traversal_is_refused(tiny_package: Path, tmp_path: Path, member: str) -> None:
    store = ModelStore(tmp_path / "models")
    bad = rezip(tiny_package, tmp_path / "evil.argosmodel", {})
    with zipfile.ZipFile(bad, "a") as zf:
        zf.writestr(zipfile.ZipInfo(member), "owned")

    with pytest.raises(ModelError, match="outside the package folder"):
        store.install(bad)

    assert not (tmp_path / "evil.txt").exists()
    assert store.installed() == []


def test_missing_model_message_gives_both_commands() -> None:
    message = missing_model_message("ru")
    assert "mixdigest models download ru en" in message
    assert "mixdigest models install FILE.argosmodel" in message
    assert "uk" not in message


def test_install_writes_nothing_into_home_and_never_imports_torch(
    tiny_package: Path, tmp_path: Path
) -> None:
    """In a fresh interpreter (imports and argostranslate's settings are per process)."""
    home = tmp_path / "home"
    home.mkdir()
    script = (
        "import sys, json\n"
        "from jobs.models import ModelStore\n"
        "from jobs.translation import ArgosEngine\n"
        "from jobs.config import TranslationSettings\n"
        f"store = ModelStore({str(tmp_path / 'models')!r})\n"
        f"model = store.install({str(tiny_package)!r})\n"
        "store.verify()\n"
        "ArgosEngine(model, TranslationSettings()).translate(['Привіт'])\n"
        "bad = [m for m in ('argostranslate.translate', 'torch', 'stanza', 'spacy')"
        " if m in sys.modules]\n"
        "print(json.dumps(bad))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "ARGOS_"))}
    env["HOME"] = str(home)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
    assert list(home.iterdir()) == []
    assert (tmp_path / "models" / ".argos").is_dir()  # argostranslate's folders went here


def test_download_offline_is_a_clear_model_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import urllib.request

    def no_network(*args: object, **kwargs: object) -> None:
        raise OSError("network is unreachable")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    store = ModelStore(tmp_path / "models")

    with pytest.raises(ModelError, match=r"mixdigest models install FILE\.argosmodel"):
        store.download("uk", "en")
    assert store.installed() == []


def test_tiny_package_is_reproducible(tiny_package: Path, tmp_path: Path) -> None:
    again = build_tiny_package(tmp_path / "again.argosmodel")
    assert again.read_bytes() == tiny_package.read_bytes()
    with zipfile.ZipFile(again) as zf:
        tops = {name.split("/")[0] for name in zf.namelist()}
        [top] = tops
        meta = json.loads(zf.read(f"{top}/metadata.json"))
    assert (meta["from_code"], meta["to_code"], meta["type"]) == ("uk", "en", "translate")
