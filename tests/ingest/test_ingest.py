"""Ingest on real inputs the tests write themselves: encodings, formats, gzip, specs."""

from __future__ import annotations

import codecs
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from paths import REPO

from corpus.config import pipeline_from_dict
from corpus.errors import ConfigError
from corpus.ingest import InputConfig, InputRef, expand_inputs, read_input
from corpus.ingest.decode import decode
from corpus.ingest.text import segment_text
from corpus.records import Document

RU = (
    "Министр иностранных дел Турции Мевлют Чавушоглу заверил российского посла, "
    "что Турция не предоставит США возможность изучить системы С-400.\n"
    "Об этом сообщил источник в МИД Турции. Ещё одна фраза: съешь же этих мягких булок.\n"
)
UK = (
    "Київ — столиця України. Ми їхали через ліс, і сонце світило яскраво.\n"
    "Це було чудове літо, і всі були щасливі. Ґанок, їжак, Єва, ґудзик.\n"
)
JA = "日本語のテキストです。これはシフトJISでエンコードされています。\n東京は日本の首都です。\n"
ZH = "这是一个中文文本。北京是中国的首都。\n我们今天去公园散步，天气很好。𠀀\n"


def read_one(path: Path, cfg: InputConfig | None = None) -> Document:
    docs = list(read_input(InputRef.file(str(path)), cfg or InputConfig()))
    assert len(docs) == 1, [d.status for d in docs]
    return docs[0]


def check_spans(doc: Document) -> None:
    for seg in doc.segments:
        a, b = seg.span
        assert doc.text[a:b] == seg.text
        assert seg.text == seg.text.strip()
        lines_before = doc.text[:a].replace("\r\n", "\n").replace("\r", "\n").count("\n")
        assert seg.line == lines_before + 1


# --- decoding -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (RU, "cp1251"),
        (RU, "koi8_r"),
        (UK, "cp1251"),
        (JA, "shift_jis"),
        (ZH, "gb18030"),
    ],
)
def test_legacy_encodings_decode_exactly(tmp_path: Path, text: str, encoding: str) -> None:
    path = tmp_path / f"doc-{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    doc = read_one(path)
    assert doc.status == "kept"
    assert doc.text == text
    assert codecs.lookup(doc.source.encoding).name in {
        codecs.lookup(encoding).name,
        "cp932" if encoding == "shift_jis" else encoding,
    }
    check_spans(doc)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le"])
@pytest.mark.parametrize("bom", [True, False])
def test_utf16_32_with_and_without_bom(tmp_path: Path, codec: str, bom: bool) -> None:
    data = UK.encode(codec)
    if bom:
        data = "\ufeff".encode(codec) + data
    path = tmp_path / "uk.txt"
    path.write_bytes(data)
    doc = read_one(path)
    assert doc.status == "kept"
    assert doc.text == UK
    assert doc.source.encoding == codec
    assert any(("without byte order mark" in n) != bom for n in doc.source.notes)
    assert [s.text for s in doc.segments] == UK.strip().split("\n")


def test_utf8_bom_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(codecs.BOM_UTF8 + RU.encode())
    doc = read_one(path)
    assert doc.text == RU
    assert doc.source.encoding == "utf-8"


