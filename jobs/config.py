"""Settings in layers: the built-in defaults, the user's file, the command line.

``jobs/defaults.yaml`` is the bottom layer and the one place where defaults are written
down (the dataclass defaults below are read from it). A user's file is laid over it key
by key; the rule lists under ``segment`` are merged by rule name instead (a user's rule
is added, replaces the built-in rule of its name, or removes it with ``drop: true``).
Command-line paths come last. Every value remembers where it came from, so that
``mixdigest config show`` can say so and a bad value is reported at its file and line.
All problems are reported at once, as one ``ConfigError``.

Which file is the user's (``locate``): ``--config FILE``; else ``$MIXDIGEST_CONFIG``;
else ``config/job.yaml`` in the current folder or the nearest folder above it; else the
project's own ``config/job.yaml`` beside the installed code (an editable install); else
none, and the built-in defaults apply with paths relative to the current folder.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import regex
import yaml

from jobs.errors import ConfigError

BUILTIN_FILE = Path(__file__).with_name("defaults.yaml")
ENV_VAR = "MIXDIGEST_CONFIG"
PROJECT_FILE = Path("config") / "job.yaml"
DEFAULT_ORIGIN = "default"
RULE_LISTS = frozenset({"segment.boilerplate", "segment.captions"})
FORMATS = ("json", "md")  # in the order they are written; the review file last
COMPUTE_TYPES = (
    "int8", "int8_float32", "int8_float16", "int16", "float32", "float16", "bfloat16",
    "auto", "default",
)  # fmt: skip

# -- checks: each turns a raw YAML value into a setting, or raises _Invalid ----------


class _Invalid(ValueError):
    """A value a check refused; the message says what was expected."""


Check = Callable[[Any], Any]


def _whole(minimum: int) -> Check:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise _Invalid(f"a whole number ≥ {minimum}")
        return value

    return check


def _number(low: float, high: float, *, above_low: bool = False) -> Check:
    def check(value: Any) -> float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not (low < value if above_low else low <= value) or value > high:
            lower = f"above {low:g}" if above_low else f"from {low:g}"
            raise _Invalid(f"a number {lower} to {high:g}")
        return float(value)

    return check


def _optional(check: Check, expected: str) -> Check:
    def optional(value: Any) -> Any:
        if value is None:
            return None
        try:
            return check(value)
        except _Invalid:
            raise _Invalid(expected) from None

    return optional


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid("true or false")
    return value


def _one_of(*choices: str, expected: str = "") -> Check:
    def check(value: Any) -> str:
        if value not in choices:
            raise _Invalid(expected or f"one of {', '.join(choices)}")
        return str(value)

    return check


def _path(value: Any) -> Path:
    if isinstance(value, Path):
        return value
    if not isinstance(value, str) or not value.strip():
        raise _Invalid("a path")
    return Path(value)


def _is_lang(value: Any) -> bool:
    return isinstance(value, str) and bool(regex.fullmatch(r"[a-z]{2,3}", value))


def _languages(expected: str, *, empty_ok: bool) -> Check:
    def check(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(_is_lang(c) for c in value):
            raise _Invalid(expected)
        if not value and not empty_ok:
            raise _Invalid(expected)
        return tuple(value)

    return check


def _candidates(value: Any) -> tuple[str, ...] | None:
    if value == "auto":
        return None
    expected = "'auto' or a list of language codes such as [en, uk, ru]"
    languages: tuple[str, ...] = _languages(expected, empty_ok=False)(value)
    return languages


def _extensions(value: Any) -> tuple[str, ...]:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(e, str) and e.startswith(".") and len(e) > 1 for e in value)
    ):
        raise _Invalid("a list of extensions such as [.txt, .md]")
    return tuple(e.lower() for e in value)


def _formats(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not set(value) <= set(FORMATS):
        raise _Invalid(f"a non-empty list of formats from {', '.join(FORMATS)}")
    return tuple(f for f in FORMATS if f in value)


def _rules(value: Any) -> tuple[Rule, ...]:
    # The layers were merged and every pattern compiled already (``_merge_rules``).
    return tuple(Rule(item["name"], item["pattern"]) for item in value)


# -- settings -----------------------------------------------------------------------


# libyaml's loader when PyYAML was built with it: the config is read by every command.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def _builtin_data() -> Mapping[str, Any]:
    data: Mapping[str, Any] = yaml.load(BUILTIN_FILE.read_text("utf-8"), Loader=_Loader)
    return data


def _default(section: str, key: str, check: Check) -> Any:
    """A dataclass field whose default is the built-in value, checked as a user's is."""
    return field(default=check(_builtin_data()[section][key]), metadata={"check": check})


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: str

    def compiled(self) -> regex.Pattern[str]:
        return _compile(self.pattern)


