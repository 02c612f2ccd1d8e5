"""Boilerplate lines and captions, with the project's own rules and with rules made up here."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobs.boilerplate import classify_line, find_captions
from jobs.config import Rule, SegmentSettings, load

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
RULES = load(ROOT / "config" / "job.yaml").segment

BOILERPLATE_LINES = {
    "crumb en": ("Home / World / Europe", "breadcrumb"),
    "crumb en with nbsp": ("Home\xa0 / \xa0Бізнес\xa0 / \xa0Some Story", "breadcrumb"),
    "crumb uk": ("Головна » Новини » Економіка", "breadcrumb"),
    "crumb uk long": ("Головна сторінка / Політика", "breadcrumb"),
    "crumb ru": ("Главная > Новости", "breadcrumb"),
    "ad uk": ("місце для вашої реклами!", "ad placeholder"),
    "ad uk short": ("  Реклама  ", "ad placeholder"),
    "ad en": ("your ads here", "ad placeholder"),
    "ad en caps": ("ADVERTISEMENT", "ad placeholder"),
    "sponsored uk": ("Спонсорський матеріал", "ad placeholder"),
    "share en": ("Share Tweet Print", "share line"),
    "share uk": ("Поділитися:", "share line"),
    "subscribe uk": ("Підпишіться на наш Telegram-канал", "subscribe line"),
    "footer en": ("© 2024 Example Media. All rights reserved.", "footer"),
    "footer uk": ("Усі права захищені", "footer"),
    "byline en": ("By Jane Doe", "byline"),
    "byline uk": ("Автор: Олена Коваленко", "byline"),
    "label uk": ("Читайте також:", "label"),
    "label en": ("Related", "label"),
}


@pytest.mark.parametrize(("line", "rule"), BOILERPLATE_LINES.values(), ids=BOILERPLATE_LINES.keys())
def test_boilerplate_lines(line: str, rule: str) -> None:
    assert classify_line(line, RULES) == rule


PROSE_LINES = {
    "starts with Home": "Home prices rose 5% in March.",
    "mentions ads": "Реклама на телебаченні подорожчала на 20%.",
    "mentions advertisement": "The advertisement was banned in May.",
    "share as a verb": "Share prices fell sharply on Monday.",
    "by in prose": "By the end of the year, exports doubled.",
    "copyright in prose": "Copyright law changed in 2019, lawyers say.",
    "blank": "   ",
}


@pytest.mark.parametrize("line", PROSE_LINES.values(), ids=PROSE_LINES.keys())
def test_prose_is_not_boilerplate(line: str) -> None:
    assert classify_line(line, RULES) is None


def test_rules_are_data() -> None:
    rules = SegmentSettings(boilerplate=(Rule("a", "^zzz"), Rule("b", "^Weather")))
    assert classify_line("  Weather: sunny  ", rules) == "b"
    assert classify_line("Home / News", rules) is None
    assert classify_line("Home / News", SegmentSettings(boilerplate=(), captions=())) is None


def test_first_matching_rule_wins() -> None:
    rules = SegmentSettings(boilerplate=(Rule("first", "^Ad"), Rule("second", "^Ads")))
    assert classify_line("Ads", rules) == "first"


def test_glued_caption() -> None:
    text = (
        "The ministry said so, FILE – A ship is loaded in Odesa, Ukraine, May 3, 2023."
        "Officials expect more."
    )
    [(start, end, rule)] = find_captions(text, RULES)
    assert rule == "file photo"
    assert text[start:end] == "FILE – A ship is loaded in Odesa, Ukraine, May 3, 2023."
    assert text[end:] == "Officials expect more."


def test_caption_owns_following_whitespace() -> None:
    text = "Before. FILE - Crowds in Kyiv, Ukraine, Feb. 24, 2022.  After."
    [(start, end, _)] = find_captions(text, RULES)
    assert text[start:end] == "FILE - Crowds in Kyiv, Ukraine, Feb. 24, 2022.  "


def test_several_captions_in_order() -> None:
    text = (
        "A. FILE — One, Jan. 2, 2020.B. Фото: Олег Петренко / Укрінформ. "
        "C. FILE – Two, March 3, 2021.D."
    )
    found = [(text[s:e], rule) for s, e, rule in find_captions(text, RULES)]
    assert found == [
        ("FILE — One, Jan. 2, 2020.", "file photo"),
        ("Фото: Олег Петренко / Укрінформ. ", "photo credit"),
        ("FILE – Two, March 3, 2021.", "file photo"),
    ]


@pytest.mark.parametrize(
    "credit",
    ["Photo: John Smith/Reuters", "Фото: УНІАН", "Фото: Getty Images", "Credit: AP"],
)
def test_photo_credits(credit: str) -> None:
    text = f"Text. {credit}. More text."
    [(start, _end, rule)] = find_captions(text, RULES)
    assert (start, rule) == (6, "photo credit")


def test_overlapping_rules_keep_the_earliest_longest() -> None:
    rules = SegmentSettings(
        captions=(Rule("short", r"pic \d"), Rule("long", r"\[pic \d[^\]]*\]"), Rule("x", "9"))
    )
    text = "a [pic 1 cat] b pic 2 c 9"
    found = [(text[s:e], r) for s, e, r in find_captions(text, rules)]
    assert found == [("[pic 1 cat] ", "long"), ("pic 2 ", "short"), ("9", "x")]


def test_no_captions_without_rules() -> None:
    assert (
        find_captions("FILE – Anything, May 3, 2023.", SegmentSettings(boilerplate=(), captions=()))
        == []
    )


def test_empty_matches_are_ignored() -> None:
    rules = SegmentSettings(captions=(Rule("empty", r"x*"),))
    assert find_captions("abc", rules) == []


REAL = SHARED / "mixed" / "voa_huawei_cloud_on_ukrainian_site.txt"


@pytest.mark.shared
@pytest.mark.skipif(not REAL.is_file(), reason=f"real data not found at {REAL}")
def test_real_boilerplate_and_captions() -> None:
    lines = REAL.read_text(encoding="utf-8").splitlines()
    named = [(classify_line(line, RULES), line[:8]) for line in lines if line.strip()]
    assert [rule for rule, _ in named] == [
        None,
        "breadcrumb",
        "ad placeholder",
        None,
        "ad placeholder",
    ]
    body = max(lines, key=len)
    captions = [body[s:e] for s, e, _ in find_captions(body, RULES)]
    assert len(captions) == 2
    assert all(c.startswith("FILE – ") for c in captions)
    assert captions[0].endswith("April 12, 2021.")
    assert captions[1].endswith("Nov. 22, 2019.")


@pytest.mark.parametrize(
    "line", ["Фото: пресслужба міської ради", "Photo: courtesy of the city council"]
)
def test_a_photo_line_of_its_own_is_a_caption(line: str) -> None:
    text = f"The council agreed. Work starts in spring.\n{line}\nNext paragraph here."
    [(start, end, rule)] = find_captions(text, RULES)
    assert text[start:end].strip() == line and rule == "photo line"


@pytest.mark.parametrize(
    ("text", "furniture", "rule"),
    [
        ("(CNN)They may not be aliens.", "(CNN)", "dateline"),
        ("New Delhi, India (CNN)As the earth shook.", "New Delhi, India (CNN)", "dateline"),
        ("WASHINGTON (AP) — The Senate voted.", "WASHINGTON (AP) — ", "dateline"),
        ("By . Jane Doe . A man was.", "By . Jane Doe . ", "byline"),
        (
            "By . Jane Doe . PUBLISHED: 12:01 EST, 3 May 2014 | . UPDATED: 13:20 EST, 3 May "
            "2014 . A man was.",
            "By . Jane Doe . PUBLISHED: 12:01 EST, 3 May 2014 | . UPDATED: 13:20 EST, 3 May "
            "2014 . ",
            "byline",
        ),
        (
            "It burned. Scroll down for video Fire crews came.",
            "Scroll down for video ",
            "video pointer",
        ),
    ],
)
def test_inline_datelines_bylines_and_video_pointers(text: str, furniture: str, rule: str) -> None:
    [(start, end, name)] = find_captions(text, RULES)
    assert (text[start:end], name) == (furniture, rule)


@pytest.mark.parametrize(
    "text",
    [
        "He told CNN (CNN) that the plan failed.",  # not at the start of the paragraph
        "By the end of the year, exports doubled.",
        "Viewers can scroll through the video archive.",
    ],
)
def test_prose_is_not_a_dateline_byline_or_pointer(text: str) -> None:
    assert find_captions(text, RULES) == []


def test_section_labels_glued_before_the_text_are_set_aside() -> None:
    text = "Заголовки: Текст: The frontline is the classroom. Pupils won."
    [(start, end, rule)] = find_captions(text, RULES)
    assert (text[start:end], rule) == ("Заголовки: Текст: ", "label prefix")
    assert find_captions("Продаж зріс. Текст договору: не опубліковано.", RULES) == []
