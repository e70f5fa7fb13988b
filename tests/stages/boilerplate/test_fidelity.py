"""Keep every line of the article: kinds, HTML structure, records, headlines, furniture.

Each test builds the inputs it needs and goes through the real reader and steps (or the
CLI), as a user's page would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import SEEDS

import corpus
from corpus.cli import cli
from corpus.config import build_step, pipeline_from_dict
from corpus.errors import ConfigError
from corpus.ingest import InputConfig, InputRef, read_input
from corpus.stages.boilerplate.classify import MANY_PAGES_LINES, classify_page

ARTICLE = [
    "The city council approved the new budget after a long debate on Tuesday evening.",
    "Officials expect the bridge to carry more than twenty thousand cars a day by spring.",
    "The mayor said the money would also pay for two new schools and a public library.",
]


def page(body: str, *, title: str = "Council approves budget - Example Times",
         lang: str = "en") -> str:
    return f"""<!DOCTYPE html><html lang="{lang}"><head><title>{title}</title></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/city">City</a></li>
<li><a href="/sport">Sport</a></li></ul></nav>
<main><article>{body}</article></main>
<footer><p>© 2024 Example Times. All rights reserved.</p></footer></body></html>"""


def segments(html: str, url: str | None = None):
    return corpus.page_segments(html, url)


def kept(html: str, url: str | None = None) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in segments(html, url) if s.kept]


def test_markup_gives_the_kinds_and_the_article_keeps_its_structure():
    body = (
        "<h1>Council approves budget</h1>"
        + "".join(f"<p>{p}</p>" for p in ARTICLE[:2])
        + "<h2>What the money pays for</h2>"
        "<ul><li>Two new schools in the northern districts of the city</li>"
        "<li>A public library with a reading room for children</li></ul>"
        "<table><tr><th>Item</th><th>Cost</th></tr><tr><td>Bridge</td><td>12 million</td></tr>"
        "<tr><td>Schools</td><td>8 million</td></tr></table>"
        "<blockquote>We have waited for this bridge for twenty years, a resident said.</blockquote>"
        "<figure><img src='b.jpg'><figcaption>The old bridge in winter.</figcaption></figure>"
        f"<p>{ARTICLE[2]}</p>"
    )
    segs = segments(page(body), "https://www.exampletimes.com/budget")
    by_text = {s.text: s for s in segs}
    assert by_text["Council approves budget"].kind == "title"
    assert by_text["Council approves budget"].kept
    assert by_text["What the money pays for"].kind == "heading" and by_text[
        "What the money pays for"].kept
    items = [s for s in segs if s.kind == "list_item" and s.kept]
    assert [s.text for s in items] == ["Two new schools in the northern districts of the city",
                                       "A public library with a reading room for children"]
    rows = [s.text for s in segs if s.kind == "table_row" and s.kept]
    assert rows == ["Item | Cost", "Bridge | 12 million", "Schools | 8 million"]
    quote = by_text["We have waited for this bridge for twenty years, a resident said."]
    assert quote.kind == "quote" and quote.kept
    caption = by_text["The old bridge in winter."]
    assert caption.kind == "caption" and not caption.kept
    assert caption.reason == "caption_not_kept"
    assert all(by_text[p].kept and by_text[p].kind == "paragraph" for p in ARTICLE)
    # menus and the footer are there, dropped with a kind and a reason
    assert by_text["Home"].kind == "navigation" and not by_text["Home"].kept
    footer = by_text["© 2024 Example Times. All rights reserved."]
    assert not footer.kept and footer.reason
    # the <title> repeats the headline with the site's name: dropped, the <h1> kept
    title = segs[0]
    assert title.kind == "title" and title.reason == "title_repeats_headline"


def test_soft_hyphens_and_zero_width_characters_do_not_lose_the_article():
    """trafilatura returns the text cleaned; blocks match after the same normalisation."""
    hyphenated = [p.replace("council", "coun\u00adcil").replace("bridge", "brid\u00adge")
                  .replace("money", "mo\u200bney") for p in ARTICLE]
    out = kept(page("".join(f"<p>{p}</p>" for p in hyphenated)))
    assert [t for k, t in out if k == "paragraph"] == ARTICLE


def test_an_article_inside_noscript_is_read():
    body = "<noscript>" + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</noscript>"
    html = f"""<html><head><title>Council approves budget</title>