def test_invalid_utf8_in_the_middle_is_replaced_and_noted(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(RU.encode() + b"abc \xff\xfe def\n" + UK.encode())
    doc = read_one(path)
    assert doc.status == "kept"
    assert doc.source.encoding == "utf-8"
    assert doc.text == RU + "abc \ufffd\ufffd def\n" + UK
    assert "replaced 2 undecodable byte sequences with U+FFFD" in doc.source.notes


def test_stray_latin1_byte_in_ascii_uses_a_legacy_codec(tmp_path: Path) -> None:
    path = tmp_path / "cafe.txt"
    path.write_bytes("We met at the café near the station and talked for hours.\n".encode("cp1252"))
    doc = read_one(path)
    assert "café" in doc.text


def test_valid_utf8_fast_path_has_no_notes() -> None:
    decoded = decode((RU + UK + ZH).encode())
    assert decoded.encoding == "utf-8" and decoded.notes == [] and decoded.status is None


def test_nul_byte_in_text_is_still_text(tmp_path: Path) -> None:
    path = tmp_path / "nul.txt"
    path.write_bytes(b"First line of text.\nSecond\x00line of text.\n")
    doc = read_one(path)
    assert doc.status == "kept"
    assert doc.text == "First line of text.\nSecond\x00line of text.\n"


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF document"),
        (b"PK\x03\x04" + b"\x14\x00\x00\x00\x08\x00" + b"x" * 50, "ZIP archive"),
    ],
)
def test_magic_numbers_are_binary(tmp_path: Path, data: bytes, why: str) -> None:
    path = tmp_path / "file.txt"
    path.write_bytes(data)
    doc = read_one(path)
    assert doc.status == "dropped:binary"
    assert why in doc.source.notes
    assert doc.source.sha256 and doc.text == "" and doc.segments == []


# --- plain text segments --------------------------------------------------------------


def test_mixed_line_endings_keep_offsets() -> None:
    text = "First line.\r\nSecond line.\rThird line.\n\n  Fourth line.  \n"
    segs = segment_text(text)
    assert [s.text for s in segs] == ["First line.", "Second line.", "Third line.", "Fourth line."]
    assert [s.line for s in segs] == [1, 2, 3, 5]
    for seg in segs:
        assert text[seg.span[0] : seg.span[1]] == seg.text


def test_hard_wrapped_paragraph_is_one_segment() -> None:
    text = (
        "It was the best of times, it was the worst of times, it was the age of\n"
        "wisdom, it was the age of foolishness, it was the epoch of belief.\n"
        "\n"
        "Contents\n"
        "Chapter One\n"
        "To participate in the discussion\n"
        "log in or register\n"
    )
    segs = segment_text(text)
    assert segs[0].text == (
        "It was the best of times, it was the worst of times, it was the age of\n"
        "wisdom, it was the age of foolishness, it was the epoch of belief."
    )
    assert segs[0].span == (0, len(segs[0].text)) and segs[0].line == 1
    # Short menu-like lines are never joined, even when the next one starts lowercase.
    assert [s.text for s in segs[1:]] == [
        "Contents",
        "Chapter One",
        "To participate in the discussion",
        "log in or register",
    ]
    assert [s.line for s in segs] == [1, 4, 5, 6, 7]


def test_wrapped_etext_joins_lines_that_start_uppercase() -> None:
    para = (
        "The quick brown fox jumps over the lazy dog while the cat watches from\n"
        "Mr Smith's garden wall, wondering whether it should join the chase or\n"
        "Remain where it is, warm in the afternoon sun, as cats usually prefer\n"
        "to do on such days.\n"
    )
    text = "\n".join([para] * 3)
    segs = segment_text(text)
    assert len(segs) == 3
    assert all(s.text == para.strip() for s in segs)
    assert [s.line for s in segs] == [1, 6, 11]


def test_seed_like_page_is_not_over_joined(tmp_path: Path) -> None:
    lines = [
        "Newsfeed",
        "0",
        "To participate in the discussion",
        "log in or register",
        "loader",
        "Chats",
        "Заголовок открываемого материала",
    ]
    path = tmp_path / "page.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = read_one(path)
    assert [s.text for s in doc.segments] == lines


# --- HTML -----------------------------------------------------------------------------

ARTICLE = [
    "Турецкий МИД заверил российского посла, что США не получат доступ к системам С-400.",
    "Источник в министерстве сообщил, что никаких переговоров на эту тему не ведётся и "
    "что позиция Анкары остаётся неизменной на протяжении всего года.",
    "В декабре Анкара подписала с Москвой соглашение о кредите на поставку систем, "
    "которые должны прибыть в ближайшее время согласно контракту.",
]


