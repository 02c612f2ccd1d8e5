from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from jobs import config as config_module
from jobs.config import (
    BUILTIN_FILE,
    SECTIONS,
    Config,
    ConfigChoice,
    builtin_layer,
    locate,
    parse,
    render,
)
from jobs.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def rule_names(rules: tuple[config_module.Rule, ...]) -> list[str]:
    return [rule.name for rule in rules]


BUILTIN = Config()


def test_shipped_config_sets_the_paths_against_its_folder_and_nothing_else() -> None:
    config = config_module.load(ROOT / "config" / "job.yaml")
    assert config.paths.input == ROOT / "input"
    assert config.paths.models == ROOT / "models"
    assert config.paths.log_file is None
    for section in SECTIONS:
        if section != "paths":
            assert getattr(config, section) == getattr(BUILTIN, section), section
    assert "breadcrumb" in rule_names(config.segment.boilerplate)
    assert config.segment.captions[0].name == "file photo"


def test_a_file_with_one_key_keeps_every_other_default_and_every_rule(tmp_path: Path) -> None:
    user = write(tmp_path / "mine.yaml", "summary: {sentences: 2}\n")
    config = config_module.load(user)
    assert config.summary.sentences == 2
    assert config.summary.ratio is None
    assert config.segment == BUILTIN.segment
    assert len(config.segment.boilerplate) >= 7 and len(config.segment.captions) >= 7
    assert config.translation == BUILTIN.translation
    # Built-in paths are relative to the folder the command runs in, not the file's.
    assert config_module.load(user, cwd=tmp_path / "run").paths.input == tmp_path / "run" / "input"


def test_rules_are_added_replaced_and_dropped_by_name(tmp_path: Path) -> None:
    user = write(
        tmp_path / "job.yaml",
        "segment:\n"
        "  boilerplate:\n"
        "    - {name: site menu, pattern: '^Меню \\|'}\n"
        "    - {name: byline, pattern: '^Автор:'}\n"
        "    - {name: label, drop: true}\n"
        "  captions:\n"
        "    - {name: video pointer, drop: true}\n",
    )
    config = config_module.load(user)
    names = rule_names(config.segment.boilerplate)
    builtin = rule_names(BUILTIN.segment.boilerplate)
    # Replaced in place, added at the end, dropped.
    assert names == [n for n in builtin if n != "label"] + ["site menu"]
    byline = next(r for r in config.segment.boilerplate if r.name == "byline")
    assert byline.pattern == "^Автор:"
    assert "video pointer" not in rule_names(config.segment.captions)
    assert len(config.segment.captions) == len(BUILTIN.segment.captions) - 1


def test_every_problem_is_reported_at_once_at_its_file_and_line(tmp_path: Path) -> None:
    bad = write(
        tmp_path / "job.yaml",
        "paths:\n"
        "  inptu: x\n"
        "summary:\n"
        "  sentences: 0\n"
        "  ratio: 2\n"
        "translation:\n"
        "  beam_size: four\n"
        "  compute_type: int3\n"
        "segment:\n"
        "  boilerplate:\n"
        "    - {name: bad, pattern: '(unclosed'}\n"
        "    - {name: nosuch, drop: true}\n"
        "    - {name: twice, pattern: a}\n"
        "    - {name: twice, pattern: b}\n"
        "colour: blue\n",
    )
    with pytest.raises(ConfigError) as caught:
        config_module.load(bad)
    problems = caught.value.problems
    where = [p.split(": ")[:2] for p in problems]
    assert where == [
        [f"{bad}:2", "paths.inptu"],
        [f"{bad}:4", "summary.sentences"],
        [f"{bad}:5", "summary.ratio"],
        [f"{bad}:7", "translation.beam_size"],
        [f"{bad}:8", "translation.compute_type"],
        [f"{bad}:11", "segment.boilerplate[0]"],
        [f"{bad}:12", "segment.boilerplate[1]"],
        [f"{bad}:14", "segment.boilerplate[3]"],
        [f"{bad}:15", "colour"],
    ]
    assert "not a valid regular expression" in problems[5]
    assert "no rule named 'nosuch' to drop" in problems[6]
    assert "given twice" in problems[7]
    assert "got 0" in problems[1] and "whole number" in problems[1]
    assert caught.value.exit_code == 2