<script>renderApp()</script></head><body><div id="app"></div>{body}</body></html>"""
    out = kept(html)
    assert [t for k, t in out if k == "paragraph"] == ARTICLE


def test_link_lists_inside_the_article_are_teasers_not_content():
    teasers = "".join(f'<li><a href="/s{i}">Another story about the city number {i} and more'
                      f"</a></li>" for i in range(4))
    body = "".join(f"<p>{p}</p>" for p in ARTICLE) + f"<ul>{teasers}</ul>"
    segs = segments(page(body))
    links = [s for s in segs if "Another story" in s.text]
    assert len(links) == 4 and not any(s.kept for s in links)
    assert {s.reason for s in links} <= {"link_list", "html_boilerplate"}
    assert [s.text for s in segs if s.kept and s.kind == "paragraph"] == ARTICLE


@pytest.mark.parametrize("line", [
    "Sign up for our newsletter to get the best stories delivered to your inbox.",
    "Reporting by Jane Doe; Editing by John Smith",
    "Follow us on Twitter and Facebook for the latest news.",
    "If you buy something through this post, we may earn a commission.",
    "Auch lesen: Der Stadtrat beschließt den neuen Haushalt",
    "LE PUEDE INTERESAR: El ayuntamiento aprueba el presupuesto",
    "VEA TAMBIÉN: Las obras del puente comienzan en primavera",
    "Lea más: El alcalde presenta el plan de bibliotecas",
    "Dowiedz się więcej: Rada miasta przyjęła budżet",
    "Article suivant",
])
def test_furniture_written_as_a_sentence_is_dropped_in_html_and_text(line):
    html = page("".join(f"<p>{p}</p>" for p in ARTICLE[:2]) + f"<p>{line}</p>"
                + f"<p>{ARTICLE[2]}</p>")
    segs = {s.text: s for s in segments(html)}
    assert not segs[line].kept, line
    assert segs[line].kind in ("prompt", "byline", "teaser", "ad")
    assert all(segs[p].kept for p in ARTICLE)
    text = ["Council approves budget", *ARTICLE[:2], line, ARTICLE[2]]
    assert corpus.keep_lines(text, "en") == [True, True, True, False, True]


def test_the_headline_of_a_text_page_is_kept_as_its_title(tmp_path):
    lines = ["Home", "City", "Sport", "Council approves the new city budget",
             "Subscribe", *ARTICLE, "Most read", "log in or register"]
    src = tmp_path / "page.txt"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(src), "-o", str(out), "-p",
                                      str(_clean_pipeline(tmp_path))])
    assert result.exit_code == 0, result.output
    segs = [json.loads(line) for line in (out / "segments.jsonl").open(encoding="utf-8")]
    by_text = {s["text"]: s for s in segs}
    assert by_text["Council approves the new city budget"]["kind"] == "title"
    assert by_text["Council approves the new city budget"]["kept"]
    assert all(by_text[p]["kept"] for p in ARTICLE)
    for furniture in ("Home", "Subscribe", "log in or register"):
        assert not by_text[furniture]["kept"] and by_text[furniture]["reason"]
    sents = [json.loads(line) for line in (out / "sentences.jsonl").open(encoding="utf-8")]
    assert {s["kind"] for s in sents} == {"title", "paragraph"}


def _clean_pipeline(tmp_path: Path) -> Path:
    path = tmp_path / "p.toml"
    path.write_text((Path(__file__).resolve().parents[3] / "pipelines" / "clean.toml")
                    .read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_one_sentence_records_are_documents_not_pages(tmp_path):
    src = tmp_path / "export.jsonl"
    records = [
        {"id": "r1", "text": "Another good record about rivers."},
        {"id": "r2", "text": "Rivers carry sediment to the sea over thousands of years."},
        {"id": "r3", "text": "Subscribe to our newsletter"},
        {"id": "r4", "text": "Die Flüsse tragen Sand ins Meer.", "lang": "de"},
    ]
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                   encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(src), "-o", str(out), "-p",
                                      str(_clean_pipeline(tmp_path))])
    assert result.exit_code == 0, result.output
    docs = [json.loads(line) for line in (out / "documents.jsonl").open(encoding="utf-8")]
    status = {d["record_id"]: d["status"] for d in docs}
    assert status == {"r1": "kept", "r2": "kept", "r3": "dropped:only_boilerplate",
                      "r4": "kept"}
    assert next(d for d in docs if d["record_id"] == "r4")["declared_lang"] == "de"
    sents = {json.loads(line)["text"] for line in (out / "sentences.jsonl").open()}
    assert "Another good record about rivers." in sents


def test_record_layout_page_applies_the_page_rules():
    cfg = pipeline_from_dict({"input": {"record_layout": "page"}}, where="t").input
    assert cfg.record_layout == "page"
    with pytest.raises(ConfigError, match="record_layout"):
        pipeline_from_dict({"input": {"record_layout": "sometimes"}}, where="t")


def test_keep_kinds_decides_what_goes_into_the_corpus():
    step = build_step({"use": "boilerplate", "keep_kinds": ["title", "paragraph", "caption"]},
                      where="t")
    ref_html = page("<h1>Council approves budget</h1><h2>Details</h2>"
                    + "".join(f"<p>{p}</p>" for p in ARTICLE[:2])
                    + "<figure><figcaption>The bridge at night.</figcaption></figure>"
                    + f"<p>{ARTICLE[2]}</p>")
    from corpus.ingest.documents import content_document
    from corpus.records import Source
    from corpus.stages.normalize import Normalize

    doc = content_document(Source(path="p.html"), ref_html, "html", InputConfig())
    [doc] = list(step(Normalize()([doc])))
    by_text = {s.text: s for s in doc.segments}
    assert by_text["The bridge at night."].kept  # captions asked for
    assert not by_text["Details"].kept and by_text["Details"].reason == "heading_not_kept"
    with pytest.raises(ConfigError, match="keep_kinds: navigation not content kinds"):
        build_step({"use": "boilerplate", "keep_kinds": ["navigation"]}, where="t")


def test_clean_html_is_what_a_build_keeps(tmp_path):
    html = page("<h1>Council approves budget</h1>" + "".join(f"<p>{p}</p>" for p in ARTICLE))
    src = tmp_path / "page.html"
    src.write_text(html, encoding="utf-8")
    out = tmp_path / "out"
    assert CliRunner().invoke(cli, ["build", str(src), "-o", str(out), "-p",
                                    str(_clean_pipeline(tmp_path))]).exit_code == 0
    segs = [json.loads(line) for line in (out / "segments.jsonl").open(encoding="utf-8")]
    built = "\n".join(s["text"] for s in segs if s["kept"])
    assert corpus.clean_html(html) == built
    assert built.splitlines() == ["Council approves budget", *ARTICLE]


def test_the_page_language_reaches_the_boilerplate_step():
    """A one-word German line is judged with the German stoplist: `<html lang>` is read."""
    doc = next(read_input(InputRef.file(__file__), InputConfig()))
    assert doc.origin == "text"  # a plain-text file is a text page
    html = page("".join(f"<p>{p}</p>" for p in ARTICLE), lang="de")
    from corpus.ingest.documents import content_document
    from corpus.records import Source

    doc = content_document(Source(path="p.html"), html, "html", InputConfig())
    assert doc.meta["lang"] == "de" and doc.origin == "html"


def test_subheadings_and_short_lists_inside_a_text_article_are_kept():
    lines = [
        "Home", "News", "Sport", "Weather",
        "The city budget passes after a long night",
        *ARTICLE[:2],
        "What the money buys",
        "- two schools",
        "- a library",
        "- a new bridge",
        "The mayor said work on all three would start in the spring, weather permitting.",
        "Residents who spoke at the meeting welcomed the plan but asked for more bus lines.",
        "Share", "Tweet", "Most read", "Weather warning for the weekend", "Train fares rise",
    ]
    keep = dict(zip(lines, corpus.keep_lines(lines, "en"), strict=True))
    for line in ("What the money buys", "- two schools", "- a library", "- a new bridge"):
        assert keep[line], line
    for line in ("Home", "Share", "Tweet", "Most read", "Train fares rise"):
        assert not keep[line], line
    from corpus.stages.boilerplate.classify import classify_page

    kinds = {line: v.kind for line, v in zip(lines, classify_page(lines, lang="en"),
                                              strict=True)}
    assert kinds["- two schools"] == "list_item"
    assert kinds["The city budget passes after a long night"] == "title"


def test_a_text_of_many_pages_keeps_the_article_of_each():
    """A dump of pages in one text (far longer than any page) is not one article with one
    body region: every page's article lines are kept, as when the page stands alone."""
    page = (SEEDS / "sputnik-s400-turkey.txt").read_text(encoding="utf-8").splitlines()
    body = [v.reason is None and v.kind != "title" for v in classify_page(page, lang="en")]
    assert sum(body) >= 5
    copies = MANY_PAGES_LINES // sum(1 for line in page if line.strip()) + 2
    dump = classify_page(page * copies, lang="en")
    for c in (0, copies // 2, copies - 1):
        part = dump[c * len(page):(c + 1) * len(page)]
        assert [v.reason is None and v.kind != "title" for v in part] == body, c


def test_a_list_of_dated_teasers_after_the_article_is_not_article():
    """Teasers or comments after the article, each a name, a date and a prose blurb: the
    dated header of each item is a wall the article does not span, so the best stretch
    (the article) is kept and the blurbs, as long and punctuated as its paragraphs, not."""
    blurbs = [
        "Our family always celebrates anniversaries, but this year the day passed quietly "
        "at home while the lawyers met again in another city far away.",
        "The committee heard three more witnesses on Tuesday, and each of them repeated "
        "what the others had already said about the delays in the program.",
        "A new report on the state of the river finds the water cleaner than a decade ago, "
        "though the fish have not yet come back to the upper stretches.",
    ]
    lines = [
        "Home", "News", "Opinion",
        "The city budget passes after a long night",
        "by Jane Doe",
        "November 18, 2019 12:26 PM",
        *ARTICLE,
        "Residents who spoke at the meeting welcomed the plan but asked for more bus lines.",
        "Tags", "Budget", "City",
        "More from the Example Times",
    ]
    for i, blurb in enumerate(blurbs):
        lines += [f"Teaser headline number {i + 1} about something", "John Smith",
                  f"Wednesday November {20 + i}, 2019", blurb]
    lines += ["About us", "Contact"]
    keep = dict(zip(lines, corpus.keep_lines(lines, "en"), strict=True))
    for line in ARTICLE:
        assert keep[line], line
    for blurb in blurbs:
        assert not keep[blurb], blurb


def test_a_date_in_brackets_inside_the_article_does_not_split_it():
    from corpus.stages.boilerplate.classify import _dated_header

    assert _dated_header("Wednesday November 20, 2019")
    assert _dated_header("August 8, 2018 at 7:21 pm")
    assert not _dated_header("(Published Monday, Nov. 18, 2019)")
    assert not _dated_header("10 p.m.")  # a live blog's time stamp: no year
    lines = [*ARTICLE[:2], "(Published Monday, Nov. 18, 2019)", *ARTICLE[2:],
             "Residents who spoke at the meeting welcomed the plan but asked for more bus lines."]
    assert all(corpus.keep_lines(lines, "en")[i] for i in (0, 1, 3, 4))


def test_the_layout_pass_charges_long_gaps_by_their_own_cost(monkeypatch):
    """Gaps inside the article cost GAP_LINE_COST a line up to MAX_KEPT_GAP lines and
    LONG_GAP_LINE_COST a line after that: a long stretch of furniture between two prose
    stretches ends the article when the long-gap cost is high, not when it is low."""
    from corpus.stages.boilerplate import classify

    scores = [5.0, 5.0, *([-3.0] * 10), 6.0]
    no = [False] * len(scores)
    monkeypatch.setattr(classify, "LONG_GAP_LINE_COST", 0.25)
    spanned = classify._viterbi(scores, no)
    assert spanned[-1] == classify._BODY and spanned[5] == classify._GAP
    monkeypatch.setattr(classify, "LONG_GAP_LINE_COST", 2.0)
    cut = classify._viterbi(scores, no)
    assert cut[:2] == [classify._BODY] * 2 and cut[-1] == classify._POST
    walls = [i == 6 for i in range(len(scores))]
    monkeypatch.setattr(classify, "LONG_GAP_LINE_COST", 0.25)
    walled = classify._viterbi(scores, no, walls=walls)
    assert classify._BODY not in walled[3:] or classify._BODY not in walled[:3]


def test_a_schedule_or_table_at_the_end_of_the_article_is_kept():
    """Rows of one shape (a date, a venue, a city) right after the article's prose, with
    or without a heading over them, are its text; a menu of bare words after it is not,
    nor the same kind of rows far from the article."""
    rows = [
        "June 9 -- Coral Sky Amphitheatre, West Palm Beach, FL",
        "June 10 -- Credit Union Amphitheatre, Tampa, FL",
        "June 14 -- Bank Amphitheatre (formerly Verizon Amphitheatre), Alpharetta, GA",
        "June 17 -- Bridgestone Arena, Nashville, TN",
        "June 19 -- Music Pavilion, Charlotte, NC",
    ]
    far = ["Nov 2019 -- Archive, 12 posts", "Oct 2019 -- Archive, 9 posts",
           "Sep 2019 -- Archive, 14 posts"]
    lines = [
        "Home", "News", "Music",
        "The band announces a summer tour",
        *ARTICLE,
        "The band's summer tour dates",
        *rows,
        "Share", "Tweet", "Facebook",
        "Most read", "Weather warning for the weekend", "Train fares rise",
        "Archives", "Popular", "Contact", *far,
    ]
    keep = dict(zip(lines, corpus.keep_lines(lines, "en"), strict=True))
    for line in (*ARTICLE, "The band's summer tour dates", *rows):
        assert keep[line], line
    for line in ("Share", "Tweet", "Facebook", "Train fares rise", *far):
        assert not keep[line], line


def test_structured_runs_are_rows_of_one_shape_not_menus():
    from corpus.stages.boilerplate.classify import _shape, _structured_runs

    assert _shape("June 9 – Tampa, FL @ Amphitheatre") == "W N – W , W @ W"
    assert _shape("2 Martin Truex Jr. 5035 7 0 15 24") == "N W N N N N N"
    menu = ["Tech", "Entertainment", "Deals", "Business News", "Science"]
    assert _structured_runs(menu) == []
    table = ["1 Kyle Busch 5040 5 1 17 27", "2 Martin Truex Jr. 5035 7 0 15 24",
             "3 Kevin Harvick 5033 4 6 15 26"]
    assert _structured_runs(["Standings", *table, "Share"]) == [(1, 3)]
    items = ["1) Lego Star Wars 75188 Bomber", "http://amzn.to/abc",
             "2) Polistil 960574 Pista", "http://amzn.to/def", "3) Blade Runner 2049 Box"]
    assert _structured_runs(items) == [(0, 4)]  # the links between the items too
    spelled = ["England (Group A): 10th appearance", "Spain (Group F): Seventh appearance",
               "Wales (Group E): Second appearance"]
    assert _structured_runs(spelled) == [(0, 2)]  # the same punctuation
    numbered = ["1) Lego Star Wars Bomber", "http://amzn.to/abc",
                "2) Cofanetto Nolan: Interstellar/Inception", "http://amzn.to/def",
                "3) Blade Runner (4K Ultra HD + Blu-Ray)"]
    assert _structured_runs(numbered) == [(0, 4)]  # counted one after the other
    repeated = ["Kindle for PC: the hot key (2018)", "2018-08-16",
                "Kindle for PC: the hot key (2018)"]
    assert _structured_runs(repeated) == []  # one line repeated is no table
    colons = ["Fact check: the claim is false", "Analysis: what the vote means",
              "Opinion: the council got it right"]
    assert _structured_runs(colons) == []  # one mark is not a row's structure


def test_a_photo_copyright_inside_the_article_does_not_end_it():
    """ "Image copyright EPA" or "© Jane Doe <caption>, May 18, 2018." is a photo's credit
    (dropped), not the site's footer: the article goes on after it. A footer ("© 2019
    Site", "All rights reserved") still closes the article."""
    from corpus.stages.boilerplate.classify import _barrier, _features

    more = ["Residents who spoke at the meeting welcomed the plan but asked for more bus lines.",
            "The council will vote on the details of the bus plan at its next meeting in May."]
    for credit in ("Image copyright EPA",
                   "© Jane Doe Protesters in the square outside city hall on May 18, 2018."):
        lines = ["Home", "News", *ARTICLE, credit, *more, "Share", "Tweet"]
        keep = dict(zip(lines, corpus.keep_lines(lines, "en"), strict=True))
        assert not keep[credit]
        for line in (*ARTICLE, *more):
            assert keep[line], (credit, line)
        assert not _barrier(_features(credit))
    for footer in ("© 2019 Example Times", "Copyright 2019 Hawaii News Now.",
                   "Example Times. All rights reserved."):
        assert _barrier(_features(footer)), footer


def test_a_short_inline_box_of_teasers_inside_the_article_is_left_out():
    """A gap of a few lines between two stretches of article is kept (a subheading, a
    short list) unless it holds a box's cue ("Related Articles", "Share"): then its
    headlines are teasers."""
    box = ["Related Articles", "Budget Talks Stall Again Over School Money",
           "Five Things The Plan Buys"]
    sub = ["What the money buys", "- two schools", "- a library"]
    for gap, kept in ((box, False), (sub, True)):
        lines = ["Home", "News", *ARTICLE[:2], *gap, ARTICLE[2],
                 "Residents who spoke at the meeting welcomed the plan but asked for more.",
                 "Share", "Tweet"]
        keep = dict(zip(lines, corpus.keep_lines(lines, "en"), strict=True))
        for line in ARTICLE:
            assert keep[line], line
        for line in gap[1:]:
            assert keep[line] is kept, line


def test_the_headlines_under_a_teaser_lists_header_are_teasers():
    """ "Most Popular" over a few headlines just above the article: the headlines are the
    box's items (left out), the article that starts with a full paragraph is not."""
    heads = ["Police chief sought funding for a new system, but mayor unswayed",
             "The county fair will be free to attend starting next summer",
             "Man dies after crashing into power pole, flipping vehicle"]
    lines = ["Home", "News", "Most Popular", *heads, *ARTICLE,
             "Residents who spoke at the meeting welcomed the plan but asked for more.",
             "Share", "Tweet"]
    verdicts = dict(zip(lines, classify_page(lines, lang="en"), strict=True))
    for line in heads:
        assert verdicts[line].reason is not None, line
    for line in ARTICLE:
        assert verdicts[line].reason is None, line


def test_rows_that_end_like_signed_captions_are_rows_in_a_run():
    """ "1a etapa: 10 de março – Interlagos" alone looks like a caption signed by a site
    (a shape cue); four such rows after the article are a schedule, kept."""
    rows = ["1a etapa: 10 de março – Interlagos", "2a etapa: 8 de abril – Curitiba",
            "3a etapa: 22 de abril – Velopark", "4a etapa: 06 de maio – Londrina"]
    from corpus.stages.boilerplate.classify import line_cue

    assert line_cue(rows[0], strict=False) == "caption_suffix"
    lines = ["Home", "News", *ARTICLE, *rows, "Share", "Tweet"]
    keep = dict(zip(lines, corpus.keep_lines(lines, "en"), strict=True))
    for line in (*ARTICLE, *rows):
        assert keep[line], line
