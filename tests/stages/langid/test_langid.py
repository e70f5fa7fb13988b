"""corpus.stages.langid on the short, noisy and mixed lines that raw langdetect gets wrong."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from corpus.cli.detect import detect as detect_cmd
from corpus.stages.langid.detector import (
    LangGuess,
    detect,
    detect_document,
    script_of,
    split_by_language,
    supported_languages,
)

# (text, document language, expected)
SHORT_LINES = [
    ("Subscribe", "en", "en"),
    ("log in or register", "en", "en"),
    ("Comments", "en", "en"),
    ("Privacy Policy", "en", "en"),
    ("Заголовок открываемого материала", None, "ru"),
    ("Головна", None, "uk"),
    ("Новини", None, "uk"),
    ("Политика", "ru", "ru"),
    ("Все права защищены", None, "ru"),
    ("Все права защищены", "ru", "ru"),
    ("Portada", "es", "es"),
    ("Новини", "bg", "bg"),  # a Bulgarian page's navigation stays Bulgarian
    ("Новини", "uk", "uk"),
    ("Subscribe", "ru", "en"),  # the hint never overrides the script
    ("Подписаться", "en", "ru"),
]


@pytest.mark.parametrize(("text", "hint", "lang"), SHORT_LINES)
def test_short_lines(text: str, hint: str | None, lang: str) -> None:
    assert detect(text, hint=hint).lang == lang


@pytest.mark.parametrize(
    ("text", "lang", "script"),
    [
        ("Καλημέρα σε όλους", "el", "Greek"),
        ("한국어 뉴스", "ko", "Hangul"),
        ("ข่าววันนี้", "th", "Thai"),
        ("ქართული", "ka", "Georgian"),
        ("ニュース速報", "ja", "Katakana"),
    ],
)
def test_unambiguous_scripts_are_certain(text: str, lang: str, script: str) -> None:
    assert detect(text) == LangGuess(lang, 1.0, script)


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "12",
        "© 2024",
        "»",
        "+7 (495) 123-45-67",
        "https://example.com/news/2024/05/17",
        "@newsdesk",
        "info@example.com",
        "",
        "   ",
    ],
)
def test_no_language_is_und(text: str) -> None:
    guess = detect(text)
    assert guess.lang == "und"
    assert guess.prob == 0.0


def test_sentences_are_confident() -> None:
    cases = {
        "The festival opens on Friday with a concert in the main square.": "en",
        "Фестиваль откроется в пятницу концертом на главной площади.": "ru",
        "Фестиваль відкриється в п'ятницю концертом на головній площі.": "uk",
        "Фестивалът ще бъде открит в петък с концерт на централния площад.": "bg",
        "El festival se inaugura el viernes con un concierto en la plaza mayor.": "es",
        "O festival abre na sexta-feira com um concerto na praça principal.": "pt",
    }
    for text, lang in cases.items():
        guess = detect(text)
        assert (guess.lang, guess.prob > 0.9) == (lang, True), text


def test_ambiguous_short_text_is_not_confident() -> None:
    # one word written the same in Russian, Bulgarian and Macedonian
    assert detect("Политика").prob < 0.8
    # a word shared by Spanish, Portuguese and Catalan
    assert detect("Portada").prob < 0.8


def test_distinctive_letters_decide_within_cyrillic() -> None:
    assert detect("Її історія").lang == "uk"  # ї is only Ukrainian
    assert detect("Чытаць яшчэ ўсё").lang == "be"  # ў is only Belarusian
    assert detect("Ђаци и ћерке").lang == "sr"  # ђ ћ are only Serbian
    assert detect("Ќе се видиме").lang == "mk"  # ќ is only Macedonian


def test_allowed_languages() -> None:
    assert detect("Portada", allowed=["es", "en"]).lang == "es"
    assert detect("Новини", allowed=["ru", "en"]).lang == "ru"
    assert detect("Καλημέρα", allowed=["en", "ru"]).lang == "und"


def test_deterministic() -> None:
    text = "Ver todos los comentarios"
    first = detect(text)
    from corpus.stages.langid import detector as langid

    langid.clear_caches()
    assert all(detect(text) == first for _ in range(5))


def test_cache_key_ignores_spacing() -> None:
    assert detect("Читать  полностью \n") == detect("Читать полностью")


def test_split_mixed_sentences() -> None:
    text = "The festival opens on Friday. Фестиваль откроется в пятницу."
    spans = [(0, 29), (30, len(text))]
    runs = split_by_language(text, spans)
    assert [(span, g.lang) for span, g in runs] == [((0, 29), "en"), ((30, len(text)), "ru")]


def test_split_foreign_run_inside_one_line() -> None:
    text = "Новости дня Breaking news from the capital today"
    runs = split_by_language(text)
    assert [g.lang for _, g in runs] == ["ru", "en"]
    assert text[runs[1][0][0] : runs[1][0][1]] == "Breaking news from the capital today"
    assert runs[0][0][0] == 0 and runs[-1][0][1] == len(text)


def test_split_keeps_a_brand_name_inside_its_sentence() -> None:
    text = "Компания Apple выпустила новый телефон."
    assert [(span, g.lang) for span, g in split_by_language(text)] == [((0, len(text)), "ru")]


def test_one_language_segment_is_one_run() -> None:
    text = "Первое предложение. Второе предложение."
    runs = split_by_language(text, [(0, 19), (20, len(text))])
    assert [(span, g.lang) for span, g in runs] == [((0, len(text)), "ru")]


def test_detect_document_weighs_long_segments() -> None:
    page = ["Home", "Login", "Вчера в городе открылся новый музей современного искусства."]
    assert detect_document(page).lang == "ru"


def test_script_of() -> None:
    assert script_of("Привет, world") == "Cyrillic"
    assert script_of("123 !") == ""


def test_supported_languages() -> None:
    langs = supported_languages()
    assert {"en", "ru", "uk", "bg", "mk", "sr", "el", "ko", "ms"} <= set(langs)
    assert langs == sorted(langs)


def test_cli_arguments_and_json() -> None:
    result = CliRunner().invoke(detect_cmd, ["--json", "Головна", "12"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["lang"], r["script"]) for r in rows] == [("uk", "Cyrillic"), ("und", "")]


def test_cli_stdin_and_languages() -> None:
    result = CliRunner().invoke(detect_cmd, ["--languages", "en,ru"], input="Новини\nSubscribe\n")
    assert result.exit_code == 0, result.output
    assert [line.split("\t")[0] for line in result.output.splitlines()] == ["ru", "en"]


def test_cli_rejects_unknown_language() -> None:
    result = CliRunner().invoke(detect_cmd, ["--languages", "xx", "text"])
    assert result.exit_code == 2
    assert "xx" in result.output


def test_batch_scoring_equals_one_at_a_time() -> None:
    from corpus.stages.langid import detector as langid

    texts = ["Subscribe", "Головна", "Der Stadtrat hat den Haushalt gebilligt.", "12", "Ђаци"]
    hints = ["en", None, "de", None, "ru"]
    langid.clear_caches()
    batch = langid.detect_many(texts, hints=hints)
    langid.clear_caches()
    assert batch == [detect(t, hint=h) for t, h in zip(texts, hints, strict=True)]


def test_detect_page_matches_document_then_segments() -> None:
    from corpus.stages.langid import detector as langid

    page = ["Home", "Новини", "Уряд України затвердив нову програму розвитку транспорту."]
    doc, segs = langid.detect_page(page)
    assert doc == detect_document(page)
    assert segs == [detect(t, hint=doc.lang) for t in page]


def test_japanese_line_with_latin_brands_is_japanese() -> None:
    from corpus.stages.langid.detector import detect

    # a trademark notice of a Japanese shop page: 14 Latin letters, 6 kana and Han
    assert detect("※「iPhone」は、Apple Inc.の商標です。").lang == "ja"
    # a Latin line with a short Japanese phrase stays Latin
    assert detect("Download the iPhone app 今すぐ").lang == "en"
