"""Language labelling of spans, on texts the project writes itself."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex

from jobs.config import LanguageSettings
from jobs.langid import LanguageDetector, candidate_languages, label
from jobs.records import UNDETERMINED, Article, Block, BlockKind, Document, Sentence, Source, Span

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


def test_detection_is_deterministic_across_instances() -> None:
    texts = [
        "Мама мила раму",  # no telling letters: langdetect and frequencies decide
        "Хлопці пішли до школи, а дівчата залишилися вдома разом з мамою",
        "Ребята пошли в школу, а девочки остались дома вместе с мамой",
        "робота",
        "работа",
    ]
    first = LanguageDetector(("en", "uk", "ru"), seed=0)
    again = [first.detect(t) for t in texts]
    assert again == [first.detect(t) for t in texts]
    assert again == [LanguageDetector(("en", "uk", "ru"), seed=0).detect(t) for t in texts]


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
