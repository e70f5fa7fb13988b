"""Sentence splitting: the cases a reader cares about, spans, and every-language fallback."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from corpus.cli.segment import segment
from corpus.stages.sentences import (
    LANGS_WITH_DATA,
    iter_paragraph_sentences,
    rules_for,
    sentence_spans,
    split_sentences,
)

CASES = [
    # abbreviations, initials, sentence-final abbreviations
    ("ru", "Это т. е. пример. Второе.", ["Это т. е. пример.", "Второе."]),
    (
        "ru",
        "Его встретил проф. Иванов. Потом все ушли.",
        ["Его встретил проф. Иванов.", "Потом все ушли."],
    ),
    ("ru", "Поэт А. С. Пушкин родился в Москве.", ["Поэт А. С. Пушкин родился в Москве."]),
    ("ru", "Докладчик Иванов И.И. выступил первым.", ["Докладчик Иванов И.И. выступил первым."]),
    ("ru", "Он уехал в 1937 г. Она осталась.", ["Он уехал в 1937 г.", "Она осталась."]),
    (
        "ru",
        "В 2010-2012 гг. Виктор посещал г. Волгоград.",
        ["В 2010-2012 гг. Виктор посещал г. Волгоград."],
    ),
    (
        "ru",
        "Купили хлеб, молоко и т. д. Потом ушли.",
        ["Купили хлеб, молоко и т. д.", "Потом ушли."],
    ),
    (
        "de",
        "Es gibt Regeln, z. B. diese hier. Mehr nicht.",
        ["Es gibt Regeln, z. B. diese hier.", "Mehr nicht."],
    ),
    ("de", "Rom wurde 753 v. Chr. gegründet.", ["Rom wurde 753 v. Chr. gegründet."]),
    (
        "de",
        "Wir treffen uns am 21. Oktober in Berlin.",
        ["Wir treffen uns am 21. Oktober in Berlin."],
    ),
    ("de", "Das Ergebnis war 3. Die Fans jubelten.", ["Das Ergebnis war 3.", "Die Fans jubelten."]),
    ("fr", "Né en 52 av. J.-C. à Rome.", ["Né en 52 av. J.-C. à Rome."]),
    (
        "fr",
        "César mourut en 44 av. J.-C. Le Sénat se divisa.",
        ["César mourut en 44 av. J.-C.", "Le Sénat se divisa."],
    ),
    ("en", "I have lived in the U.S. for 20 years.", ["I have lived in the U.S. for 20 years."]),
    ("en", "I live in the U.S. How about you?", ["I live in the U.S.", "How about you?"]),
    (
        "en",
        "Dr. Smith met Jonas E. Smith. They talked.",
        ["Dr. Smith met Jonas E. Smith.", "They talked."],
    ),
    # decimals and prices
    ("en", "She has $100.00. It is 3.5% more.", ["She has $100.00.", "It is 3.5% more."]),
    (
        "es",
        "¡La casa cuesta $170.500.000,00! ¡Muy costosa!",
        ["¡La casa cuesta $170.500.000,00!", "¡Muy costosa!"],
    ),
    # ellipses
    ("en", "I never meant that.... She left.", ["I never meant that....", "She left."]),
    ("en", "Wait… what? No . . . Never.", ["Wait… what?", "No . . .", "Never."]),
    ("ru", "Он замолчал… Потом ушёл.", ["Он замолчал…", "Потом ушёл."]),
    # quotes and dialogue
    ("ru", "«Ты где?» — спросила мама.", ["«Ты где?» — спросила мама."]),
    ("ru", "— Ты придёшь? — спросил он. — Нет.", ["— Ты придёшь? — спросил он.", "— Нет."]),
    ("ru", "«Не видали маму?» Никто не ответил.", ["«Не видали маму?»", "Никто не ответил."]),
    ("en", 'He said, "This is great." She agreed.', ['He said, "This is great."', "She agreed."]),
    ("en", "'This is great.' she said.", ["'This is great.' she said."]),
    # lists and numbered items
    ("en", "1. The first item 2. The second item", ["1. The first item", "2. The second item"]),
    ("en", "a) one thing b) another thing", ["a) one thing", "b) another thing"]),
    ("en", "• Apples • Pears", ["• Apples", "• Pears"]),
    # no final punctuation: line breaks split
    ("en", "Breaking News\nThe market fell today.", ["Breaking News", "The market fell today."]),
    ("en", "a line that was\nwrapped in the middle.", ["a line that was\nwrapped in the middle."]),
    ("en", "First paragraph\n\nsecond one", ["First paragraph", "second one"]),
]


@pytest.mark.parametrize(("lang", "text", "expected"), CASES)
def test_cases(lang: str, text: str, expected: list[str]) -> None:
    assert split_sentences(text, lang) == expected


SCRIPTS = [
    (
        "zh",
        "我们明天一起去看《摔跤吧！爸爸》好吗？好！",
        ["我们明天一起去看《摔跤吧！爸爸》好吗？", "好！"],
    ),
    ("ja", "これはペンです。それはマーカーです。", ["これはペンです。", "それはマーカーです。"]),
    ("hi", "यह सच है। वह नहीं जानता।", ["यह सच है।", "वह नहीं जानता।"]),
    ("ar", "ماذا حدث؟ لا أعرف.", ["ماذا حدث؟", "لا أعرف."]),
    ("hy", "Բարև Ձեզ։ Ինչպե՞ս եք։", ["Բարև Ձեզ։", "Ինչպե՞ս եք։"]),
    ("hy", "Բարև Ձեզ: Իմ անունն է Արմինե:", ["Բարև Ձեզ:", "Իմ անունն է Արմինե:"]),
    ("am", "እንደምን አለህ፧መልካም ቀን ይሁንልህ።", ["እንደምን አለህ፧", "መልካም ቀን ይሁንልህ።"]),
    ("el", "Πού είναι; Εδώ.", ["Πού είναι;", "Εδώ."]),
    ("xx", "Dr. Who left. Then rain!", ["Dr. Who left.", "Then rain!"]),
]


@pytest.mark.parametrize(("lang", "text", "expected"), SCRIPTS)
def test_other_scripts_and_fallback(lang: str, text: str, expected: list[str]) -> None:
    assert split_sentences(text, lang) == expected


RU_NEWS = (
    "МОСКВА, 12 марта. Вчера в г. Казани прошла встреча, на которой выступил "
    "проф. А. С. Петров. По его словам, в 2023 г. объём инвестиций вырос на 3,5 %, "
    "т. е. почти до 2 млрд руб. Это рекорд для региона.\n"
    "«Мы ждали этого много лет», — сказал он. Журналисты спросили: «А что дальше?» "
    "— Посмотрим, — ответил Петров И.И. и улыбнулся."
)
RU_NEWS_SENTENCES = [
    "МОСКВА, 12 марта.",
    "Вчера в г. Казани прошла встреча, на которой выступил проф. А. С. Петров.",
    "По его словам, в 2023 г. объём инвестиций вырос на 3,5 %, т. е. почти до 2 млрд руб.",
    "Это рекорд для региона.",
    "«Мы ждали этого много лет», — сказал он.",
    "Журналисты спросили: «А что дальше?»",
    "— Посмотрим, — ответил Петров И.И. и улыбнулся.",
]


def test_russian_news_paragraph() -> None:
    assert split_sentences(RU_NEWS, "ru") == RU_NEWS_SENTENCES


@pytest.mark.parametrize(
    "text",
    [RU_NEWS, "  Hello world.  \n\n  Second one!  ", "Ünïcode… ok?  Yes.\tNo.", "", "   ", "x"],
)
@pytest.mark.parametrize("lang", ["ru", "en", "de", "zh", "und"])
def test_spans_index_the_original_text(text: str, lang: str) -> None:
    spans = sentence_spans(text, lang)
    assert [text[a:b] for a, b in spans] == split_sentences(text, lang)
    last = 0
    for a, b in spans:
        assert last <= a < b <= len(text)
        assert text[a:b] == text[a:b].strip()  # whitespace between sentences excluded
        assert not text[last:a].strip()  # nothing but whitespace is left out
        last = b
    assert not text[last:].strip()


@pytest.mark.parametrize("lang", [*LANGS_WITH_DATA, "und", "xx", "pt-BR", "zh_Hant", ""])
def test_every_language_falls_back_sanely(lang: str) -> None:
    text = "First sentence here. Second sentence follows! Third one? 中文句子。最后"
    assert split_sentences(text, lang) == [
        "First sentence here.",
        "Second sentence follows!",
        "Third one?",
        "中文句子。",
        "最后",
    ]


def test_region_is_ignored_and_data_files_load() -> None:
    assert rules_for("pt-BR") == rules_for("pt")
    for lang in LANGS_WITH_DATA:
        rules = rules_for(lang)
        assert rules.prefix and rules.starters, lang


def test_paragraph_stream() -> None:
    lines = ["Один. Два\n", "три.\n", "\n", "Четыре.\n"]
    assert list(iter_paragraph_sentences(lines, "ru")) == ["Один.", "Два\nтри.", "Четыре."]


def test_cli_plain_and_json() -> None:
    runner = CliRunner()
    text = "Он пришёл. Она ушла.\n\nНовый абзац\n"
    out = runner.invoke(segment, ["--lang", "ru", "-"], input=text)
    assert out.exit_code == 0, out.output
    assert out.output.splitlines() == ["Он пришёл.", "Она ушла.", "Новый абзац"]
    out = runner.invoke(segment, ["--lang", "ru", "--json", "-"], input=text)
    rows = [json.loads(line) for line in out.output.splitlines()]
    assert [text[r["start"] : r["end"]] for r in rows] == [r["text"] for r in rows]
    assert [r["text"] for r in rows] == ["Он пришёл.", "Она ушла.", "Новый абзац"]
