"""argostranslate, imported so that it writes only into the models folder.

Only ``argostranslate.package`` (and its tokenizers) is ever imported here:
``argostranslate.translate`` pulls torch and stanza, and so does ``install_from_path``.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType
from typing import Any

ARGOS_HOME = ".argos"  # argostranslate's data/cache/config folders, inside the models folder


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