def _page(charset: str) -> str:
    paras = "\n".join(f"<p>{p}</p>" for p in ARTICLE)
    return f"""<!DOCTYPE html>
<html lang="ru"><head><meta charset="{charset}">
<title>Турция не даст США изучить С-400</title>
<link rel="canonical" href="https://example.org/s400">
<script>var tracking = "не текст";</script><style>p {{ color: red }}</style></head>
<body>
<header><a href="/">Главная</a> <a href="/world">В мире</a></header>
<nav><ul><li><a href="/p">Политика</a></li><li><a href="/s">Спорт</a></li></ul></nav>
<div id="cookie-banner">Мы используем файлы cookie. <button>Принять</button></div>
<main><article><h1>Турция не даст США изучить С-400</h1>
{paras}
</article></main>
<aside><h3>Самое читаемое</h3><p>Другая новость дня</p></aside>
<div style="display:none">Скрытый текст</div>
<footer><p>© 2024 Пример. Все права защищены.</p><a href="/privacy">Конфиденциальность</a></footer>
</body></html>
"""


def test_html_page_windows_1251_with_boilerplate(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(_page("windows-1251").encode("cp1251"))
    doc = read_one(path)
    assert doc.status == "kept"
    assert doc.source.format == "html" and doc.source.encoding == "cp1251"
    assert doc.meta == {
        "title": "Турция не даст США изучить С-400",
        "lang": "ru",
        "url": "https://example.org/s400",
    }
    check_spans(doc)
    title = doc.segments[0]
    # the <title> says what the <h1> headline says: the headline is kept, once
    assert (title.kind, title.kept, title.reason, title.text) == (
        "title", False, "title_repeats_headline", "Турция не даст США изучить С-400")
    kept = [(s.kind, s.text) for s in doc.segments if s.kept]
    assert kept == [("title", "Турция не даст США изучить С-400"),
                    *(("paragraph", p) for p in ARTICLE)]
    dropped = {s.text: s for s in doc.segments if not s.kept}
    kinds = {
        "Главная В мире": "paragraph",  # a <header>: furniture, no kind of its own
        "Политика": "navigation",
        "Спорт": "navigation",
        "Мы используем файлы cookie. Принять": "prompt",  # id="cookie-banner"
        "Самое читаемое": "heading",
        "© 2024 Пример. Все права защищены.": "paragraph",
        "Конфиденциальность": "paragraph",
    }
    for text, kind in kinds.items():
        assert text in dropped, text
        assert dropped[text].reason == "html_boilerplate"
        assert dropped[text].kind == kind, text
    assert "не текст" not in doc.text and "Скрытый текст" not in doc.text
    assert "color" not in doc.text
    # Document order: nav before article before footer.
    assert doc.text.index("Политика") < doc.text.index(ARTICLE[0]) < doc.text.index("Пример")


def test_html_mislabelled_charset_is_decoded_by_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "mislabelled.html"
    path.write_bytes(_page("utf-8").encode("cp1251"))
    doc = read_one(path)
    assert doc.status == "kept"
    assert doc.source.encoding == "cp1251"
    assert any("declared charset 'utf-8'" in n for n in doc.source.notes)
    assert ARTICLE[0] in doc.text


def test_html_latin1_label_on_cyrillic_bytes(tmp_path: Path) -> None:
    path = tmp_path / "latin.html"
    path.write_bytes(_page("iso-8859-1").encode("cp1251"))
    doc = read_one(path)
    assert ARTICLE[1] in doc.text
    assert any("contradicted" in n for n in doc.source.notes)


def test_html_sniffed_without_extension(tmp_path: Path) -> None:
    path = tmp_path / "page"
    path.write_text(_page("utf-8"), encoding="utf-8")
    doc = read_one(path)
    assert doc.source.format == "html" and ARTICLE[2] in doc.text


def test_html_without_visible_text(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><head><script>x=1</script></head><body> </body></html>")
    doc = read_one(path)
    assert doc.status == "dropped:no_text"


def test_deeply_nested_broken_html_does_not_crash(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    deep = "<div><span>" * 5000 + "Lost somewhere deep." + "</p></td>" * 3
    path.write_text(f"<html><body><p>Surface text here.</p>{deep}<p>Unclosed <b>bold", "utf-8")
    doc = read_one(path)
    assert doc.status == "kept"
    assert "Surface text here." in doc.text
    check_spans(doc)


# --- JSONL ----------------------------------------------------------------------------


def test_jsonl_records_custom_fields_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"doc_id": "a-1", "link": "https://x.org/1", "body": RU}, ensure_ascii=False),
        '{"doc_id": "broken", "body": "unterminated',
        json.dumps({"doc_id": "a-2", "body": "Second record.\nWith two lines."}),
        json.dumps({"doc_id": "a-3", "other": "no text here"}),
        "",
        "[1, 2]",
    ]
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cfg = InputConfig(text_field="body", id_field="doc_id", url_field="link")
    docs = list(read_input(InputRef.file(str(path)), cfg))
    assert [d.source.record for d in docs] == [1, 2, 3, 4, 6]
    assert [d.status.split(":")[0] for d in docs] == ["kept", "error", "kept", "dropped", "error"]
    first, bad, second, no_text, not_object = docs
    assert first.text == RU and first.meta == {"id": "a-1", "url": "https://x.org/1"}
    assert first.source.offset == 0 and first.source.length == len(lines[0].encode())
    raw = path.read_bytes()
    start, length = second.source.offset, second.source.length
    assert raw[start : start + length] == lines[2].encode()
    assert second.segments[1].text == "With two lines." and second.segments[1].line == 2
    assert bad.status.startswith("error:invalid JSON at line 2: Unterminated string")
    assert no_text.status == "dropped:no_text_field" and no_text.meta == {"id": "a-3"}
    assert not_object.status == "error:invalid JSON at line 6: expected an object, got list"
    assert len({d.id for d in docs}) == 5
    assert all(d.source.sha256 == docs[0].source.sha256 != "" for d in docs)


