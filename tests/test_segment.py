"""Sentence splitting, blocks, spans and the sumy tokenizer, on texts written for these tests."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobs.config import Rule, SegmentSettings, load
from jobs.records import Article, BlockKind, Document, Source
from jobs.segment import SentenceTokenizer, segment, split_sentences, split_spans

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
RULES = load(ROOT / "config" / "job.yaml").segment


def doc(text: str, title: str | None = None) -> Document:
    return Document(Source(Path("t.txt"), "t.txt", "0" * 64, len(text)), "t.txt", text, title)


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def kinds(article: Article) -> list[tuple[str, str | None]]:
    return [(b.kind.value, b.rule) for b in article.blocks]


# --- split_sentences ------------------------------------------------------------------
# Each case is the expected partition; the input is its concatenation.

SPLIT_CASES = {
    "e.g.": ["We need fruit, e.g. Apples and pears. ", "They are cheap."],
    "i.e.": ["Use one tool, i.e. The hammer. ", "Nothing else."],
    "U.S. mid-sentence": ["The U.S. Treasury acted on Monday. ", "Markets fell."],
    "U.S. ends a sentence": ["Sanctions came from the U.S. ", "On Monday, China objected."],
    "U.S. glued to a word": ["Trade with the U.S.Army grew. ", "Then it fell."],
    "Dr.": ["Dr. Smith arrived late. ", "He apologised."],
    "Mr. and Mrs.": ["Mr. and Mrs. Brown came. ", "They left early."],
    "Nov.": ["It opened on Nov. 22, 2019 in Beijing. ", "Crowds came."],
    "Sen.": ["Sen. Bob Menendez spoke. ", "Nobody listened."],
    "вул.": ["Офіс розташований на вул. Хрещатик, 22. ", "Він відкритий щодня."],
    "м.": ["Зустріч відбулася у м. Київ учора. ", "Прийшли всі."],
    "ім.": ["Він навчався в університеті ім. Шевченка. ", "Потім працював."],
    "т.зв.": ["Це т.зв. Північний потік. ", "Його добудували."],
    "р. before a name": ["У 2021 р. Верховна Рада ухвалила закон. ", "Він діє."],
    "р. ends a sentence": ["Закон ухвалили у 2021 р. ", "Він набув чинності."],
    "грн.": ["Ціна зросла до 25 грн. ", "Це рекорд."],
    "тис. and млн.": ["Бюджет склав 5 млн. грн. за рік, або 5 тис. Євро. ", "Це мало."],
    "initials uk": ["Пам'ятник Т. Г. Шевченку відкрили навесні. ", "Грав оркестр."],
    "initials en": ["J. R. R. Tolkien wrote it. ", "It sold well."],
    "initials glued": ["J.R.R. Tolkien wrote it. ", "It sold well."],
    "ru г. and ул.": ["Его избрали в 2020 г. ", "Он живёт на ул. Ленина. ", "Там тихо."],
    "decimal point": ["Growth was 3.5 percent in 2021. ", "It slowed."],
    "decimal comma": ["Інфляція сповільнилася до 2,5 відсотка. ", "Ціни стабільні."],
    "thousands and decimals": ["The bill was 1,000.50 dollars. ", "Nobody paid."],
    "ellipsis ends": ["He paused... ", "Then he spoke."],
    "ellipsis inside": ["Well… maybe not tonight. ", "We left."],
    "ellipsis after a stop": ["They had power. … ", "“Then it was gone,” she said."],
    "quote after full stop": ["It sought “coercive leverage.” ", "The move came later."],
    "single quote after stop": ["He said ‘Just say no.’ ", "But that is no plan."],
    "question in quotes": ["“Is it true?” he asked. ", "Nobody answered."],
    "glued after a year": ["The photo was taken on April 12, 2021.", "The CSIS report warned."],
    "glued after a word": ["Data flows around the world.", "Cloud competition? ", "To act."],
    "glued question": ["Cloud competition?", "To compete, act now."],
    "glued after a quote": ["It ended “badly.”", "The next day was calm."],
    "question and exclamation": ["Really? ", "Yes! ", "Fine?! ", "Good."],
    "url": ["See https://example.org/a.b/c.html for more. ", "Then stop."],
    "url with capitals": ["Read https://example.org/News.Today/Item.Html now. ", "Done."],
    "url at the end": ["Read https://voa.com/a.b. ", "Then stop."],
    "bare domain": ["The site voa.com and example.org/a.b are up. ", "Good."],
    "e-mail": ["Write to news.desk@voa.com or Editor@Example.org today. ", "We reply."],
    "dialogue dash": ["Він сказав це. ", "— Ми підемо, — відповіла вона."],
    "numbered list": ["1. Перший пункт.\n", "2. Другий пункт."],
    "paragraph break": ["A headline without a stop\n\n", "Body starts here."],
    "leading whitespace": ["  \n Starts late. ", "Ends."],
}


@pytest.mark.parametrize("expected", SPLIT_CASES.values(), ids=SPLIT_CASES.keys())
def test_split_sentences(expected: list[str]) -> None:
    assert sentences("".join(expected)) == expected


def test_split_sentences_of_nothing() -> None:
    assert split_sentences("") == []
    assert sentences(" \n ") == [" \n "]


@given(st.text())
def test_sentences_partition_any_text(text: str) -> None:
    bounds = split_sentences(text)
    assert "".join(text[s:e] for s, e in bounds) == text
    assert all(s < e for s, e in bounds)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))


def test_split_sentences_over_a_long_text_finds_every_sentence() -> None:
    unit = (
        "The U.S. said on Nov. 22, 2019 that growth was 3.5 percent. "
        "Офіс на вул. Хрещатик відкрили у 2021 р. Він працює щодня! "
        "See https://voa.com/a.b and write to desk@voa.com.The end? "
    )
    text = unit * 500  # 2,500 sentences; how fast is make bench's business
    found = split_sentences(text)
    assert len(found) == 2500
    assert [text[s:e] for s, e in found[:5]] == [
        "The U.S. said on Nov. 22, 2019 that growth was 3.5 percent. ",
        "Офіс на вул. Хрещатик відкрили у 2021 р. ",
        "Він працює щодня! ",
        "See https://voa.com/a.b and write to desk@voa.com.",
        "The end? ",
    ]


# --- spans -------------------------------------------------------------------------------


def span_texts(text: str) -> list[str]:
    return [text[s:e] for s, e in split_spans(text)]


SPAN_CASES = {
    "breadcrumb": (
        "Home  /  Бізнес  /  Huawei’s Global Cloud Strategy",
        ["Home", "  /  ", "Бізнес", "  /  ", "Huawei’s Global Cloud Strategy"],
    ),
    "one script keeps its neutrals": (
        "“Network security is first,” the 5G statement added.",
        ["“Network security is first,” the 5G statement added."],
    ),
    "name inside Ukrainian": (
        "Компанія Huawei заявила про 5 нових центрів.",
        ["Компанія", " ", "Huawei", " ", "заявила про 5 нових центрів."],
    ),
    "apostrophes stay inside words": ("п'ять м’яч", ["п'ять м’яч"]),
    "digits between scripts": ("COVID-19 пандемія", ["COVID", "-19 ", "пандемія"]),
    "url is its own span": (
        "Дивіться https://voa.com/a.b тут",
        ["Дивіться", " ", "https://voa.com/a.b", " ", "тут"],
    ),
    "url inside English": (
        "see https://voa.com now",
        ["see", " ", "https://voa.com", " ", "now"],
    ),
    "e-mail": ("пишіть desk@voa.com", ["пишіть", " ", "desk@voa.com"]),
    "no letters": (" 12.5 % — 2021 ", [" 12.5 % — 2021 "]),
    "combining mark stays with its letter": ("краи\u0306 land", ["краи\u0306", " ", "land"]),
    "other scripts": ("Athens Αθήνα Афіни", ["Athens", " ", "Αθήνα", " ", "Афіни"]),
}


@pytest.mark.parametrize(("text", "expected"), SPAN_CASES.values(), ids=SPAN_CASES.keys())
def test_split_spans(text: str, expected: list[str]) -> None:
    assert span_texts(text) == expected


def test_breadcrumb_spans_in_an_article() -> None:
    text = "Title of a story here\n\nHome  /  Бізнес  /  Huawei’s Global Cloud Strategy\n\nBody."
    article = segment(doc(text), RULES)
    crumb = article.blocks[1]
    assert (crumb.kind, crumb.rule) == (BlockKind.BOILERPLATE, "breadcrumb")
    spans = [span.text for sentence in crumb.sentences for span in sentence.spans]
    assert spans == ["Home", "  /  ", "Бізнес", "  /  ", "Huawei’s Global Cloud Strategy\n\n"]
    assert all(span.lang == "und" for span in article.spans())


# --- blocks ------------------------------------------------------------------------------

MIXED = (
    "Grain Exports Rise Again\n"
    "\n"
    "Головна / Економіка / Grain Exports Rise Again\n"
    "\n"
    "Реклама\n"
    "\n"
    "Ukraine shipped more grain in May. The ministry said so, FILE – A ship is loaded "
    "in Odesa, Ukraine, May 3, 2023.Officials expect more in June. Трейдери задоволені.\n"
    "Share\n"
    "\n"
    "Advertisement\n"
)


def test_mixed_article_blocks() -> None:
    article = segment(doc(MIXED), RULES)
    assert kinds(article) == [
        ("title", None),
        ("boilerplate", "breadcrumb"),
        ("boilerplate", "ad placeholder"),
        ("body", None),
        ("caption", "file photo"),
        ("body", None),
        ("boilerplate", "share line"),
        ("boilerplate", "ad placeholder"),
    ]
    texts = [b.text for b in article.blocks]
    assert texts[3] == "Ukraine shipped more grain in May. The ministry said so, "
    assert texts[4] == "FILE – A ship is loaded in Odesa, Ukraine, May 3, 2023."
    assert texts[5] == "Officials expect more in June. Трейдери задоволені.\n"
    assert [s.text for s in article.blocks[5].sentences] == [
        "Officials expect more in June. ",
        "Трейдери задоволені.\n",
    ]


def test_boilerplate_line_inside_a_paragraph_is_set_aside() -> None:
    text = "Home › News\nPrices rose in March.\nThey fell in May.\n© 2024 Example Media"
    article = segment(doc(text), RULES)
    assert kinds(article) == [
        ("boilerplate", "breadcrumb"),
        ("body", None),
        ("boilerplate", "footer"),
    ]
    assert article.blocks[1].text == "Prices rose in March.\nThey fell in May.\n"


def test_ukrainian_boilerplate_lines() -> None:
    text = "Головна » Новини\nМісце для реклами\nЦіни зросли.\nПоділитися\nТеги:"
    article = segment(doc(text), RULES)
    assert kinds(article) == [
        ("boilerplate", "breadcrumb"),
        ("boilerplate", "ad placeholder"),
        ("body", None),
        ("boilerplate", "share line"),
        ("boilerplate", "label"),
    ]


def test_caption_as_its_own_paragraph() -> None:
    text = "Prices rose.\n\nFILE – A market in Kyiv, Ukraine, June 1, 2022.\n\nThey fell."
    article = segment(doc(text), RULES)
    assert kinds(article) == [("body", None), ("caption", "file photo"), ("body", None)]
    assert article.blocks[1].text == "FILE – A market in Kyiv, Ukraine, June 1, 2022.\n\n"


def test_captions_come_from_the_rules() -> None:
    rules = SegmentSettings(captions=(Rule("pic", r"\[pic:[^\]]*\]"),))
    article = segment(doc("One. [pic: a cat] Two."), rules)
    assert [(b.kind.value, b.rule, b.text) for b in article.blocks] == [
        ("body", None, "One. "),
        ("caption", "pic", "[pic: a cat] "),
        ("body", None, "Two."),
    ]


def test_title_from_the_document() -> None:
    text = "Intro line that is short\n\nMy Title\n\nBody text. More text."
    article = segment(doc(text, title="  my   title "), RULES)
    assert kinds(article) == [("body", None), ("title", None), ("body", None)]


def test_title_given_but_absent_from_the_text() -> None:
    article = segment(doc("Short line\n\nBody text.", title="Elsewhere"), RULES)
    assert [b.kind for b in article.blocks] == [BlockKind.BODY, BlockKind.BODY]


def test_title_guessed_from_first_short_line() -> None:
    article = segment(doc("Home / News\n\nPrices Rise\n\nPrices rose. Again."), RULES)
    assert kinds(article) == [("boilerplate", "breadcrumb"), ("title", None), ("body", None)]


@pytest.mark.parametrize(
    "text",
    [
        "Prices rose in March.\n\nThey fell in May.",  # first paragraph ends with a stop
        "Only one short line",  # nothing follows it
        "Two lines\nin one paragraph\n\nBody.",  # not a single line
    ],
)
def test_no_title_guessed(text: str) -> None:
    article = segment(doc(text), RULES)
    assert BlockKind.TITLE not in [b.kind for b in article.blocks]


def test_empty_and_blank_documents() -> None:
    assert segment(doc(""), RULES).blocks == ()
    blank = segment(doc(" \n\n "), RULES)
    assert kinds(blank) == [("boilerplate", "blank")]
    assert blank.blocks[0].text == " \n\n "


def check_partition(article: Article) -> None:
    text = article.document.text
    assert "".join(span.text for span in article.spans()) == text
    position = 0
    for block in article.blocks:
        assert block.start == position and block.start < block.end
        assert [block.sentences[0].start, block.sentences[-1].end] == [block.start, block.end]
        for sentence in block.sentences:
            assert sentence.spans[0].start == sentence.start
            assert sentence.spans[-1].end == sentence.end
            for span in sentence.spans:
                assert span.start == position < span.end
                assert text[span.start : span.end] == span.text
                position = span.end
    assert position == len(text)


FRAGMENTS = [
    "U.S. ", "вул. ", "Dr. ", "2021.", "The ", "Бізнес", " / ", "Home / ", "FILE – ", "\n",
    "\n\n", "\r\n", " ", "\xa0", "… ", "“", "”", "?", "!", "https://a.com/b.c ", "x@y.org",
    "Реклама", "your ads here", "Т. Г. ", "3.5", "й\u0306", "Αθήνα", "\u2028",
]  # fmt: skip


@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=6), max_size=30).map("".join))
@settings(max_examples=300)
def test_spans_partition_any_document(text: str) -> None:
    check_partition(segment(doc(text), RULES))


@given(st.text(), st.sampled_from([None, "The ", "Home / "]))
def test_spans_partition_any_text_and_title(text: str, title: str | None) -> None:
    check_partition(segment(doc(text, title), RULES))


# --- sumy ----------------------------------------------------------------------------------

WORD_CASES = {
    "english apostrophe": ("I don't know.", ("I", "don't", "know")),
    "curly apostrophe": ("Huawei’s cloud", ("Huawei’s", "cloud")),
    "ukrainian apostrophe": ("п'ять м’ячів", ("п'ять", "м’ячів")),
    "hyphen and numbers": ("state-owned 5G firms in 2021", ("state-owned", "5G", "firms", "in")),
    "punctuation dropped": ("“Yes,” — він сказав!", ("Yes", "він", "сказав")),
}


@pytest.mark.parametrize(("sentence", "expected"), WORD_CASES.values(), ids=WORD_CASES.keys())
def test_to_words(sentence: str, expected: tuple[str, ...]) -> None:
    assert SentenceTokenizer("english").to_words(sentence) == expected


def test_to_sentences_strips_and_uses_our_rules() -> None:
    tokenizer = SentenceTokenizer("ukrainian")
    assert tokenizer.language == "ukrainian"
    assert tokenizer.to_sentences(" Офіс на вул. Хрещатик. Ціна 2,5 грн.  ") == (
        "Офіс на вул. Хрещатик.",
        "Ціна 2,5 грн.",
    )


def test_lexrank_runs_without_nltk_data() -> None:
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer

    text = (
        "The U.S. grain trade grew in May. Grain prices rose as the grain trade grew. "
        "Dr. Lee said grain exports would grow. A cat slept."
        "\n\n"
        "Farmers sold grain at higher prices. The weather was mild."
    )
    parser = PlaintextParser.from_string(text, SentenceTokenizer("english"))
    assert len(parser.document.sentences) == 6
    summarizer = LexRankSummarizer(Stemmer("english"))
    picked = [str(s) for s in summarizer(parser.document, 2)]
    assert len(picked) == 2
    assert all("grain" in s for s in picked)


# --- the real example --------------------------------------------------------------------

REAL = SHARED / "mixed" / "voa_huawei_cloud_on_ukrainian_site.txt"
needs_real = pytest.mark.skipif(not REAL.is_file(), reason=f"real data not found at {REAL}")


@pytest.fixture(scope="module")
def real_article() -> Article:
    return segment(doc(REAL.read_text(encoding="utf-8")), RULES)


@pytest.mark.shared
@needs_real
def test_real_blocks(real_article: Article) -> None:
    assert kinds(real_article) == [
        ("title", None),
        ("boilerplate", "breadcrumb"),
        ("boilerplate", "ad placeholder"),
        ("body", None),
        ("caption", "file photo"),
        ("body", None),
        ("caption", "file photo"),
        ("body", None),
        ("boilerplate", "ad placeholder"),
    ]
    captions = [b.text for b in real_article.blocks if b.kind is BlockKind.CAPTION]
    assert all(c.startswith("FILE – ") for c in captions)
    assert [c[-6:] for c in captions] == [" 2021.", " 2019."]
    check_partition(real_article)


@pytest.mark.shared
@needs_real
def test_real_sentences(real_article: Article) -> None:
    found = [s.text.strip() for _, s in real_article.sentences(BlockKind.BODY)]
    for start in ("The CSIS report warned", "Huawei landed on", "On March 12, 2021, Foreign"):
        assert any(s.startswith(start) for s in found), start
    assert "Cloud competition?" in found
    # "U.S." ends a sentence only once (before "On March 12"); elsewhere it never splits.
    assert sum(s.endswith("U.S.") for s in found) == 1
    assert any(s.startswith("A new report") and s.endswith("leverage.”") for s in found)


@pytest.mark.shared
@needs_real
def test_real_breadcrumb_spans(real_article: Article) -> None:
    crumb = real_article.blocks[1]
    spans = [span.text.strip() for s in crumb.sentences for span in s.spans]
    assert spans[:4] == ["Home", "/", "Бізнес", "/"]
    assert len(spans) == 5 and spans[4].startswith("Huawei’s Global Cloud Strategy")


@pytest.mark.shared
@needs_real
def test_real_title_from_document(real_article: Article) -> None:
    title = real_article.blocks[0].text.strip()
    article = segment(doc(real_article.document.text, title=title), RULES)
    assert [b.kind for b in article.blocks][:2] == [BlockKind.TITLE, BlockKind.BOILERPLATE]
