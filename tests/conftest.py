"""Shared fixtures: a tiny real Argos package, built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobs.models import InstalledModel, ModelStore
from tests.tiny_model import build_tiny_package


@pytest.fixture(scope="session")
def tiny_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real uk→en .argosmodel whose model romanises its input (see tests.tiny_model)."""
    return build_tiny_package(tmp_path_factory.mktemp("pkg") / "tiny-uk-en.argosmodel")


@pytest.fixture(scope="session")
def installed_models(tmp_path_factory: pytest.TempPathFactory, tiny_package: Path) -> ModelStore:
    store = ModelStore(tmp_path_factory.mktemp("models"))
    store.install(tiny_package)
    return store


@pytest.fixture(scope="session")
def tiny_model(installed_models: ModelStore) -> InstalledModel:
    model = installed_models.find("uk", "en")
    assert model is not None
    return model