def test_jsonl_identical_text_different_records_get_different_ids(tmp_path: Path) -> None:
    path = tmp_path / "dup.jsonl"
    path.write_text('{"text": "Same text."}\n{"text": "Same text."}\n')
    a, b = read_input(InputRef.file(str(path)))
    assert a.text == b.text and a.id != b.id


def test_jsonl_sniffed_and_gzipped(tmp_path: Path) -> None:
    path = tmp_path / "records.gz"
    path.write_bytes(gzip.compress(b'{"text": "One."}\n{"text": "Two."}\n'))
    docs = list(read_input(InputRef.file(str(path))))
    assert [d.text for d in docs] == ["One.", "Two."]
    assert all(d.source.format == "jsonl" and d.source.compression == "gzip" for d in docs)


def test_jsonl_html_records(tmp_path: Path) -> None:
    path = tmp_path / "pages.jsonl"
    page = _page("utf-8")
    path.write_text(json.dumps({"text": page}) + "\n")
    (doc,) = read_input(InputRef.file(str(path)), InputConfig(record_format="html"))
    assert doc.meta["title"] == "Турция не даст США изучить С-400"
    assert [s.text for s in doc.segments if s.kept and s.kind == "paragraph"] == ARTICLE


# --- gzip -----------------------------------------------------------------------------


def test_gzip_text_by_magic_not_extension(tmp_path: Path) -> None:
    data = gzip.compress(RU.encode("cp1251"))
    for name in ("ru.txt.gz", "ru.data"):
        path = tmp_path / name
        path.write_bytes(data)
        doc = read_one(path)
        assert doc.status == "kept" and doc.text == RU
        assert doc.source.compression == "gzip"
        assert doc.source.sha256 == __import__("hashlib").sha256(data).hexdigest()