def test_parse_reports_problems_of_plain_data_by_origin(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        parse({"summary": {"sentences": "zero"}, "colour": 1}, tmp_path, origin="job.yaml")
    assert sorted(p.split(": ")[1] for p in caught.value.problems) == [
        "colour",
        "summary.sentences",
    ]
    assert all(p.startswith("job.yaml: ") for p in caught.value.problems)


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
    other_rules = parse({"segment": {"boilerplate": [{"name": "x", "pattern": "y"}]}}, tmp_path)
    assert base.fingerprint("segment") != other_rules.fingerprint("segment")


def test_command_line_paths_override_config_and_say_so(tmp_path: Path) -> None:
    config = parse({}, tmp_path).with_paths(input=tmp_path / "elsewhere", output=None)
    assert config.paths.input == tmp_path / "elsewhere"
    assert config.paths.output == tmp_path / "output"
    assert config.provenance.origin("paths.input") == "command line"
    assert config.provenance.origin("paths.output") == "default"


def test_unreadable_or_invalid_yaml_is_a_config_error(tmp_path: Path) -> None:
    bad = write(tmp_path / "job.yaml", "paths: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        config_module.load(bad)
    with pytest.raises(ConfigError, match="cannot read config"):
        config_module.load(tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match="expected a mapping"):
        config_module.load(write(tmp_path / "list.yaml", "- a\n- b\n"))


def test_show_prints_yaml_that_loads_back_with_each_values_origin(tmp_path: Path) -> None:
    user = write(
        tmp_path / "job.yaml",
        "translation:\n  beam_size: 1\n"
        "segment:\n  captions:\n    - {name: pic, pattern: '\\[pic\\]'}\n",
    )
    config = config_module.load(user).with_paths(input=tmp_path / "in")
    shown = render(config)
    lines = shown.splitlines()
    assert next(line for line in lines if "beam_size" in line).endswith(f"# {user}:2")
    assert next(line for line in lines if "compute_type" in line).endswith("# default")
    assert next(line for line in lines if "input:" in line).endswith("# command line")
    assert next(line for line in lines if "name: pic" in line).endswith(f"# {user}:5")
    assert next(line for line in lines if "name: breadcrumb" in line).endswith("# default")
    # What it prints is a config file that gives the same settings.
    again = parse(yaml.safe_load(shown), tmp_path)
    for section in SECTIONS:
        if section != "segment":
            assert getattr(again, section) == getattr(config, section), section
    # Loaded over the defaults, the shown rules replace each built-in one by name.
    assert again.segment == config.segment


def test_locate_says_which_file_and_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(config_module.ENV_VAR, raising=False)
    project = tmp_path / "project"
    job = write(project / "config" / "job.yaml", "{}\n")
    (project / "input" / "sub").mkdir(parents=True)
    assert locate(Path("x.yaml"), project) == ConfigChoice(Path("x.yaml"), "given with --config")
    here = locate(None, project)
    assert here.path == job and "current folder" in here.reason
    above = locate(None, project / "input" / "sub")
    assert above.path == job and "above the current folder" in above.reason
    monkeypatch.setenv(config_module.ENV_VAR, str(tmp_path / "env.yaml"))
    assert locate(None, project).reason == f"from ${config_module.ENV_VAR}"
    monkeypatch.delenv(config_module.ENV_VAR)
    elsewhere = locate(None, tmp_path / "nowhere")
    # This checkout is an editable install: its own config is the fallback.
    assert elsewhere.path == ROOT / "config" / "job.yaml"
    assert "beside the installed code" in elsewhere.reason


def test_locate_with_no_file_anywhere_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(config_module.ENV_VAR, raising=False)
    monkeypatch.setattr(config_module, "__file__", str(tmp_path / "site" / "jobs" / "config.py"))
    choice = locate(None, tmp_path)
    assert choice.path is None
    assert str(tmp_path) in choice.reason and "--config" in choice.reason
    assert "built-in defaults" in choice.describe()


def test_every_builtin_key_is_documented_in_the_defaults_file() -> None:
    text = BUILTIN_FILE.read_text(encoding="utf-8").splitlines()
    layer = builtin_layer()
    lines = dict(config_module._key_lines(yaml.compose("\n".join(text))))
    for section, cls in SECTIONS.items():
        assert section in layer.data
        for f in fields(cls):
            line = lines[f"{section}.{f.name}"]
            own, above = text[line - 1], text[line - 2]
            assert "#" in own or above.strip().startswith("#"), f"{section}.{f.name} undocumented"