@dataclass(frozen=True)
class Paths:
    input: Path = _default("paths", "input", _path)
    output: Path = _default("paths", "output", _path)
    models: Path = _default("paths", "models", _path)
    state: Path = _default("paths", "state", _path)
    log_file: Path | None = _default("paths", "log_file", _optional(_path, "a path or null"))


@dataclass(frozen=True)
class InputSettings:
    max_bytes: int = _default("input", "max_bytes", _whole(1))
    extensions: tuple[str, ...] = _default("input", "extensions", _extensions)


@dataclass(frozen=True)
class LanguageSettings:
    target: str = _default(
        "languages", "target", _one_of("en", expected="'en' (the only target the job supports)")
    )
    candidates: tuple[str, ...] | None = _default("languages", "candidates", _candidates)
    require_models: tuple[str, ...] = _default(
        "languages",
        "require_models",
        _languages("a list of language codes such as [uk]", empty_ok=True),
    )


@dataclass(frozen=True)
class TranslationSettings:
    beam_size: int = _default("translation", "beam_size", _whole(1))
    compute_type: str = _default("translation", "compute_type", _one_of(*COMPUTE_TYPES))
    threads: int = _default("translation", "threads", _whole(0))
    max_batch_tokens: int = _default("translation", "max_batch_tokens", _whole(16))
    max_decoding_ratio: float = _default("translation", "max_decoding_ratio", _number(1, 100))
    repetition_penalty: float = _default("translation", "repetition_penalty", _number(1, 10))
    no_repeat_ngram_size: int = _default("translation", "no_repeat_ngram_size", _whole(0))


@dataclass(frozen=True)
class SummarySettings:
    sentences: int = _default("summary", "sentences", _whole(1))
    ratio: float | None = _default(
        "summary",
        "ratio",
        _optional(_number(0, 1, above_low=True), "a number above 0 and at most 1, or null"),
    )
    also_in_source_language: bool = _default("summary", "also_in_source_language", _boolean)

    def count_for(self, available: int) -> int:
        if self.ratio is not None:
            return max(1, round(available * self.ratio))
        return self.sentences


@dataclass(frozen=True)
class OutputSettings:
    formats: tuple[str, ...] = _default("output", "formats", _formats)


@dataclass(frozen=True)
class SegmentSettings:
    boilerplate: tuple[Rule, ...] = _default("segment", "boilerplate", _rules)
    captions: tuple[Rule, ...] = _default("segment", "captions", _rules)


@dataclass(frozen=True)
class Provenance:
    """Where the settings came from: the layers in order, and the origin of each value
    by its dotted key ("translation.beam_size", "segment.boilerplate[byline]")."""

    layers: tuple[str, ...] = (DEFAULT_ORIGIN,)
    origins: Mapping[str, str] = field(default_factory=dict)

    def origin(self, key: str) -> str:
        return self.origins.get(key, DEFAULT_ORIGIN)