def test_multi_member_gzip(tmp_path: Path) -> None:
    path = tmp_path / "two.txt.gz"
    path.write_bytes(gzip.compress(b"first part\n") + gzip.compress(b"second part\n"))
    assert read_one(path).text == "first part\nsecond part\n"


def test_identical_content_at_two_paths_gets_two_stable_ids(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Same content.\n")
    (tmp_path / "b.txt").write_text("Same content.\n")
    refs = expand_inputs([str(tmp_path)])
    first = [d.id for r in refs for d in read_input(r)]
    again = [d.id for r in refs for d in read_input(r)]
    assert first == again and len(set(first)) == 2
    assert all(len(i) == 16 and int(i, 16) >= 0 for i in first)


# --- specs ----------------------------------------------------------------------------


def test_expand_files_dirs_globs_sorted(tmp_path: Path) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    for name in ("b.txt", "a.html", "sub/c.jsonl", "sub/deeper/d.txt", "x.log"):
        (tmp_path / name).write_text("x")
    refs = expand_inputs([str(tmp_path / "sub"), str(tmp_path / "*.txt"), str(tmp_path)])
    rel = [os.path.relpath(r.path, tmp_path) for r in refs]
    assert rel == [
        "sub/c.jsonl",
        "sub/deeper/d.txt",
        "b.txt",
        "a.html",
        "x.log",
    ]


def test_relative_paths_stay_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "one.txt").write_text("One.\n")
    monkeypatch.chdir(tmp_path)
    (ref,) = expand_inputs(["data"])
    assert ref.path == "data/one.txt"
    (doc,) = read_input(ref)
    assert doc.source.path == "data/one.txt"


@pytest.mark.parametrize("spec", ["missing.txt", "*.nothing", "empty-dir"])
def test_spec_matching_nothing_is_a_config_error(tmp_path: Path, spec: str) -> None:
    (tmp_path / "empty-dir").mkdir()
    with pytest.raises(ConfigError, match=r"missing\.txt|nothing|empty-dir"):
        expand_inputs([str(tmp_path / spec)])


def test_stdin(tmp_path: Path) -> None:
    code = (
        "from corpus.ingest import expand_inputs, read_input\n"
        "import json\n"
        "for ref in expand_inputs(['-']):\n"
        "    for d in read_input(ref):\n"
        "        print(json.dumps([d.source.path, d.status, d.source.encoding, d.text]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=RU.encode("koi8_r"),
        capture_output=True,
        check=True,
        cwd=REPO,
    )
    assert json.loads(out.stdout) == ["<stdin>", "kept", "koi8-r", RU]


def test_input_config_rejects_bad_values() -> None:
    with pytest.raises(ConfigError, match="format"):
        InputConfig(format="pdf")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="max_decompressed_mb"):
        InputConfig(max_decompressed_mb=0)
    with pytest.raises(ConfigError, match="encodng"):
        pipeline_from_dict({"input": {"encodng": "cp1251"}}, where="t")
    with pytest.raises(ConfigError, match="encoding"):
        InputConfig(encoding="no-such-codec")
    with pytest.raises(ConfigError, match=r"t: \[input\] max_file_mb = 'big' is not a valid int"):
        pipeline_from_dict({"input": {"max_file_mb": "big"}}, where="t")
    assert pipeline_from_dict({"input": {"format": "jsonl"}}, where="t").input.format == "jsonl"


def test_forced_encoding(tmp_path: Path) -> None:
    path = tmp_path / "short.txt"
    path.write_bytes("Ёж".encode("cp866"))
    assert read_one(path, InputConfig(encoding="cp866")).text == "Ёж"


