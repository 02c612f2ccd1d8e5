"""Downloading a package from the Argos package index: the job's only network use."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import TYPE_CHECKING

from jobs.errors import ModelError
from jobs.models.argos import argos_package
from jobs.models.install import install
from jobs.models.package import InstalledModel
from jobs.models.store import version_key

if TYPE_CHECKING:
    from jobs.models.store import ModelStore


def download(store: ModelStore, src: str, tgt: str = "en", timeout: float = 60.0) -> InstalledModel:
    """Fetch the src→tgt package from the Argos package index and install it.

    The only network use of the job."""
    store.models_dir.mkdir(parents=True, exist_ok=True)
    package = argos_package(store.models_dir)
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
                f"{p.from_code} {p.to_code}" for p in available if src in (p.from_code, p.to_code)
            )
            raise ModelError(
                f"the Argos package index offers no {src}→{tgt} model"
                + (f"; pairs with {src}: {', '.join(pairs)}" if pairs else "")
                + ("" if fresh else " (the index could not be refreshed; network down?)")
            )
        offer = max(offers, key=lambda p: version_key(str(p.package_version)))
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
        return install(store, path)
    finally:
        # argostranslate reuses a file already in its downloads folder, even a
        # truncated one; removing it makes a retry download afresh.
        path.unlink(missing_ok=True)