@dataclass(frozen=True)
class Config:
    paths: Paths = field(default_factory=Paths)
    input: InputSettings = field(default_factory=InputSettings)
    languages: LanguageSettings = field(default_factory=LanguageSettings)
    translation: TranslationSettings = field(default_factory=TranslationSettings)
    summary: SummarySettings = field(default_factory=SummarySettings)
    output: OutputSettings = field(default_factory=OutputSettings)
    segment: SegmentSettings = field(default_factory=SegmentSettings)
    provenance: Provenance = field(default_factory=Provenance, compare=False)

    def fingerprint(self, *sections: str) -> str:
        """A short hash of the named sections, to know what a config change affects."""
        data = {name: asdict(getattr(self, name)) for name in sections}
        blob = json.dumps(data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def with_paths(self, origin: str = "command line", /, **overrides: Path | None) -> Config:
        """A copy with the given paths (relative ones against the current folder)."""
        given = {k: v.resolve() for k, v in overrides.items() if v is not None}
        if not given:
            return self
        origins = {**self.provenance.origins, **{f"paths.{k}": origin for k in given}}
        layers = self.provenance.layers
        provenance = Provenance((*layers, origin) if origin not in layers else layers, origins)
        return replace(self, paths=replace(self.paths, **given), provenance=provenance)


# The sections in Config's order, read off its fields so the two never disagree.
SECTIONS: Mapping[str, type[Any]] = {
    f.name: type(getattr(Config(), f.name))
    for f in dataclasses.fields(Config)
    if f.name != "provenance"
}


_compiled: dict[str, regex.Pattern[str]] = {}


def _compile(pattern: str) -> regex.Pattern[str]:
    compiled = _compiled.get(pattern)
    if compiled is None:
        compiled = _compiled[pattern] = regex.compile(pattern, regex.V1)
    return compiled


# -- layers -------------------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """One source of settings: its data, where relative paths in it resolve, and the
    line of each dotted key (files only)."""

    origin: str  # "default", a file's path, "command line"
    data: Mapping[str, Any]
    base: Path
    lines: Mapping[str, int] = field(default_factory=dict)

    def place(self, key: str) -> str:
        line = self.lines.get(key)
        return f"{self.origin}:{line}" if line else self.origin


def _key_lines(node: yaml.Node, prefix: str = "") -> Iterator[tuple[str, int]]:
    """(dotted key, line) for every key of a composed YAML document; rule list items
    as ``section.list[i]``."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
            yield key, key_node.start_mark.line + 1
            yield from _key_lines(value_node, key)
    elif isinstance(node, yaml.SequenceNode) and prefix in RULE_LISTS:
        for i, item in enumerate(node.value):
            yield f"{prefix}[{i}]", item.start_mark.line + 1


def read_layer(path: Path, origin: str | None = None) -> Layer:
    """A YAML file as a layer; ``ConfigError`` if it cannot be read or parsed."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"cannot read config {path}: {reason}") from exc
    loader = _Loader(text)
    try:
        # One parse gives both the data and the node tree the line numbers come from.
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    finally:
        loader.dispose()
    origin = origin or str(path)
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError(f"{origin}: expected a mapping of sections at the top level")
    lines = dict(_key_lines(node)) if node is not None else {}
    return Layer(origin, data, path.resolve().parent, lines)


def builtin_layer(cwd: Path | None = None) -> Layer:
    layer = read_layer(BUILTIN_FILE, DEFAULT_ORIGIN)
    # Built-in values are shown as "default", not by line: the file is not the user's.
    return replace(layer, base=cwd or Path.cwd(), lines={})


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[str, int, str]] = []

    def add(self, layer: Layer | str, key: str, message: str) -> None:
        """A problem at ``key``, placed in a layer or at an origin ("file:line")."""
        place = layer.place(key) if isinstance(layer, Layer) else layer
        origin, _, line = place.rpartition(":")
        if not line.isdigit():
            origin, line = place, "0"
        self.items.append((origin, int(line), f"{place}: {key}: {message}"))

    def raise_any(self) -> None:
        if self.items:
            # File by file in line order, so the list reads along each file.
            ordered = sorted(self.items, key=lambda item: item[:2])
            raise ConfigError([text for _, _, text in ordered])


def _merge(layers: Sequence[Layer], problems: _Problems) -> tuple[dict[str, Any], dict[str, str]]:
    """The layers' data laid over each other key by key, and each key's origin."""
    merged: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    origins: dict[str, str] = {}
    for layer in layers:
        for section, values in layer.data.items():
            if section not in SECTIONS:
                problems.add(layer, str(section), f"unknown section (known: {', '.join(SECTIONS)})")
                continue
            if values is None:
                continue
            if not isinstance(values, Mapping):
                problems.add(layer, section, f"expected a mapping, got {type(values).__name__}")
                continue
            known = [f.name for f in dataclasses.fields(SECTIONS[section])]
            for key, value in values.items():
                where = f"{section}.{key}"
                if key not in known:
                    problems.add(layer, where, f"unknown key (known: {', '.join(sorted(known))})")
                elif where in RULE_LISTS:
                    merged[section][key] = _merge_rules(
                        merged[section].get(key, []), value, layer, where, problems, origins
                    )
                else:
                    if section == "paths" and isinstance(value, str) and value.strip():
                        value = str((layer.base / Path(value).expanduser()).resolve())
                    merged[section][key] = value
                    origins[where] = layer.place(where)
    return merged, origins


def _merge_rules(
    current: list[dict[str, str]],
    items: Any,
    layer: Layer,
    where: str,
    problems: _Problems,
    origins: dict[str, str],
) -> list[dict[str, str]]:
    """``current`` with a layer's rules applied: each {name, pattern} replaces the rule
    of its name in place or is added at the end; {name, drop: true} removes it."""
    if items is None:
        return current
    if not isinstance(items, list):
        problems.add(layer, where, "expected a list of {name, pattern} (or {name, drop: true})")
        return current
    rules = list(current)
    seen: set[str] = set()
    for i, item in enumerate(items):
        at = f"{where}[{i}]"
        name = item.get("name") if isinstance(item, Mapping) else None
        if not isinstance(name, str) or not name.strip():
            problems.add(layer, at, "expected a rule: {name, pattern}, or {name, drop: true}")
            continue
        if name in seen:
            problems.add(layer, at, f"rule {name!r} is given twice")
            continue
        seen.add(name)
        index = next((n for n, rule in enumerate(rules) if rule["name"] == name), None)
        if set(item) == {"name", "drop"} and item["drop"] is True:
            if index is None:
                names = ", ".join(rule["name"] for rule in rules) or "none"
                problems.add(layer, at, f"no rule named {name!r} to drop (rules: {names})")
                continue
            del rules[index]
            origins.pop(f"{where}[{name}]", None)
            continue
        pattern = item.get("pattern")
        if set(item) != {"name", "pattern"} or not isinstance(pattern, str):
            problems.add(layer, at, "expected exactly the keys name and pattern (strings)")
            continue
        try:
            _compile(pattern)
        except regex.error as exc:
            problems.add(layer, at, f"pattern {pattern!r} is not a valid regular expression: {exc}")
            continue
        rule = {"name": name, "pattern": pattern}
        if index is None:
            rules.append(rule)
        else:
            rules[index] = rule
        origins[f"{where}[{name}]"] = layer.place(at)
    return rules


def _build(
    merged: Mapping[str, Mapping[str, Any]], origins: Mapping[str, str], problems: _Problems
) -> dict[str, Any]:
    sections: dict[str, Any] = {}
    for name, cls in SECTIONS.items():
        values = {}
        for f in dataclasses.fields(cls):
            key = f"{name}.{f.name}"
            raw = merged[name][f.name]
            try:
                values[f.name] = f.metadata["check"](raw)
            except _Invalid as exc:
                problems.add(origins.get(key, DEFAULT_ORIGIN), key, f"expected {exc}, got {raw!r}")
        if len(values) == len(dataclasses.fields(cls)):
            sections[name] = cls(**values)
    return sections


def from_layers(layers: Sequence[Layer]) -> Config:
    """Lay ``layers`` over each other (the first must be the built-in one) and check
    every value; ``ConfigError`` lists every problem with its place."""
    problems = _Problems()
    merged, origins = _merge(layers, problems)
    sections = _build(merged, origins, problems)
    problems.raise_any()
    provenance = Provenance(tuple(layer.origin for layer in layers), origins)
    return Config(**sections, provenance=provenance)


def parse(raw: Mapping[str, Any], base: Path, origin: str = "config") -> Config:
    """Settings from already parsed YAML laid over the built-in defaults; relative paths
    in ``raw`` resolve against ``base``."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{origin}: expected a mapping of sections at the top level")
    return from_layers([builtin_layer(base), Layer(origin, raw, base)])