def test_html_utf8_bytes_under_a_legacy_label(tmp_path: Path) -> None:
    path = tmp_path / "utf8.html"
    path.write_bytes(_page("windows-1251").encode("utf-8"))
    doc = read_one(path)
    assert doc.source.encoding == "utf-8" and ARTICLE[0] in doc.text
    assert "declared charset 'windows-1251' but the bytes are UTF-8" in doc.source.notes


def test_html_latin1_label_means_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "quotes.html"
    body = "<p>\u201cQuoted\u201d words \u2014 and a caf\u00e9 \u2026 in plain English prose.</p>"
    page = f"<html><head><meta charset='iso-8859-1'></head><body>{body}</body></html>"
    path.write_bytes(page.encode("cp1252"))
    doc = read_one(path)
    assert doc.source.encoding == "cp1252"
    assert "\u201cQuoted\u201d words \u2014 and a caf\u00e9 \u2026" in doc.text


def test_file_mixing_two_encodings_keeps_the_text(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes(RU.encode() * 3 + RU.encode("cp1251") + UK.encode())
    doc = read_one(path)
    assert doc.status == "kept"
    assert doc.text == RU * 4 + UK
    assert doc.source.encoding == "utf-8+cp1251"
    assert "mixed encodings: 2 lines decoded as cp1251, the others as UTF-8" in doc.source.notes


SOURCE_PAGE = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html>
<html lang="en">
<head>
<title>Harbour bridge reopens after repairs</title>
</head>
<body>
<nav><a href="/">Home</a> <a href="/news">News</a>
  <a href="/sport">Sport</a></nav>
<article>
<h1>Harbour bridge reopens after repairs</h1>
<p>
  The harbour bridge reopened on Monday after eight months of repairs to its steel deck.
</p>
<div>Engineers replaced corroded cables
and strengthened the piers against winter storms.</div>
<pre>
first line of code
second line of code
</pre>
<p>Traffic is expected to return to normal levels within a week, the city said.</p>
</article>
<footer>Copyright 2024 Harbour News</footer>
</body>
</html>
"""


def test_html_segments_know_their_line_in_the_html_source(tmp_path: Path) -> None:
    """Every segment of a page maps to the line of the HTML file where its text starts
    (the extracted text has one block per line, which says nothing of the page)."""
    from corpus.writers.jsonl import segment_row

    path = tmp_path / "page.html"
    path.write_text(SOURCE_PAGE, encoding="utf-8")
    doc = next(iter(read_input(InputRef.file(str(path)), InputConfig())))
    lines = SOURCE_PAGE.splitlines()
    assert len(doc.source_lines) == len(doc.segments) > 6
    for i, seg in enumerate(doc.segments):
        row = segment_row(doc, i, seg)
        first_word = seg.text.split()[0]
        assert first_word in lines[row["source_line"] - 1], (seg.text, row["source_line"])
    by_text = {s.text.split()[0]: segment_row(doc, i, s)["source_line"]
               for i, s in enumerate(doc.segments)}
    assert by_text["The"] == 13 and by_text["Engineers"] == 15 and by_text["Traffic"] == 21
    assert by_text["second"] == 19 and by_text["Copyright"] == 23


def test_records_and_text_files_give_their_own_lines(tmp_path: Path) -> None:
    from corpus.writers.jsonl import segment_row

    path = tmp_path / "r.jsonl"
    path.write_text('{"text": "one"}\n\n{"text": "two\\nthree"}\n', encoding="utf-8")
    docs = list(read_input(InputRef.file(str(path)), InputConfig()))
    assert [[segment_row(d, i, s)["source_line"] for i, s in enumerate(d.segments)]
            for d in docs] == [[1], [3, 3]]
    text = tmp_path / "t.txt"
    text.write_text("Title\n\nA paragraph here.\n", encoding="utf-8")
    doc = next(iter(read_input(InputRef.file(str(text)), InputConfig())))
    assert [segment_row(doc, i, s)["source_line"] for i, s in enumerate(doc.segments)] == [1, 3]
