"""The langid step inside the pipeline: document prior, mixed segments split by language."""

from __future__ import annotations

from pathlib import Path

from paths import SEEDS

from corpus.config import pipeline_from_dict
from corpus.ingest import InputConfig, expand_inputs, read_input
from corpus.registry import Step
from corpus.textnorm import normalize_text

STEPS = {
    "steps": [
        {"use": "normalize"},
        {"use": "langid", "level": "segment"},
        {"use": "segment"},
        {"use": "langid", "level": "sentence"},
    ]
}


def run(path: Path):
    pipe = pipeline_from_dict({"steps": [dict(s) for s in STEPS["steps"]]}, where="test")
    [ref] = expand_inputs([str(path)])
    docs = read_input(ref, InputConfig())
    step: Step
    for step in pipe.steps:
        docs = step(docs)
    return list(docs)


def test_mixed_segment_is_split_with_spans_into_the_original(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_text(
        "The festival opens on Friday.  Фестиваль\u00a0откроется в пятницу.\n", encoding="utf-8"
    )
    [doc] = run(path)
    assert [(s.lang, s.text) for s in doc.segments] == [
        ("en", "The festival opens on Friday."),
        ("ru", "Фестиваль откроется в пятницу."),
    ]
    for seg in doc.segments:
        a, b = seg.span
        assert normalize_text(doc.text[a:b]) == seg.text
        [sent] = seg.sentences
        assert sent.lang == seg.lang and seg.text[slice(*sent.span)] == sent.text


def test_foreign_run_inside_one_line_is_split(tmp_path):
    path = tmp_path / "inline.txt"
    path.write_text(
        "Our correspondent read the statement aloud Министерство обороны сообщило о начале "
        "учений and then left the room\n",
        encoding="utf-8",
    )
    [doc] = run(path)
    langs = [s.lang for s in doc.segments]
    assert langs == ["en", "ru", "en"]
    assert doc.segments[1].text.startswith("Министерство обороны")
    for seg in doc.segments:
        assert normalize_text(doc.text[slice(*seg.span)]) == seg.text


def test_short_lines_follow_the_document_language(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text(
        "Головна\nНовини\n"
        "Уряд України затвердив нову програму розвитку транспорту на десять років. "
        "Вона охопить усі регіони країни і передбачає будівництво нових доріг.\n",
        encoding="utf-8",
    )
    [doc] = run(path)
    assert doc.lang == "uk"
    assert [s.lang for s in doc.segments] == ["uk", "uk", "uk"]




def test_navigation_lines_take_their_page_language():
    """Acceptance: short navigation lines of uk/bg/ru pages get the page's language."""
    expected = {
        "uk-news.txt": ("uk", ["Головна", "Новини", "Політика", "Спорт", "Увійти"]),
        "bg-news.txt": ("bg", ["Начало", "Новини", "Политика", "Икономика", "Вход"]),
        "ru-pushkin-exhibition-cp1251.txt": (
            "ru", ["Главная", "Новости", "Политика", "Экономика", "Войти"]
        ),
    }
    for name, (lang, lines) in expected.items():
        [doc] = run(SEEDS / name)
        assert doc.lang == lang, name
        got = {s.text: s.lang for s in doc.segments}
        assert [got[line] for line in lines] == [lang] * len(lines), name
