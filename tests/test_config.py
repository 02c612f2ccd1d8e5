from pathlib import Path

import pytest
import yaml

from jobs import config as config_module
from jobs.config import parse
from jobs.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_config_loads_and_resolves_paths_against_its_folder() -> None:
    config = config_module.load(ROOT / "config" / "job.yaml")
    assert config.paths.input == ROOT / "input"
    assert config.paths.models == ROOT / "models"
    assert config.summary.sentences == 3
    names = [rule.name for rule in config.segment.boilerplate]
    assert "breadcrumb" in names and "ad placeholder" in names
    assert config.segment.captions[0].name == "file photo"


def test_every_problem_is_reported_at_once_with_its_place(tmp_path: Path) -> None:
    raw = {
        "paths": {"inptu": "x"},
        "summary": {"sentences": 0, "ratio": 2},
        "translation": {"beam_size": "four", "compute_type": "int3"},
        "segment": {"boilerplate": [{"name": "bad", "pattern": "(unclosed"}]},
        "colour": "blue",
    }
    with pytest.raises(ConfigError) as caught:
        parse(raw, tmp_path, origin="job.yaml")
    problems = caught.value.problems
    places = [p.split(": ")[1] for p in problems]
    assert places == [
        "colour",
        "paths.inptu",
        "translation.beam_size",
        "translation.compute_type",
        "summary.ratio",
        "summary.sentences",
        "segment.boilerplate[0]",
    ]
    assert all(p.startswith("job.yaml: ") for p in problems)
    assert caught.value.exit_code == 2


def test_ratio_decides_the_count_when_set(tmp_path: Path) -> None:
    config = parse({"summary": {"ratio": 0.25}}, tmp_path)
    assert config.summary.count_for(20) == 5
    assert config.summary.count_for(1) == 1
    assert parse({}, tmp_path).summary.count_for(20) == 3


def test_fingerprint_changes_only_with_the_section_it_covers(tmp_path: Path) -> None:
    base = parse({}, tmp_path)
    other_summary = parse({"summary": {"sentences": 5}}, tmp_path)
    assert base.fingerprint("translation") == other_summary.fingerprint("translation")
    assert base.fingerprint("summary") != other_summary.fingerprint("summary")


def test_command_line_paths_override_config(tmp_path: Path) -> None:
    config = parse({}, tmp_path).with_paths(input=tmp_path / "elsewhere", output=None)
    assert config.paths.input == tmp_path / "elsewhere"
    assert config.paths.output == tmp_path / "output"


def test_unreadable_or_invalid_yaml_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "job.yaml"
    bad.write_text("paths: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        config_module.load(bad)
    with pytest.raises(ConfigError, match="cannot read config"):
        config_module.load(tmp_path / "missing.yaml")


def test_shipped_config_documents_every_default(tmp_path: Path) -> None:
    # The YAML is the documentation: what it shows must be what the code does without it.
    shipped = yaml.safe_load((ROOT / "config" / "job.yaml").read_text(encoding="utf-8"))
    from_file = parse(shipped, ROOT / "config")
    defaults = parse({}, ROOT / "config")
    for section in ("input", "languages", "translation", "summary"):
        assert getattr(from_file, section) == getattr(defaults, section), section
