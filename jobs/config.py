"""Load config/job.yaml into frozen dataclasses, reporting every problem at once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import regex
import yaml

from jobs.errors import ConfigError

DEFAULT_CONFIG = Path("config/job.yaml")


@dataclass(frozen=True)
class Paths:
    input: Path
    output: Path
    models: Path
    state: Path
    log_file: Path | None = None


@dataclass(frozen=True)
class InputSettings:
    max_bytes: int = 20_000_000
    extensions: tuple[str, ...] = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")


@dataclass(frozen=True)
class LanguageSettings:
    target: str = "en"
    candidates: tuple[str, ...] | None = None  # None: "auto"
    require_models: tuple[str, ...] = ("uk",)


@dataclass(frozen=True)
class TranslationSettings:
    beam_size: int = 4
    compute_type: str = "int8"
    threads: int = 0
    max_batch_tokens: int = 2048  # as config/job.yaml: the fastest size that stays under 1 GiB
    max_decoding_ratio: float = 3.0
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0


@dataclass(frozen=True)
class SummarySettings:
    sentences: int = 3
    ratio: float | None = None
    also_in_source_language: bool = False

    def count_for(self, available: int) -> int:
        if self.ratio is not None:
            return max(1, round(available * self.ratio))
        return self.sentences


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: str

    def compiled(self) -> regex.Pattern[str]:
        return _compile(self.pattern)


@dataclass(frozen=True)
class SegmentSettings:
    boilerplate: tuple[Rule, ...] = ()
    captions: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Config:
    paths: Paths
    input: InputSettings = field(default_factory=InputSettings)
    languages: LanguageSettings = field(default_factory=LanguageSettings)
    translation: TranslationSettings = field(default_factory=TranslationSettings)
    summary: SummarySettings = field(default_factory=SummarySettings)
    segment: SegmentSettings = field(default_factory=SegmentSettings)

    def fingerprint(self, *sections: str) -> str:
        """A short hash of the named sections, to know what a config change affects."""
        data = {name: asdict(getattr(self, name)) for name in sections}
        blob = json.dumps(data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def with_paths(self, **overrides: Path | None) -> Config:
        given = {k: v.resolve() for k, v in overrides.items() if v is not None}
        return replace(self, paths=replace(self.paths, **given))


_cache: dict[str, regex.Pattern[str]] = {}


def _compile(pattern: str) -> regex.Pattern[str]:
    compiled = _cache.get(pattern)
    if compiled is None:
        compiled = _cache[pattern] = regex.compile(pattern, regex.V1)
    return compiled


class _Problems:
    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{self.origin}: {where}: {message}")


def _section(raw: Mapping[str, Any], key: str, problems: _Problems) -> Mapping[str, Any]:
    value = raw.get(key, {})
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.add(key, f"expected a mapping, got {type(value).__name__}")
        return {}
    return value


def _check_keys(section: Mapping[str, Any], where: str, allowed: set[str], p: _Problems) -> None:
    for key in section:
        if key not in allowed:
            hint = ", ".join(sorted(allowed))
            p.add(f"{where}.{key}" if where else str(key), f"unknown key (known: {hint})")


def _typed(
    section: Mapping[str, Any],
    where: str,
    key: str,
    default: Any,
    check: Callable[[Any], bool],
    expected: str,
    p: _Problems,
) -> Any:
    if key not in section:
        return default
    value = section[key]
    if not check(value):
        p.add(f"{where}.{key}", f"expected {expected}, got {value!r}")
        return default
    return value


def _is_int(minimum: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= minimum


def _is_number(low: float, high: float) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int | float) and not isinstance(v, bool) and low <= v <= high


def _is_lang(v: Any) -> bool:
    return isinstance(v, str) and bool(regex.fullmatch(r"[a-z]{2,3}", v))


def _rules(section: Mapping[str, Any], where: str, key: str, p: _Problems) -> tuple[Rule, ...]:
    raw = section.get(key, [])
    if raw is None:
        return ()
    if not isinstance(raw, list):
        p.add(f"{where}.{key}", "expected a list of {name, pattern}")
        return ()
    rules = []
    for i, item in enumerate(raw):
        at = f"{where}.{key}[{i}]"
        if not isinstance(item, Mapping) or set(item) != {"name", "pattern"}:
            p.add(at, "expected exactly the keys name and pattern")
            continue
        name, pattern = item["name"], item["pattern"]
        if not isinstance(name, str) or not isinstance(pattern, str):
            p.add(at, "name and pattern must be strings")
            continue
        try:
            _compile(pattern)
        except regex.error as exc:
            p.add(at, f"pattern {pattern!r} is not a valid regular expression: {exc}")
            continue
        rules.append(Rule(name, pattern))
    return tuple(rules)


def parse(raw: Mapping[str, Any], base: Path, origin: str = "config") -> Config:
    """Build a Config from parsed YAML. Relative paths resolve against ``base``."""
    p = _Problems(origin)
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{origin}: expected a mapping at the top level")
    sections = {"paths", "input", "languages", "translation", "summary", "segment"}
    _check_keys(raw, "", sections, p)

    s = _section(raw, "paths", p)
    _check_keys(s, "paths", {"input", "output", "models", "state", "log_file"}, p)

    def path(key: str, default: str | None) -> Path | None:
        value = _typed(
            s, "paths", key, default, lambda v: v is None or isinstance(v, str), "a path", p
        )
        if value is None:
            if default is not None:
                p.add(f"paths.{key}", "must not be empty")
            return None
        return (base / Path(value).expanduser()).resolve()

    paths = Paths(
        input=path("input", "input") or base / "input",
        output=path("output", "output") or base / "output",
        models=path("models", "models") or base / "models",
        state=path("state", ".mixdigest") or base / ".mixdigest",
        log_file=path("log_file", None),
    )

    s = _section(raw, "input", p)
    _check_keys(s, "input", {"max_bytes", "extensions"}, p)
    d_in = InputSettings()
    exts = _typed(
        s,
        "input",
        "extensions",
        list(d_in.extensions),
        lambda v: (
            isinstance(v, list)
            and bool(v)
            and all(isinstance(e, str) and e.startswith(".") for e in v)
        ),
        "a list of extensions such as .txt",
        p,
    )
    input_settings = InputSettings(
        max_bytes=_typed(
            s, "input", "max_bytes", d_in.max_bytes, _is_int(1), "a positive number of bytes", p
        ),
        extensions=tuple(e.lower() for e in exts),
    )

    s = _section(raw, "languages", p)
    _check_keys(s, "languages", {"target", "candidates", "require_models"}, p)
    target = _typed(
        s,
        "languages",
        "target",
        "en",
        lambda v: v == "en",
        "'en' (the only target the job supports)",
        p,
    )
    candidates = _typed(
        s,
        "languages",
        "candidates",
        "auto",
        lambda v: v == "auto" or (isinstance(v, list) and bool(v) and all(_is_lang(c) for c in v)),
        "'auto' or a list of language codes such as [en, uk, ru]",
        p,
    )
    required = _typed(
        s,
        "languages",
        "require_models",
        ["uk"],
        lambda v: isinstance(v, list) and all(_is_lang(c) for c in v),
        "a list of language codes such as [uk]",
        p,
    )
    languages = LanguageSettings(
        target=target,
        candidates=None if candidates == "auto" else tuple(candidates),
        require_models=tuple(required),
    )

    s = _section(raw, "translation", p)
    d_tr = TranslationSettings()
    _check_keys(s, "translation", set(asdict(d_tr)), p)
    compute_types = {
        "int8",
        "int8_float32",
        "int8_float16",
        "int16",
        "float32",
        "float16",
        "bfloat16",
        "auto",
        "default",
    }
    translation = TranslationSettings(
        beam_size=_typed(
            s, "translation", "beam_size", d_tr.beam_size, _is_int(1), "a whole number ≥ 1", p
        ),
        compute_type=_typed(
            s,
            "translation",
            "compute_type",
            d_tr.compute_type,
            lambda v: v in compute_types,
            f"one of {sorted(compute_types)}",
            p,
        ),
        threads=_typed(
            s, "translation", "threads", d_tr.threads, _is_int(0), "a whole number ≥ 0", p
        ),
        max_batch_tokens=_typed(
            s,
            "translation",
            "max_batch_tokens",
            d_tr.max_batch_tokens,
            _is_int(16),
            "a whole number ≥ 16",
            p,
        ),
        max_decoding_ratio=float(
            _typed(
                s,
                "translation",
                "max_decoding_ratio",
                d_tr.max_decoding_ratio,
                _is_number(1.0, 100.0),
                "a number from 1 to 100",
                p,
            )
        ),
        repetition_penalty=float(
            _typed(
                s,
                "translation",
                "repetition_penalty",
                d_tr.repetition_penalty,
                _is_number(1.0, 10.0),
                "a number from 1 to 10",
                p,
            )
        ),
        no_repeat_ngram_size=_typed(
            s,
            "translation",
            "no_repeat_ngram_size",
            d_tr.no_repeat_ngram_size,
            _is_int(0),
            "a whole number ≥ 0",
            p,
        ),
    )

    s = _section(raw, "summary", p)
    _check_keys(s, "summary", {"sentences", "ratio", "also_in_source_language"}, p)
    ratio = _typed(
        s,
        "summary",
        "ratio",
        None,
        lambda v: v is None or (_is_number(0.0, 1.0)(v) and v > 0),
        "a number above 0 and at most 1, or null",
        p,
    )
    summary = SummarySettings(
        sentences=_typed(s, "summary", "sentences", 3, _is_int(1), "a whole number ≥ 1", p),
        ratio=None if ratio is None else float(ratio),
        also_in_source_language=_typed(
            s,
            "summary",
            "also_in_source_language",
            False,
            lambda v: isinstance(v, bool),
            "true or false",
            p,
        ),
    )

    s = _section(raw, "segment", p)
    _check_keys(s, "segment", {"boilerplate", "captions"}, p)
    segment = SegmentSettings(
        boilerplate=_rules(s, "segment", "boilerplate", p),
        captions=_rules(s, "segment", "captions", p),
    )

    if p.items:
        raise ConfigError(p.items)
    return Config(paths, input_settings, languages, translation, summary, segment)


def load(path: Path | None = None) -> Config:
    """Read a config file; with no path, config/job.yaml if present, else defaults."""
    if path is None:
        if not DEFAULT_CONFIG.is_file():
            return parse({}, Path.cwd(), origin="defaults")
        path = DEFAULT_CONFIG
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror or exc}") from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    return parse(raw or {}, path.resolve().parent, origin=str(path))