# -- which file ---------------------------------------------------------------------


@dataclass(frozen=True)
class ConfigChoice:
    """The user's config file, if any, and why that one."""

    path: Path | None
    reason: str

    def describe(self) -> str:
        if self.path is None:
            return f"no config file ({self.reason}); using the built-in defaults"
        return f"config {self.path} ({self.reason})"


def locate(explicit: Path | None = None, cwd: Path | None = None) -> ConfigChoice:
    """Which config file a command uses (see the module docstring for the order)."""
    if explicit is not None:
        return ConfigChoice(explicit, "given with --config")
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return ConfigChoice(Path(from_env), f"from ${ENV_VAR}")
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / PROJECT_FILE
        if candidate.is_file():
            where = (
                "the current folder" if folder == here else f"{folder}, above the current folder"
            )
            return ConfigChoice(candidate, f"found {PROJECT_FILE} in {where}")
    project = Path(__file__).resolve().parents[1] / PROJECT_FILE
    if project.is_file():
        return ConfigChoice(
            project,
            f"no {PROJECT_FILE} in {here} or above it; the project's own, beside the "
            "installed code",
        )
    return ConfigChoice(
        None,
        f"none given with --config or ${ENV_VAR}, and no {PROJECT_FILE} in {here}, above "
        f"it or beside the installed code; paths are relative to {here}",
    )


