"""Language labelling of spans, on texts the project writes itself."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import regex

from jobs import config as config_module
from jobs import pipeline, segment
from jobs.config import Config, LanguageSettings
from jobs.errors import DataError
from jobs.langid import (
    LanguageDetector,
    candidate_languages,
    evidence,
    label,
    lexicon,
    profiles,
)
from jobs.records import (
    UNDETERMINED,
    Article,
    Block,
    BlockKind,
    Document,
    RunReport,
    Sentence,
    Source,
    Span,
)
from tests.fakes import FakeEngine

ROOT = Path(__file__).resolve().parents[1]

# Script runs as the segmenter cuts them: letters of one script (with the punctuation
# inside words), or a neutral run of everything else. URLs are one run of their own.
_RUNS = regex.compile(
    r"https?://\S+|[\w.+-]+@[\w-]+\.[\w.]+"
    r"|\p{Script=Cyrillic}+(?:[\s'’ʼ-]+\p{Script=Cyrillic}+)*"
    r"|\p{Script=Latin}+(?:[\s'’ʼ.-]+\p{Script=Latin}+)*"
    r"|[^\p{Script=Cyrillic}\p{Script=Latin}]+"
)


def _article(*sentences: str) -> Article:
    text = "".join(sentences)
    source = Source(Path("t.txt"), "t.txt", "0" * 64, len(text))
    built, at = [], 0
    for sentence in sentences:
        spans = tuple(
            Span(at + m.start(), at + m.end(), m.group()) for m in _RUNS.finditer(sentence)
        )
        assert "".join(s.text for s in spans) == sentence
        built.append(Sentence(at, at + len(sentence), spans))
        at += len(sentence)
    block = Block(BlockKind.BODY, 0, len(text), tuple(built))
    return Article(Document(source, "t.txt", text), (block,))


def _labels(article: Article) -> list[tuple[str, str]]:
    return [(s.text, s.lang) for s in article.spans()]


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector(("en", "uk", "ru"))


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Їжак ґвалтує", "uk"),  # ї ґ
        ("Це наш двір", "uk"),  # є, і
        ("Вчора в місті йшов дощ", "uk"),
        ("Съешь этих мягких булок", "ru"),  # ъ ы э
        ("Ёлка стоит во дворе", "ru"),  # ё
        ("Вчера в городе шёл дождь", "ru"),
        ("The weather was fine yesterday", "en"),
    ],
)
def test_letters_decide_between_ukrainian_and_russian(
    detector: LanguageDetector, text: str, lang: str
) -> None:
    got, confidence = detector.detect(text)
    assert got == lang
    assert 0.5 < confidence <= 1.0


def test_context_never_overrides_letters(detector: LanguageDetector) -> None:
    russian_context = "Вчера в городе шёл дождь, и это было хорошо"
    ukrainian_context = "Вчора в місті йшов дощ, і це було добре"
    assert detector.detect("місті", russian_context)[0] == "uk"
    assert detector.detect("этих", ukrainian_context)[0] == "ru"


def test_context_tips_an_ambiguous_short_word(detector: LanguageDetector) -> None:
    # "мама" is spelt the same in both languages.
    assert detector.detect("мама", "Вчора мама їздила до міста")[0] == "uk"
    assert detector.detect("мама", "Вчера мама ездила в город, съела обед")[0] == "ru"


def test_single_ukrainian_word_in_an_english_line_is_ukrainian(
    detector: LanguageDetector,
) -> None:
    article = label(_article("Home / Бізнес / Huawei’s Global Cloud Strategy"), detector)
    assert _labels(article) == [
        ("Home", "en"),
        (" / ", UNDETERMINED),
        ("Бізнес", "uk"),
        (" / ", UNDETERMINED),
        ("Huawei’s Global Cloud Strategy", "en"),
    ]


def test_english_title_inside_a_ukrainian_sentence_stays_english(
    detector: LanguageDetector,
) -> None:
    article = label(
        _article("Видання опублікувало статтю «How Cities Adapt to Heat» про спеку в Києві."),
        detector,
    )
    langs = dict(_labels(article))
    assert langs["How Cities Adapt to Heat"] == "en"
    assert langs["Видання опублікувало статтю"] == "uk"


@pytest.mark.parametrize("name", ["GIZ", "Huawei", "NATO", "Kyiv Post"])
def test_names_and_acronyms_in_cyrillic_text_are_undetermined(
    detector: LanguageDetector, name: str
) -> None:
    article = label(_article(f"Проєкт підтримала організація {name} у червні."), detector)
    spans = {text: span for span in article.spans() for text in [span.text]}
    assert spans[name].lang == UNDETERMINED
    assert not spans[name].needs_translation
    assert spans["Проєкт підтримала організація"].lang == "uk"


def test_without_context_a_latin_word_is_english(detector: LanguageDetector) -> None:
    assert detector.detect("Huawei")[0] == "en"


@pytest.mark.parametrize(
    "text", ["2024", " / ", "12,5 %", "— ", "https://example.org/news/1", "news@example.org"]
)
def test_numbers_urls_and_punctuation_are_undetermined(
    detector: LanguageDetector, text: str
) -> None:
    article = label(_article(f"Звіт {text}"), detector)
    others = [s for s in article.spans() if s.text != "Звіт"]
    assert others
    for span in others:
        assert span.lang == UNDETERMINED, span.text
        assert not span.needs_translation


def test_every_span_is_labelled_and_text_is_untouched(detector: LanguageDetector) -> None:
    original = _article("Рада ухвалила закон 1234. ", "The law enters into force in May.")
    labelled = label(original, detector)
    assert labelled.document is original.document
    for before, after in zip(original.spans(), labelled.spans(), strict=True):
        assert (before.start, before.end, before.text) == (after.start, after.end, after.text)
        assert 0.0 <= after.confidence <= 1.0
    assert [s.lang for s in labelled.spans()] == ["uk", UNDETERMINED, "en", UNDETERMINED]


# Labels in a fresh interpreter: nothing cached, another hash seed for sets and dicts.
_DETECT_IN_A_CHILD = """
import json, sys
from jobs.langid import LanguageDetector
asked = json.load(sys.stdin)
detectors = {tuple(c): LanguageDetector(tuple(c), seed=0) for c, _, _ in asked}
print(json.dumps([detectors[tuple(c)].detect(text, context) for c, text, context in asked]))
"""
_EN_UK_RU = ("en", "uk", "ru")


def test_detection_is_deterministic_across_instances() -> None:
    asked: list[tuple[tuple[str, ...], str, str | None]] = [
        (_EN_UK_RU, "Мама мила раму", None),  # no telling letters
        (_EN_UK_RU, "Хлопці пішли до школи, а дівчата залишилися вдома разом з мамою", None),
        (_EN_UK_RU, "Ребята пошли в школу, а девочки остались дома вместе с мамой", None),
        (_EN_UK_RU, "робота", None),
        (_EN_UK_RU, "работа", None),
        (_EN_UK_RU, "мама", "Вчора мама їздила до міста"),  # leaning on its sentence
        (_EN_UK_RU, "поперекопував", None),  # endings and dictionaries, no frequency list
        (_EN_UK_RU, "Кніга ляжала каля акна і чакала вясну", None),  # words nobody knows
        (_EN_UK_RU, "Фирмата продаде продукти за 20 млн. долара и инвестиции за още 5", None),
        (_EN_UK_RU, "Huawei", "Компанія Huawei отримала контракт"),
        # langdetect's probabilities reach the confidence unrounded in these two.
        (_EN_UK_RU, "Ось пройшов р1к, у мене р1зний цикл.", None),
        (("en", "de", "uk", "ru"), "The report was published in Kyiv", None),
    ]
    hash_seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": hash_seed}
    child = subprocess.run(
        [sys.executable, "-c", _DETECT_IN_A_CHILD],
        input=json.dumps(asked),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    theirs = [(lang, confidence) for lang, confidence in json.loads(child.stdout)]
    ours = [LanguageDetector(c, seed=0).detect(text, context) for c, text, context in asked]
    assert theirs == ours  # labels and confidences, to the last bit


@pytest.mark.parametrize(
    "text",
    [
        # Belarusian-style spelling (ў, ы, э next to і): neither Ukrainian nor Russian.
        "Мы ўсе жывём у гэтым горадзе і любім яго",
        # Macedonian-style: one word with ј among many that Ukrainian could spell.
        "Во градот има многу луѓе кои сакаат да патуваат низ целата земја секое лето",
    ],
)
def test_foreign_cyrillic_is_not_called_ukrainian(detector: LanguageDetector, text: str) -> None:
    lang, confidence = detector.detect(text)
    assert lang not in ("uk", "ru")
    assert confidence <= 0.3


def test_only_candidates_or_und_for_in_scope_text() -> None:
    english_only = LanguageDetector(("en",))
    assert english_only.detect("Вчора в місті йшов дощ")[0] == UNDETERMINED
    assert english_only.detect("Rain in the city")[0] == "en"


@pytest.mark.parametrize(
    ("candidates", "installed", "expected"),
    [
        (None, set(), ("en", "uk", "ru")),
        (None, {"uk", "de"}, ("en", "uk", "ru", "de")),
        (None, {"pl", "de"}, ("en", "uk", "ru", "de", "pl")),
        (("uk", "en"), {"de"}, ("uk", "en")),
        (("uk", "ru"), set(), ("en", "uk", "ru")),
    ],
)
def test_candidate_languages(
    candidates: tuple[str, ...] | None, installed: set[str], expected: tuple[str, ...]
) -> None:
    settings = LanguageSettings(candidates=candidates)
    assert candidate_languages(settings, installed) == expected


# -- evidence from the full-form dictionaries ------------------------------------------


@pytest.mark.parametrize(
    ("word", "lang"),
    [
        # Forms too rare for any frequency list, but listed by one dictionary. Endings
        # alone call the first two Ukrainian (-ав is a Ukrainian past tense).
        ("поразбросав", "ru"),
        ("подкопав", "ru"),
        ("поперекопував", "uk"),
    ],
)
def test_a_form_only_one_dictionary_knows_decides_a_single_word(
    detector: LanguageDetector, word: str, lang: str
) -> None:
    assert lexicon.frequencies("uk").get(word) is None
    assert lexicon.frequencies("ru").get(word) is None
    assert detector.detect(word)[0] == lang


def test_without_dictionaries_the_detector_still_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    # pymorphy3's dictionaries are optional evidence: a missing package degrades, not breaks.
    monkeypatch.setattr(lexicon, "has_dictionary", lambda lang: False)
    evidence.word_scores.cache_clear()
    try:
        plain = LanguageDetector(("en", "uk", "ru"))
        assert plain.detect("Вчора в місті йшов дощ")[0] == "uk"
        assert plain.detect("Дзеці чакалі вясну каля ракі")[0] == "uk"  # spelling fits uk
    finally:
        evidence.word_scores.cache_clear()


@pytest.mark.parametrize(
    "text",
    [
        # Belarusian spelt with letters Ukrainian also has: no ў, ы, э or ё to give it away.
        "Дзеці чакалі вясну каля ракі",
        "Кніга ляжала каля акна і чакала вясну",
    ],
)
def test_words_no_candidate_knows_expose_a_foreign_sentence(
    detector: LanguageDetector, text: str
) -> None:
    assert detector.detect(text) == ("be", 0.3)


@pytest.mark.parametrize(
    "text",
    [
        # Bulgarian without ъ, made of words one or the other dictionary knows: "продукти",
        # "долара" (uk), "и", "инвестиции" (ru), and its own "фирмата", "още".
        "Фирмата продаде продукти за 20 млн. долара и инвестиции за още 5 млн.",
        "Ремонти и доставка на продукти за три години напред.",
    ],
)
def test_a_long_sentence_no_candidate_explains_goes_to_a_language_without_a_model(
    detector: LanguageDetector, text: str
) -> None:
    assert detector.detect(text) in (("bg", 0.3), ("mk", 0.3))


@pytest.mark.parametrize(
    "text",
    [
        # Ukrainian and Russian pulling both ways in one span.
        "Він сказав: «Мы никогда не сдадимся и будем бороться до конца», — і пішов геть.",
        "В интервью он сказал по-украински: «Ми переможемо, слава Україні».",
        "Короче, я тобі так скажу: харашо, шо ти прийшов, бо без тебе було скучно.",
        # Short spans left between Latin names and quotes; hyphenated names and foreign
        # surnames cost every candidate, yet these are Russian and Ukrainian.
        "сказал он Би-би-си.",
        "СКАЗАЛ ОН БИ-БИ-СИ.",
        "рассказал Би-би-си депутат.",
        "А от поразка Маррея стала сюрпризом",
        "За словами Сирано де Бержерака",
        # Long ones full of names, hyphenated and foreign.
        "Как сообщила Би-би-си, в Нью-Йорке и Рио-де-Жанейро прошли акции протеста против"
        " решения Вашингтона.",
        "Петров, Сидоров, Кузнецов, Смирнов, Попов, Васильев, Соколов, Михайлов и Новиков"
        " вышли в финал.",
        "А от поразка Маррея від Зверєва стала справжньою сенсацією турніру в Монте-Карло.",
    ],
)
def test_ukrainian_and_russian_spans_are_never_given_a_language_without_a_model(
    detector: LanguageDetector, text: str
) -> None:
    assert detector.detect(text)[0] in ("uk", "ru")


@pytest.mark.parametrize(
    "text",
    [
        # Surnames and a place name no dictionary lists, in a plainly Ukrainian sentence.
        "Бондарчук і Ковальчишин приїхали до Старокостянтинова в понеділок",
        # Runs made only of names, acronyms and company names: news is full of them.
        "ЗСУ, СБУ, НАБУ, ДБР",
        "Нафтогаз, Укренерго, Укрзалізниця",
        "Петренко, Коваленко, Шевчук та Бондаренко",
    ],
)
def test_names_do_not_make_ukrainian_text_foreign(detector: LanguageDetector, text: str) -> None:
    assert detector.detect(text)[0] == "uk"


# -- spans inside mixed lines, cut by the job's own segmenter ----------------------------

SHARED = ROOT.parent / "shared" / "data"
MIXED_FILES = sorted((SHARED / "mixed").glob("*.txt")) if (SHARED / "mixed").is_dir() else []


def _job_article(text: str, detector: LanguageDetector) -> Article:
    """Segment and label ``text`` exactly as the job does."""
    settings = config_module.load(ROOT / "config" / "job.yaml").segment
    source = Source(Path("t.txt"), "t.txt", "0" * 64, len(text))
    return label(segment.segment(Document(source, "t.txt", text), settings), detector)


def _by_text(article: Article) -> dict[str, Span]:
    return {span.text.strip(): span for span in article.spans() if span.text.strip()}


def test_ukrainian_sentence_quoting_an_english_title_through_the_segmenter(
    detector: LanguageDetector,
) -> None:
    article = _job_article(
        "Журнал надрукував есей «The Quiet Rise of Urban Beekeeping» у березневому числі.\n",
        detector,
    )
    spans = _by_text(article)
    title = next(s for t, s in spans.items() if "Urban Beekeeping" in t)
    assert title.lang == "en" and not title.needs_translation
    ukrainian = [s for s in article.spans() if regex.search(r"\p{Cyrillic}", s.text)]
    assert ukrainian and all(s.lang == "uk" and s.needs_translation for s in ukrainian)


def test_english_sentence_quoting_a_ukrainian_title_keeps_the_title_ukrainian(
    detector: LanguageDetector,
) -> None:
    article = _job_article(
        "The station aired a documentary called «Як ми будували міст через Дніпро» last week.\n",
        detector,
    )
    spans = _by_text(article)
    title = next(s for t, s in spans.items() if "Дніпро" in t)
    assert title.lang == "uk" and title.needs_translation
    english = [s for s in article.spans() if regex.search(r"\p{Latin}", s.text)]
    assert english and all(s.lang == "en" for s in english)


def test_names_numbers_urls_and_emails_inside_sentences_stay_verbatim(
    detector: LanguageDetector,
) -> None:
    article = _job_article(
        "Компанія Siemens заплатила 12,5 млн грн, пише https://example.com/news/42 "
        "(питання: press@example.com).\n"
        "The ministry paid 3.4 million hryvnias, see https://example.org/a?b=1 or "
        "write to info@example.org.\n",
        detector,
    )
    spans = _by_text(article)
    # A name inside Cyrillic text, and every address, is a span of its own, kept verbatim.
    for item in ("Siemens", "https://example.com/news/42", "press@example.com"):
        assert spans[item].lang == UNDETERMINED and not spans[item].needs_translation
    for item in ("https://example.org/a?b=1", "info@example.org"):
        assert spans[item].lang == UNDETERMINED and not spans[item].needs_translation
    # Numbers travel with the clause around them (the segmenter keeps one script's run
    # whole, so "12,5 млн грн" is translated in context); in English they are never sent.
    clause = next(s for s in article.spans() if "12,5" in s.text)
    assert clause.lang == "uk" and "заплатила" in clause.text
    english_number = next(s for s in article.spans() if "3.4" in s.text)
    assert english_number.lang == "en" and not english_number.needs_translation


# -- through the pipeline: what reaches the engine and what the reviewer sees ------------


def _pipeline_config(tmp_path: Path) -> Config:
    base = config_module.load(ROOT / "config" / "job.yaml")
    return base.with_paths(
        input=tmp_path / "input",
        output=tmp_path / "output",
        state=tmp_path / "state",
        models=tmp_path / "models",
    )


def _run(tmp_path: Path, text: str) -> tuple[Config, FakeEngine, RunReport]:
    config = _pipeline_config(tmp_path)
    config.paths.input.mkdir(parents=True)
    (config.paths.input / "a.txt").write_text(text, encoding="utf-8")
    engine = FakeEngine()
    report = pipeline.run(config, engine_factory=lambda lang: engine if lang == "uk" else None)
    return config, engine, report


def test_pipeline_sends_no_name_number_url_email_or_english_title_to_the_engine(
    tmp_path: Path,
) -> None:
    text = (
        "Звіт про ринок\n\n"
        "Компанія Huawei отримала 250 млн доларів, пише https://example.com/report/7 "
        "(контакти: desk@example.com). Журнал надрукував есей «The Quiet Rise of Urban "
        "Beekeeping» у березні. Рада ухвалила нові правила для ринку.\n"
    )
    config, engine, report = _run(tmp_path, text)
    assert report.failed == 0 and report.done == 1
    seen = " ".join(t for call in engine.calls for t in call)
    assert "Компанія" in seen  # the Ukrainian text did reach the engine
    for verbatim in ("Huawei", "https://example.com/report/7", "desk@example.com"):
        assert verbatim not in seen
    assert "Beekeeping" not in seen
    [json_file] = [p for p in config.paths.output.glob("*.json") if p.name != "run.json"]
    english = json_file.read_text(encoding="utf-8")
    for verbatim in ("Huawei", "https://example.com/report/7", "desk@example.com"):
        assert verbatim in english


def test_text_in_a_language_without_a_model_is_flagged_not_translated(tmp_path: Path) -> None:
    text = (
        "Навіни з раёна\n\n"
        "Рада ухвалила нові правила для ринку. Дзеці чакалі вясну каля ракі. "
        "Кніга ляжала каля акна і чакала вясну.\n"
    )
    config, engine, report = _run(tmp_path, text)
    seen = [t for call in engine.calls for t in call]
    assert any("Рада ухвалила" in t for t in seen)
    assert not any("Дзеці" in t or "Кніга" in t for t in seen)
    assert report.failed == 1
    [review] = [p for p in config.paths.output.glob("*.md") if p.name != "index.md"]
    md = review.read_text(encoding="utf-8")
    assert "no be→en model" in md
    assert "- Status: failed" in md
    [json_file] = [p for p in config.paths.output.glob("*.json") if p.name != "run.json"]
    data = json.loads(json_file.read_text(encoding="utf-8"))
    spans = [s for b in data["blocks"] for se in b["sentences"] for s in se["spans"]]
    belarusian = [s for s in spans if s["text"].startswith(("Дзеці", "Кніга"))]
    assert len(belarusian) == 2
    assert all(s["lang"] == "be" and s["english"] is None for s in belarusian)


# -- the real mixed pages ----------------------------------------------------------------


@pytest.mark.shared
@pytest.mark.skipif(not MIXED_FILES, reason=f"real mixed pages not found in {SHARED / 'mixed'}")
@pytest.mark.parametrize("path", MIXED_FILES, ids=lambda p: p.name)
def test_real_mixed_pages_keep_english_english_and_ukrainian_ukrainian(
    detector: LanguageDetector, path: Path
) -> None:
    text = path.read_text(encoding="utf-8")
    article = _job_article(text, detector)
    spans = [s for s in article.spans() if s.text.strip()]
    latin = [s for s in spans if regex.search(r"\p{Latin}", s.text)]
    cyrillic = [s for s in spans if regex.search(r"\p{Cyrillic}", s.text)]
    assert latin and cyrillic
    # English prose is never sent for translation; short Latin runs are en or names (und).
    for span in latin:
        assert span.lang in ("en", UNDETERMINED), span
        assert not span.needs_translation
        if len(span.text.split()) >= 3:
            assert span.lang == "en", span
    # Every Cyrillic run on these pages is Ukrainian.
    for span in cyrillic:
        assert span.lang == "uk", span
    # Spans without letters (numbers, separators) are kept verbatim.
    for span in spans:
        if not regex.search(r"\p{L}", span.text):
            assert span.lang == UNDETERMINED, span


# -- the libraries' data files, read directly: checked when the detector is created ------


def _word_list(path: Path, header: object, words: int = 3) -> Path:
    """A wordfreq-style list: gzipped msgpack, a header, then one list per centibel."""
    import msgpack

    with gzip.open(path, "wb") as f:
        f.write(msgpack.packb([header, *([["слово"]] * words)]))
    return path


def _started_with_broken_data() -> str:
    with pytest.raises(DataError) as raised:
        LanguageDetector(_EN_UK_RU)
    message = str(raised.value)
    assert "make clean && make run" in message  # what to do
    return message


def test_a_word_list_in_another_format_stops_the_detector_at_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = _word_list(tmp_path / "large_uk.msgpack.gz", {"format": "cB", "version": 2})
    monkeypatch.setattr(lexicon, "wordfreq_data_dir", lambda: tmp_path)
    message = _started_with_broken_data()
    assert str(bad) in message
    assert "{'format': 'cB', 'version': 1}" in message  # expected
    assert "{'format': 'cB', 'version': 2}" in message  # found


def test_a_word_list_that_cannot_be_read_stops_the_detector_at_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "small_ru.msgpack.gz"
    bad.write_bytes(b"not gzip at all")
    monkeypatch.setattr(lexicon, "wordfreq_data_dir", lambda: tmp_path)
    assert str(bad) in _started_with_broken_data()


def test_a_wordfreq_without_its_data_folder_stops_the_detector_at_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lexicon, "wordfreq_data_dir", lambda: tmp_path / "data")
    assert str(tmp_path / "data") in _started_with_broken_data()


def test_a_word_list_damaged_after_its_header_fails_loudly_when_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Start-up reads headers only; the damage shows when the list is loaded.
    whole = tmp_path / "whole"
    _word_list(whole, {"format": "cB", "version": 1}, words=2000)
    damaged = tmp_path / "large_xx.msgpack.gz"
    damaged.write_bytes(gzip.compress(gzip.decompress(whole.read_bytes())[:-100]))
    monkeypatch.setattr(lexicon, "wordfreq_data_dir", lambda: tmp_path)
    with pytest.raises(DataError, match=regex.escape(str(damaged))):
        lexicon.frequencies("xx")


def test_a_langdetect_profile_without_n_words_stops_the_detector_at_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = tmp_path / "uk"
    profile.write_text(json.dumps({"name": "uk", "freq": {"а": 10}}), encoding="utf-8")
    monkeypatch.setattr(profiles, "profiles_dir", lambda: str(tmp_path))
    message = _started_with_broken_data()
    assert str(profile) in message
    assert '"n_words"' in message


def test_a_language_without_a_word_list_or_a_profile_is_no_error() -> None:
    # wordfreq has no Belarusian list and langdetect no Belarusian profile: nothing is
    # broken, the detector just has less evidence for be.
    folder = lexicon.wordfreq_data_dir()
    assert folder is not None and not list(folder.glob("*_be.msgpack.gz"))
    assert profiles.profile_path("be") is None
    detector = LanguageDetector(("en", "uk", "ru", "be"))
    assert detector.detect("Вчора в місті йшов дощ")[0] == "uk"


# -- the key of the detection memory ------------------------------------------------------

LANGID_DIR = ROOT / "jobs" / "langid"


@pytest.mark.parametrize("module", sorted(p.name for p in LANGID_DIR.glob("*.py")))
def test_editing_any_module_of_the_package_changes_the_memory_key(
    monkeypatch: pytest.MonkeyPatch, module: str
) -> None:
    # Remembered answers must never outlive a change to any code that computes them.
    before = LanguageDetector(("en", "uk", "ru")).key
    read_bytes = Path.read_bytes

    def edited(path: Path) -> bytes:
        extra = b"\n# edited\n" if path.resolve() == LANGID_DIR / module else b""
        return read_bytes(path) + extra

    monkeypatch.setattr(Path, "read_bytes", edited)
    assert LanguageDetector(("en", "uk", "ru")).key != before


# -- the error analysis script ----------------------------------------------------------


def test_error_analysis_names_the_evidence_behind_each_error(tmp_path: Path) -> None:
    rows = [
        {"text": "їжачок", "lang": "uk"},  # right, by spelling
        {"text": "ёлочка", "lang": "uk"},  # mislabelled on purpose: spelling says ru
        {"text": "через", "lang": "ru"},  # a form both languages share: frequencies decide
        {"text": "через", "lang": "uk"},
    ]
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    script = Path(__file__).resolve().parent.parent / "bench" / "langid_errors.py"
    done = subprocess.run(
        [sys.executable, str(script), str(data)], capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout.splitlines()[-1])["rows.jsonl"]
    assert result["uk"]["n"] == 3 and result["ru"]["n"] == 1
    assert result["uk"]["errors"]["spelling"] == 1
    # "через" is one text: whichever language the detector picks, the other row is wrong,
    # and both rows count as shared.
    assert result["uk"]["errors"]["shared"] + result["ru"]["errors"]["shared"] == 1
    assert result["shared"]["rows"] == 2 and result["shared"]["errors"] == 1
    expected = result["shared"]["expected_errors"]
    assert 0 < expected["uk"] + expected["ru"] <= 1
