"""The HTML report in a real browser: headless Chromium over the DevTools protocol.

What a unit test of the markup cannot see: that the report's script runs under its own
Content-Security-Policy, draws the lists, filters them, opens a document, logs no error,
and that hostile text scraped from the web stays text (no element, no handler, nothing
run). Skipped, with the reason, where Chromium or websocket-client is missing; CI
(``.ci/run``) installs Chromium.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from browser import Browser, why_not
from test_audit import write_corpus

from corpus.audit import write_reports
from corpus.records import Document, Segment, Sentence, Source

pytestmark = pytest.mark.skipif(why_not() is not None, reason=str(why_not()))

# Each payload sets window.__pwned if it ever runs: as markup, as a handler, as a URL.
HOSTILE = [
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 2">',
    '" onmouseover="window.__pwned = 3" x="',
    "</script><script>window.__pwned = 4</script>",
    "<svg onload=\"window.__pwned = 5\"></svg>",
]


def seg(text: str, line: int, lang: str, *, kept: bool = True, reason: str | None = None,
        kind: str = "paragraph") -> Segment:
    sents = [Sentence(text, (0, len(text)), lang, 0.9)] if kept else []
    return Segment(text=text, span=(0, len(text)), line=line, kind=kind, kept=kept,
                   reason=reason, lang=lang, lang_prob=0.9, sentences=sents)


def hostile_docs() -> list[Document]:
    page = Document(
        id="evil0001", source=Source(path="pages/evil<b>.html", format="html"), lang="en",
        meta={"title": HOSTILE[0]},
        segments=[
            seg("The council approved the new budget after a long debate.", 1, "en"),
            *[seg(t, i + 2, "en") for i, t in enumerate(HOSTILE)],
            seg("Заголовок открываемого материала", 9, "ru", kept=False, reason="teaser",
                kind="teaser"),
            seg("Россия поставит системы в ближайшее время.", 10, "ru"),
        ],
    )
    record = Document(
        id="rec00002", source=Source(path="dump.jsonl", record=7, format="jsonl"), lang="de",
        meta={"id": "a-7", "url": "javascript:window.__pwned=6", "title": HOSTILE[1]},
        segments=[seg("Das Museum öffnet im nächsten Monat eine Ausstellung.", 1, "de"),
                  seg("OK", 2, "sk", kept=False, reason="ui_string", kind="ui")],
    )
    return [page, record]


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "out"
    manifest = write_corpus(out, hostile_docs())
    write_reports(out, manifest)
    return out / "audit.html"


def rows(browser: Browser, ident: str) -> list[str]:
    return browser.js(f"Array.from(document.querySelectorAll('#{ident}-list tbody tr'))"
                      ".map(r => r.textContent)")


def test_report_renders_filters_and_opens_a_document(browser: Browser, report: Path) -> None:
    browser.open(report)
    assert browser.js("document.documentElement.classList.contains('js')")  # script ran
    # kept foreign text first: the kept Russian line is listed, the dropped teaser is not
    foreign = rows(browser, "foreign")
    assert len(foreign) == 1 and "Россия поставит" in foreign[0]
    browser.js("document.getElementById('foreign-dropped').click()")
    dropped = rows(browser, "foreign")
    assert any("Заголовок открываемого" in r for r in dropped)
    assert any("OK" in r and "ui_string" in r for r in dropped)
    # "only in dropped lines": sk has nothing kept
    assert "sk" in browser.js("document.getElementById('only-dropped').textContent")
    # the documents list filters as one types
    assert len(rows(browser, "documents")) == 2
    browser.js("const i = document.querySelector(\"input[data-list='documents']\");"
               "i.value = 'dump'; i.dispatchEvent(new Event('input'))")
    docs = rows(browser, "documents")
    assert len(docs) == 1 and "dump.jsonl:7 id=a-7" in docs[0]
    # a click on a place opens its document at that segment
    browser.js("document.querySelector('#foreign-list tbody a').click()")
    assert not browser.js("document.getElementById('docview').hidden")
    view = browser.js("document.getElementById('docview-body').textContent")
    assert "Заголовок открываемого" in view and "teaser" in view
    target = browser.js("document.querySelector('#docview tr.target').textContent")
    assert target.startswith("69teaser") and "Заголовок" in target  # segment 6, line 9
    browser.js("document.getElementById('docview-kept').click()")
    assert "Заголовок открываемого" not in browser.js(
        "document.getElementById('docview-body').textContent")
    assert browser.errors() == []


def test_hostile_text_stays_text(browser: Browser, report: Path) -> None:
    browser.open(report)
    browser.js("location.hash = '#doc-0'")
    browser.js("document.getElementById('foreign-dropped').click()")
    assert browser.js("window.__pwned === undefined")
    # the page holds two <script> elements (its own, and the inert data) and no other
    # element came from the data: no img, no svg beyond the charts, no handler attribute
    assert browser.js("document.scripts.length") == 2
    assert browser.js("document.querySelectorAll('main img, #docview svg').length") == 0
    assert browser.js("Array.from(document.querySelectorAll('*')).filter(e => "
                      "Array.from(e.attributes).some(a => a.name.startsWith('on'))).length") == 0
    text = browser.js("document.getElementById('docview-body').textContent")
    for payload in HOSTILE:
        assert payload.strip() in text
    # the record's javascript: URL is not a link anywhere
    browser.js("location.hash = '#doc-1'")
    hrefs = browser.js("Array.from(document.querySelectorAll('a')).map(a => a.href)")
    assert not any(h.lower().startswith("javascript:") for h in hrefs)
    assert browser.errors() == []


def big_corpus(out: Path, n: int) -> dict:
    docs = []
    for i in range(n):
        lang = ("en", "de", "ru")[i % 3]
        text = {"en": "The city council met on Tuesday to discuss the budget.",
                "de": "Der Stadtrat traf sich am Dienstag, um den Haushalt zu beraten.",
                "ru": "Городской совет собрался во вторник, чтобы обсудить бюджет."}[lang]
        docs.append(Document(
            id=f"doc{i:06d}", source=Source(path=f"site/page{i:06d}.txt"), lang=lang,
            segments=[seg(text, 1, lang), seg("Home", 2, "und", kept=False, reason="nav"),
                      seg("Вход", 3, "ru", kept=False, reason="login_prompt"),
                      seg(f"{text} ({i})", 4, lang)],
        ))
    return write_corpus(out, docs)


@pytest.mark.slow
def test_ten_thousand_documents_page_and_open(browser: Browser, tmp_path: Path) -> None:
    """10,000 documents: every one is listed (paged), the last one opens, nothing capped."""
    out = tmp_path / "out"
    manifest = big_corpus(out, 10_000)
    write_reports(out, manifest)
    report = out / "audit.html"
    seconds = browser.open(report)
    assert seconds < 20, f"the report took {seconds:.1f} s to load"
    count = browser.js("document.getElementById('documents-count').textContent")
    assert count == "rows 1–50 of 10,000"
    assert "Capped" not in browser.js("document.getElementById('documents').textContent")
    browser.js("location.hash = '#doc-9999'")
    assert "page009999" in browser.js("document.getElementById('docview-title').textContent")
    assert browser.js("document.querySelectorAll('#docview-body tbody tr').length") == 4
    for _ in range(3):
        browser.js("document.querySelector('#documents-pager button:last-child').click()")
    assert "page 4 of 200" in browser.js(
        "document.getElementById('documents-pager').textContent")
    assert browser.errors() == []
    data = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert data["documents"]["more"] == 0 and len(data["documents"]["rows"]) == 10_000


def test_screenshot_of_the_report(browser: Browser, report: Path, tmp_path: Path) -> None:
    """A screenshot that shows the page drew (CI keeps it in $CORPUS_TEST_ARTIFACTS)."""
    folder = Path(os.environ.get("CORPUS_TEST_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    browser.open(report)
    shot = folder / "audit-report.png"
    browser.screenshot(shot)
    assert shot.stat().st_size > 20_000