def load(path: Path | None = None, cwd: Path | None = None) -> Config:
    """The settings of ``path`` (or of the file ``locate`` finds) over the defaults."""
    return load_choice(locate(path, cwd), cwd)


def load_choice(choice: ConfigChoice, cwd: Path | None = None) -> Config:
    layers = [builtin_layer(cwd)]
    if choice.path is not None:
        layers.append(read_layer(choice.path))
    return from_layers(layers)


# -- showing ------------------------------------------------------------------------


def _yaml_value(value: Any) -> str:
    if isinstance(value, Path):
        value = str(value)
    elif isinstance(value, tuple):
        value = [str(v) if isinstance(v, Path) else v for v in value]
    dumped = yaml.safe_dump([value], default_flow_style=True, allow_unicode=True, width=10**9)
    return dumped.strip()[1:-1]


def render(config: Config, header: Sequence[str] = ()) -> str:
    """The settings as YAML that loads back to them, each value followed by its origin."""
    lines = [f"# {line}" for line in header]
    lines.append(f"# layers, lowest first: {', then '.join(config.provenance.layers)}")
    for name in SECTIONS:
        lines.append(f"{name}:")
        section = getattr(config, name)
        for f in dataclasses.fields(section):
            key = f"{name}.{f.name}"
            value = getattr(section, f.name)
            if key in RULE_LISTS:
                lines.append(f"  {f.name}:")
                for rule in value:
                    origin = config.provenance.origin(f"{key}[{rule.name}]")
                    lines.append(f"    - name: {_yaml_value(rule.name)}  # {origin}")
                    lines.append(f"      pattern: {_yaml_value(rule.pattern)}")
                continue
            if key == "languages.candidates" and value is None:
                value = "auto"
            lines.append(f"  {f.name}: {_yaml_value(value)}  # {config.provenance.origin(key)}")
    return "\n".join(lines) + "\n"
