"""The language audit: numbers on a small corpus, the four formats, filters, HTML safety.

The test corpus is written by the real ``CorpusWriter`` from literal records, so its
files have exactly the row format ``corpus build`` writes.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
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
    foreign = run_audit([corpus_dir])["foreign"]
    rows = {(r["source"], r["line"]): r for r in foreign["rows"]}
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
    assert foreign["by_pair"]["en>ru"] == 2


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
    line = next(li for li in text.splitlines() if "× Заголовок открываемого" in li)
    assert "seeds/page.txt:6" in line and " ru " in line
    assert "Languages (kept / dropped)" in text


def test_csv_one_row_per_segment(corpus_dir: Path) -> None:
    buf = io.StringIO()
    assert api.audit_csv([corpus_dir], buf) == 14
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert len(rows) == 14
    assert {r["text"] for r in rows} >= {XSS, ATTR}
    ru = next(r for r in rows if r["line"] == "6" and r["source"] == "seeds/page.txt")
    assert (ru["lang"], ru["doc_lang"], ru["foreign"], ru["kept"]) == ("ru", "en", "1", "0")
    out = CliRunner().invoke(audit_cmd, [str(corpus_dir), "-f", "csv", "--foreign"])
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


def test_html_escapes_all_scraped_text(corpus_dir: Path) -> None:
    page = render(run_audit([corpus_dir]), "html")
    parser = _Collect()
    parser.feed(page)
    assert [t for t, _ in parser.tags].count("script") == 1  # only the report's own
    assert not any(t == "img" for t, _ in parser.tags)
    for _, attrs in parser.tags:
        assert not any(name.startswith("on") for name in attrs), attrs
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&quot; onmouseover=&quot;alert(2)" in page
    assert "evil&lt;img src=x onerror=alert(3)&gt;.txt" in page
    assert "http://" not in page and "https://" not in page  # nothing loaded from anywhere
    # RTL text sits in cells that take their direction from it
    assert re.search(r'<td class="text" dir="auto">هذا نص عربي', page)
    csp = re.search(r'Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp


def test_write_reports_into_staging_dir(corpus_dir: Path) -> None:
    manifest = json.loads((corpus_dir / "manifest.json").read_text(encoding="utf-8"))
    write_reports(corpus_dir, manifest)
    data = json.loads((corpus_dir / "audit.json").read_text(encoding="utf-8"))
    assert data["totals"]["segments"]["total"] == 14
    assert data["corpus"]["target"] == "en"
    html_text = (corpus_dir / "audit.html").read_text(encoding="utf-8")
    assert 'id="chart-languages"' in html_text and 'id="foreign-table"' in html_text


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
def test_demo_seed_lists_the_russian_teaser_line(tmp_path: Path) -> None:
    seed = SEEDS / "sputnik-s400-turkey.txt"
    if not seed.is_file():
        pytest.skip("seed page absent")
    result = CliRunner().invoke(audit_cmd, [str(seed), "-f", "table", "--limit", "50"])
    assert result.exit_code == 0, result.output
    line = next(li for li in result.output.splitlines() if "Заголовок открываемого" in li)
    assert ":36 " in line and " ru " in line
    assert all(cells(li) <= 80 for li in result.output.splitlines())


# -- browser -----------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Where the screenshot is kept: $CORPUS_TEST_ARTIFACTS (CI sets it), else the test's tmp dir.
ARTIFACTS = os.environ.get("CORPUS_TEST_ARTIFACTS")


def _chromium(*args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=120, check=False,
        )


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
def test_html_in_headless_chromium(corpus_dir: Path, tmp_path: Path) -> None:
    manifest = json.loads((corpus_dir / "manifest.json").read_text(encoding="utf-8"))
    write_reports(corpus_dir, manifest)
    page = corpus_dir / "audit.html"
    dom = _chromium("--dump-dom", page.as_uri()).stdout
    assert 'id="chart-languages"' in dom and 'id="chart-confidence"' in dom
    assert 'id="chart-documents"' in dom
    assert "Заголовок открываемого материала" in dom
    assert 'class="js"' in dom  # the report's own script ran (CSP hash matches)
    # the scraped script is text in a cell, not an element: exactly one <script> in the DOM
    assert dom.count("<script") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert "<img" not in dom
    folder = Path(ARTIFACTS) if ARTIFACTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "audit-report.png"
    _chromium(f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri())
    assert shot.is_file() and shot.stat().st_size > 10_000


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
