"""The language audit: numbers on a small corpus, the four formats, filters, HTML safety.

The test corpus is written by the real ``CorpusWriter`` from literal records, so its
files have exactly the row format ``corpus build`` writes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import REPO, SEEDS

from corpus import api
from corpus.audit import Filters, render, run_audit, write_reports
from corpus.audit.stats import AuditStats, count_words
from corpus.audit.table import cells
from corpus.cli.audit import audit as audit_cmd
from corpus.config import OutputConfig
from corpus.records import Document, Segment, Sentence, Source, Translation
from corpus.writers.corpus_writer import CorpusWriter

XSS = "<script>alert(1)</script>"
ATTR = '" onmouseover="alert(2)'
EVIL_PATH = "pages/evil<img src=x onerror=alert(3)>.txt"


def seg(text, line, lang, prob, *, kind="paragraph", kept=True, reason=None, sents=None, start=0):
    sentences = sents if sents is not None else [Sentence(text, (0, len(text)), lang, prob)]
    return Segment(text=text, span=(start, start + len(text)), line=line, kind=kind, kept=kept,
                   reason=reason, lang=lang, lang_prob=prob, script="",
                   sentences=sentences if kept else [])


def make_docs() -> list[Document]:
    page = Document(
        id="d1page", source=Source(path="seeds/page.txt", sha256="aa", format="text"),
        lang="en", meta={"title": "Turkey Would Not Let US Inspect S-400s"},
        segments=[
            seg("Turkey Would Not Let US Inspect S-400s", 1, "en", 0.99, kind="title"),
            seg("Subscribe", 3, "und", 0.1, kind="prompt", kept=False, reason="prompt"),
            seg("Turkish Foreign Minister assured the Russian ambassador.", 4, "en", 0.97),
            seg("Заголовок открываемого материала", 6, "ru", 0.98, kind="ui",
                kept=False, reason="teaser"),
            seg("Россия поставит системы в ближайшее время.", 7, "ru", 0.95),
            seg("هذا نص عربي قصير للاختبار", 8, "ar", 0.9),
            seg(XSS, 9, "en", 0.3),
            seg(ATTR, 10, "und", 0.05),
        ],
    )
    ru_text = "Это первое предложение. This one is English."
    record = Document(
        id="d2rec", source=Source(path="dump.jsonl", sha256="bb", record=2, offset=120,
                                  format="jsonl"),
        lang="ru",
        segments=[
            seg("Новости дня", 1, "ru", 0.92, kind="title",
                sents=[Sentence("Новости дня", (0, 11), "ru", 0.92,
                                translation=Translation("News of the day", "en", "ru_en-1.9"))]),
            seg(ru_text, 2, "ru", 0.8, sents=[
                Sentence("Это первое предложение.", (0, 23), "ru", 0.97,
                         translation=Translation("This is the first sentence.", "en", "m")),
                Sentence("This one is English.", (24, 44), "en", 0.9),
            ]),
            seg("Це українське речення.", 3, "uk", 0.85, sents=[
                Sentence("Це українське речення.", (0, 22), "uk", 0.85, pending="uk-en")]),
        ],
    )
    dup = Document(
        id="d3dup", source=Source(path="seeds/copy.txt", sha256="cc", format="text"),
        status="dropped:duplicate of d1page",
        segments=[seg("Turkey Would Not Let US Inspect S-400s", 1, "und", 0.0, kind="title")],
    )
    zh = Document(
        id="d4zh", source=Source(path=EVIL_PATH, sha256="dd", format="text"), lang="zh",
        segments=[seg("我们今天去北京", 1, "zh", 0.99),
                  seg("Turkey Would Not Let US Inspect S-400s", 2, "en", 0.99)],
    )
    return [page, record, dup, zh]


def write_corpus(out: Path, docs: list[Document] | None = None) -> dict:
    writer = CorpusWriter(out, OutputConfig(audit=False))
    for doc in docs if docs is not None else make_docs():
        writer.add(doc)
    writer.close_streams()
    manifest = {"tool": "corpus", "version": "0.1.0", "pipeline": {"path": "default",
                "sha256": "x", "target": "en"},
                "counts": {**writer.counts.as_dict()}}
    manifest["counts"]["translation"].setdefault("ru-en", {})["cached"] = 1
    writer.write_json("manifest.json", json.dumps(manifest))
    writer.commit()
    return manifest


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    write_corpus(out)
    return out


def by_lang(result: dict) -> dict:
    return {row["lang"]: row for row in result["languages"]}


def test_counts_per_language_kept_and_dropped(corpus_dir: Path) -> None:
    result = run_audit([corpus_dir])
    totals = result["totals"]
    assert totals["documents"] == {"total": 4, "kept": 3, "dropped": 1, "error": 0}
    assert totals["segments"] == {"total": 14, "kept": 11, "dropped": 3}
    assert totals["inputs"] == 4
    langs = by_lang(result)
    assert langs["ru"]["segments"] == {"kept": 3, "dropped": 1}
    ru_chars = len("Россия поставит системы в ближайшее время.") + len("Новости дня") + len(
        "Это первое предложение. This one is English.")
    assert langs["ru"]["characters"] == {"kept": ru_chars,
                                         "dropped": len("Заголовок открываемого материала")}
    assert langs["ru"]["words"]["dropped"] == 3
    # sentences are counted in their own language: the English sentence of a Russian segment
    assert langs["ru"]["sentences"] == 3 and langs["en"]["sentences"] == 5
    assert langs["und"]["segments"] == {"kept": 1, "dropped": 2}
    assert langs["zh"]["words"]["kept"] == 7  # one word per Han character
    assert langs["en"]["documents"] == 1 and langs["ru"]["documents"] == 1
    assert sum(r["share"] for r in result["languages"]) == pytest.approx(1.0, abs=1e-3)
    assert result["dropped"]["segments_by_reason"] == {"duplicate": 1, "prompt": 1, "teaser": 1}
    assert result["dropped"]["documents_by_reason"] == {"duplicate": 1}


def test_foreign_segments_with_file_line_and_probability(corpus_dir: Path) -> None:
    """Kept foreign segments are the list; dropped ones (the teaser) a list of their own."""
    foreign = run_audit([corpus_dir])["foreign"]
    assert all(r["kept"] for r in foreign["rows"])
    assert [r["excerpt"] for r in foreign["dropped_rows"]] == ["Заголовок открываемого материала"]
    rows = {(r["source"], r["line"]): r for r in foreign["rows"] + foreign["dropped_rows"]}
    teaser = rows[("seeds/page.txt", 6)]
    assert teaser["lang"] == "ru" and teaser["doc_lang"] == "en"
    assert teaser["lang_prob"] == 0.98 and teaser["kept"] is False
    assert teaser["reason"] == "teaser" and teaser["excerpt"] == "Заголовок открываемого материала"
    assert rows[("seeds/page.txt", 7)]["kept"] is True
    assert rows[("seeds/page.txt", 8)]["lang"] == "ar"
    assert rows[("dump.jsonl", 3)]["record"] == 2 and rows[("dump.jsonl", 3)]["offset"] == 120
    assert rows[(EVIL_PATH, 2)]["lang"] == "en"
    # und never counts as foreign; the duplicate document has no main language
    assert all(r["lang"] != "und" for r in foreign["rows"])
    assert (foreign["kept"], foreign["dropped"]) == (4, 1)
    assert foreign["by_pair"]["en>ru"] == 1 and foreign["by_pair_dropped"] == {"en>ru": 1}
    assert rows[("dump.jsonl", 3)]["source_line"] == 2  # the record's line in the file


def test_low_confidence_und_duplicates_translation(corpus_dir: Path) -> None:
    result = run_audit([corpus_dir], low_prob=0.5)
    low = result["low_confidence"]
    assert low["und"] == {"kept": 1, "dropped": 2}
    assert {r["excerpt"] for r in low["rows"]} == {XSS, ATTR.strip()}
    dup = result["duplicates"]
    assert dup["documents"] == 1 and dup["rows"][0]["duplicate_of"] == "d1page"
    assert dup["sentences"]["repeated"] == 1  # the English title again in the zh document
    pairs = {p["pair"]: p for p in result["translation"]["pairs"]}
    assert pairs["ru-en"]["translated"] == 2 and pairs["ru-en"]["cached"] == 1
    assert pairs["uk-en"]["pending"] == 1 and pairs["uk-en"]["coverage"] == 0.0
    assert pairs["ar-en"]["untranslated"] == 1
    assert pairs["ru-en"]["untranslated"] == 1  # Россия … has no translation yet
    hist = result["confidence"]["by_lang"]
    assert hist["ru"][9] == 2 and hist["ru"][8] == 1  # 0.95, 0.92 | 0.8
    assert sum(sum(v) for v in hist.values()) == result["totals"]["segments"]["kept"]


def test_per_document_rows(corpus_dir: Path) -> None:
    docs = {d["id"]: d for d in run_audit([corpus_dir])["documents"]["rows"]}
    page = docs["d1page"]
    assert page["title"].startswith("Turkey")
    assert page["segments"] == {"kept": 6, "dropped": 2}
    assert page["foreign"] == 3 and page["low_confidence"] == 3
    assert next(iter(page["languages"])) == "en"
    assert docs["d2rec"]["record"] == 2 and docs["d2rec"]["sentences"] == 4
    assert docs["d3dup"]["status"] == "dropped:duplicate of d1page"


def test_filters(corpus_dir: Path) -> None:
    ru = run_audit([corpus_dir], filters=Filters(langs=("ru",)))
    assert {r["lang"] for r in ru["languages"]} == {"ru"}
    assert ru["totals"]["documents"]["total"] == 2  # page (foreign ru) and the record
    foreign = run_audit([corpus_dir], filters=Filters(foreign=True))
    assert foreign["totals"]["segments"]["total"] == 5
    assert foreign["low_confidence"]["rows"] == []
    kept = run_audit([corpus_dir], filters=Filters(foreign=True, kept_only=True))
    assert kept["totals"]["segments"] == {"total": 4, "kept": 4, "dropped": 0}
    assert kept["languages_only_dropped"] == []  # no "de 0" for a document's language
    assert all(r["segments"]["kept"] for r in kept["languages"])
    every = run_audit([corpus_dir])
    assert [r["lang"] for r in every["languages_only_dropped"]] == []  # und has one kept
    sure = run_audit([corpus_dir], filters=Filters(min_prob=0.95))
    assert all(r["lang_prob"] >= 0.95 for r in sure["foreign"]["rows"])
    assert sure["totals"]["segments"]["total"] == 6
    one = run_audit([corpus_dir], filters=Filters(docs=("dump.jsonl",)))
    assert [d["id"] for d in one["documents"]["rows"]] == ["d2rec"]
    assert run_audit([corpus_dir], filters=Filters(docs=("d4",)))["totals"]["segments"][
        "total"] == 2
    assert one["translation"]["pairs"][0]["cached"] is None  # manifest counts are unfiltered


def test_lists_are_capped_and_counted(tmp_path: Path) -> None:
    docs = [
        Document(id=f"doc{i}", source=Source(path=f"p{i}.txt"), lang="en",
                 segments=[seg("Один два три", 1, "ru", 0.9), seg("one two three", 2, "en", 0.9)])
        for i in range(30)
    ]
    write_corpus(tmp_path / "o", docs)
    result = run_audit([tmp_path / "o"], max_rows=7)
    assert len(result["foreign"]["rows"]) == 7 and result["foreign"]["more"] == 23
    assert len(result["documents"]["rows"]) == 7 and result["documents"]["more"] == 23
    assert result["foreign"]["kept"] == 30


def test_misaligned_files_are_an_error(corpus_dir: Path) -> None:
    lines = (corpus_dir / "segments.jsonl").read_text(encoding="utf-8").splitlines()
    (corpus_dir / "segments.jsonl").write_text("\n".join(lines[::-1]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(audit_cmd, [str(corpus_dir), "--format", "json"])
    assert result.exit_code == 1
    assert "documents.jsonl order" in result.output


def test_json_is_stable_and_documented(corpus_dir: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(audit_cmd, [str(corpus_dir), "--format", "json"])
    second = runner.invoke(audit_cmd, [str(corpus_dir)])  # not a terminal: JSON
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    data = json.loads(first.output)
    assert data["schema"] == "corpus.audit/1"
    schema = (REPO / "corpus" / "audit" / "SCHEMA.md").read_text("utf-8")
    for key in data:
        assert f"`{key}`" in schema, key
    for key in data["totals"]:
        assert f"`{key}`" in schema, key


def test_table_fits_80_columns_and_names_the_russian_line(corpus_dir: Path) -> None:
    text = render(run_audit([corpus_dir]), "table", width=80)
    assert all(cells(line) <= 80 for line in text.splitlines()), text
    assert "Заголовок открываемого" not in text  # a dropped teaser: counted, not listed
    assert "+ 1 foreign segments in dropped lines" in text
    line = next(li for li in text.splitlines() if "Россия поставит" in li)
    assert "seeds/page.txt:7" in line and " ru " in line
    assert "Languages (kept / dropped)" in text
    every = render(run_audit([corpus_dir], filters=Filters(foreign=True)), "table", width=80)
    line = next(li for li in every.splitlines() if "× Заголовок открываемого" in li)
    assert "seeds/page.txt:6" in line and " ru " in line


def test_csv_one_row_per_segment(corpus_dir: Path) -> None:
    buf = io.StringIO()
    assert api.audit_csv([corpus_dir], buf) == 14
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert len(rows) == 14
    assert {r["text"] for r in rows} >= {XSS, ATTR}
    ru = next(r for r in rows if r["line"] == "6" and r["source"] == "seeds/page.txt")
    assert (ru["lang"], ru["doc_lang"], ru["foreign"], ru["kept"]) == ("ru", "en", "1", "0")
    out = CliRunner().invoke(audit_cmd, [str(corpus_dir), "-f", "csv", "--foreign"])
    assert len(list(csv.DictReader(io.StringIO(out.output)))) == 4  # kept ones by default
    out = CliRunner().invoke(audit_cmd, [str(corpus_dir), "-f", "csv", "--foreign", "--all"])
    assert len(list(csv.DictReader(io.StringIO(out.output)))) == 5


def test_count_words() -> None:
    assert count_words("Hello, world — again!") == 3
    assert count_words("我们今天") == 4
    assert count_words("नमस्ते दुनिया") == 2
    assert count_words("— … !") == 0


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def _data(page: str) -> dict:
    block = re.search(r'<script type="application/json" id="audit-data">(.*?)</script>', page,
                      re.S)
    return json.loads(block.group(1))


def test_html_escapes_all_scraped_text(corpus_dir: Path) -> None:
    page = render(run_audit([corpus_dir], segment_budget=100), "html")
    parser = _Collect()
    parser.feed(page)
    scripts = [a for t, a in parser.tags if t == "script"]
    # the report's own script, and one inert data block that holds the lists
    assert scripts == [{"type": "application/json", "id": "audit-data"}, {}]
    assert not any(t == "img" for t, _ in parser.tags)
    for _, attrs in parser.tags:
        assert not any(name.startswith("on") for name in attrs), attrs
    # in the data block, < > & are JSON escapes: no </script> can end it early
    block = page[page.index('id="audit-data">'):page.index("</script>")]
    assert "<" not in block[len('id="audit-data">'):] and "alert(1)" in block
    data = _data(page)
    texts = {r["t"] for r in data["low"]["rows"]}
    assert texts == {XSS, ATTR.strip()}  # back as the very text, for textContent
    assert any(d["src"] == EVIL_PATH for d in data["docs"]["rows"])
    assert "http://" not in page and "https://" not in page  # nothing loaded from anywhere
    csp = re.search(r'Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp


def test_html_data_links_every_segment_to_its_document(corpus_dir: Path) -> None:
    page = render(run_audit([corpus_dir], segment_budget=100), "html",
                  report_dir=corpus_dir)
    data = _data(page)
    docs = data["docs"]["rows"]
    kept = data["foreign"]["kept"]
    assert {r["w"] for r in kept} >= {"seeds/page.txt:7", "dump.jsonl:2"}
    for row in kept + data["foreign"]["dropped"]:
        doc = docs[row["d"]]
        segs = data["segments"]["rows"][row["d"]]
        assert doc["src"] == row["src"]
        assert any(s[0] == row["i"] and s[7] == row["t"] for s in segs)
    record = next(d for d in docs if d["src"] == "dump.jsonl")
    assert record["w"] == "dump.jsonl:2"
    # the file link is relative to where the report lies
    page_doc = next(d for d in docs if d["src"] == "seeds/page.txt")
    assert page_doc["href"].endswith("seeds/page.txt") and page_doc["href"].startswith("..")
    # the per-document view holds every segment in order, with its translation
    segs = data["segments"]["rows"][docs.index(record)]
    assert [s[0] for s in segs] == [0, 1, 2]
    assert segs[0][8] == "News of the day"


def test_write_reports_into_staging_dir(corpus_dir: Path) -> None:
    manifest = json.loads((corpus_dir / "manifest.json").read_text(encoding="utf-8"))
    write_reports(corpus_dir, manifest)
    data = json.loads((corpus_dir / "audit.json").read_text(encoding="utf-8"))
    assert data["totals"]["segments"]["total"] == 14
    assert data["corpus"]["target"] == "en"
    html_text = (corpus_dir / "audit.html").read_text(encoding="utf-8")
    assert 'id="chart-languages"' in html_text and 'id="foreign-list"' in html_text
    assert "document_segments" not in data  # the report's view only, not the JSON


def test_stats_streams_groups_directly() -> None:
    stats = AuditStats(max_rows=1)
    doc = {"id": "x", "source": {"path": "a.txt"}, "status": "kept", "lang": "de"}
    segs = [{"index": i, "line": i + 1, "span": [0, 3], "text": "abc", "kind": "paragraph",
             "kept": True, "reason": None, "lang": "fr", "lang_prob": 0.9, "script": "Latin"}
            for i in range(3)]
    stats.add(doc, segs, [])
    result = stats.result()
    assert result["foreign"]["kept"] == 3 and result["foreign"]["more"] == 2


# -- end to end ------------------------------------------------------------------------------

def _can_build() -> bool:
    try:
        import corpus.ingest
        import corpus.stages  # noqa: F401
    except ImportError:
        return False
    return True


needs_build = pytest.mark.skipif(not _can_build(), reason="corpus.ingest not importable yet")


@needs_build
def test_build_writes_audit_and_audit_matches_raw_inputs(tmp_path: Path) -> None:
    from corpus.cli.build import build

    src = tmp_path / "in"
    src.mkdir()
    (src / "page.txt").write_text(
        "Новости\nПрезидент заявил сегодня о новых планах правительства.\n"
        f"The minister said the talks would continue next week in Ankara.\n{XSS}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    runner = CliRunner()
    built = runner.invoke(build, [str(src), "-o", str(out), "-q"])
    assert built.exit_code == 0, built.output
    assert (out / "audit.json").is_file() and (out / "audit.html").is_file()
    from_out = run_audit([out])
    raw = api.audit([src])
    assert raw["corpus"]["mode"] == "inputs"
    assert raw["languages"] == from_out["languages"]
    assert raw["foreign"]["rows"] == from_out["foreign"]["rows"]
    table = runner.invoke(audit_cmd, [str(out), "-f", "table"])
    assert table.exit_code == 0 and "Languages" in table.output


@needs_build
def test_audit_gathered_while_writing_equals_a_pass_over_the_files(tmp_path: Path) -> None:
    """The build's reports come from the rows as the writer wrote them; read back from
    the finished files they must be the same bytes (the path --resume and --append take)."""
    import shutil

    from corpus.cli.build import build

    out = tmp_path / "out"
    built = CliRunner().invoke(build, [str(SEEDS), "-o", str(out), "-q"])
    assert built.exit_code == 0, built.output
    again = out / ".again"  # inside OUT, as the staging folder is
    again.mkdir()
    for name in ("documents.jsonl", "segments.jsonl", "sentences.jsonl"):
        shutil.copy(out / name, again / name)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    write_reports(again, manifest)  # from the files
    gathered = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert gathered["totals"]["segments"]["total"] > 20 and gathered["foreign"]["rows"]
    for name in ("audit.json", "audit.html"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


@needs_build
def test_demo_seed_lists_the_russian_teaser_line(tmp_path: Path) -> None:
    seed = SEEDS / "sputnik-s400-turkey.txt"
    if not seed.is_file():
        pytest.skip("seed page absent")
    result = CliRunner().invoke(audit_cmd, [str(seed), "-f", "table", "--limit", "50",
                                            "--foreign", "--all"])
    assert result.exit_code == 0, result.output
    line = next(li for li in result.output.splitlines() if "Заголовок открываемого" in li)
    assert ":36 " in line and " ru " in line
    assert all(cells(li) <= 80 for li in result.output.splitlines())


GERMAN_PAGE = """Startseite
Login
Logout
OK
Suche
Menü
Newsletter
Facebook
Twitter
Klapptext:
Der Stadtrat hat am Dienstag den Haushalt für das kommende Jahr nach langer Debatte gebilligt.
Die Opposition kritisierte die geplanten Ausgaben für den Straßenbau als viel zu hoch.
War Mikao Usui Schamane? Diese Frage stellen sich viele Leser nach dem Erscheinen des Buches.
Er zeigt die Mail der Kontaktperson in Arizona.
Impressum
Datenschutz
Kontakt
"""


def test_audit_of_german_pages_names_german_not_menu_languages(tmp_path):
    """Issue 18: one-word navigation gave the audit of German pages two dozen languages."""
    folder = tmp_path / "pages"
    folder.mkdir()
    for i in range(3):
        (folder / f"page{i}.txt").write_text(GERMAN_PAGE.replace("Klapptext", f"Teil {i}"),
                                             encoding="utf-8")
    result = CliRunner().invoke(audit_cmd, [str(folder), "--format", "json"])
    assert result.exit_code == 0, result.output
    audit = json.loads(result.output)
    assert {row["lang"] for row in audit["languages"]} <= {"de", "und"}
