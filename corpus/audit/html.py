"""``audit.html``: the audit as one self-contained page (inline CSS, SVG charts, tiny JS).

Everything that comes from the corpus (text, file names, titles, language codes,
reasons) passes through ``esc`` before it reaches the page, in element content and
attribute values alike. As a second line of defence the page carries a
Content-Security-Policy that allows only its own script and style (by hash), so even a
missed escape could not run injected script or load anything from the network.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from corpus.audit.table import flag_reasons, where

PALETTE = (
    "#2f6db5", "#e07b39", "#3a9e5c", "#c8443f", "#8a63b8", "#8c6d4f",
    "#d477b0", "#6f7f8f", "#b5a22f", "#2aa3b5", "#5a4fcf", "#9c9c3a",
)
UND_COLOR = "#b9c0c9"
OTHER_COLOR = "#dde1e6"
MAX_CHART_LANGS = 12
MAX_HISTOGRAMS = 8


def esc(value: Any) -> str:
    """Text for HTML content or a quoted attribute: &, <, >, " and ' escaped."""
    return html.escape(str(value), quote=True)


def _asset(name: str) -> str:
    return (resources.files("corpus.audit") / name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def render_html(audit: dict[str, Any], *, report_dir: Path | None = None) -> str:
    """The report page. Lists (foreign and low-confidence segments, documents, each
    document's segments) travel as one inert JSON block that the page's script renders
    a page of rows at a time, so 10,000 documents stay usable; charts are inline SVG."""
    return "".join(iter_html(audit, report_dir=report_dir))


def iter_html(audit: dict[str, Any], *, report_dir: Path | None = None) -> Iterator[str]:
    """:func:`render_html` in pieces, to write as they come: the documents' segment
    arrays (most of a large report) are never joined into one string. A report of
    180,000 segments (34 MB) took 650 MB to render whole, most of it copies of that
    one string."""
    page = _page(audit, report_dir)
    # the last occurrence: only numbers and the template follow the real one (a scraped
    # title equal to the mark comes before it)
    head, tail = page.rsplit(json.dumps(_ROWS_MARK), 1)
    yield head
    yield "["
    for i, rows in enumerate((audit.get("document_segments") or {}).get("rows", [])):
        yield ("," if i else "") + (_script_safe(rows) if rows is not None else "null")
    yield "]"
    yield tail


def _page(audit: dict[str, Any], report_dir: Path | None) -> str:
    """The page with :data:`_ROWS_MARK` where the documents' segment arrays go."""
    css, js = _asset("report.css"), _asset("report.js")
    colors = lang_colors(audit)
    body = "\n".join([
        _header(audit),
        _nav(audit),
        "<main>",
        '<noscript><p class="note">The lists of this report are drawn by its script; '
        "without it, audit.json holds them and <code>corpus audit OUT</code> prints "
        "them.</p></noscript>",
        _docview(),
        _languages(audit, colors),
        _foreign(audit),
        _documents(audit),
        _lowconf(audit),
        _confidence(audit, colors),
        _translation(audit),
        _dropped(audit),
        "</main>",
        _data_block(audit, colors, report_dir),
    ])
    values = {
        "TITLE": esc("Language audit: " + (", ".join(audit["corpus"]["paths"]) or "corpus")),
        "GENERATOR": esc(f"corpus {audit['tool']['version']} ({audit['schema']})"),
        "CSS": css,
        "JS": js,
        "STYLE_HASH": _csp_hash(css),
        "SCRIPT_HASH": _csp_hash(js),
        "BODY": body,
    }
    # One pass over the template only: text inside BODY is never scanned for markers.
    return re.sub(r"__([A-Z_]+)__", lambda m: values[m.group(1)], _asset("report.html"))


def json_for_script(data: Any) -> str:
    """JSON that cannot end its ``<script type="application/json">`` block: ``<``, ``>``
    and ``&`` are written as ``\\u`` escapes (JSON.parse reads them back as the same
    characters), so a scraped ``</script><script>…`` stays a string."""
    return _script_safe(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def _script_safe(text: str) -> str:
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def file_href(source: str, report_dir: Path | None) -> str | None:
    """A link from the report to an input file, relative to where the report lies (from
    the paths as the command line gave them, so the same command gives the same page),
    percent-encoded; ``None`` for stdin and for sources that are not paths."""
    if not source or source in ("-", "<stdin>") or source.startswith("<"):
        return None
    path = Path(source)
    base = report_dir if report_dir is not None else Path()
    if path.is_absolute() != base.is_absolute():
        # a relative input was relative to the directory the command ran in
        path, base = path.absolute(), base.absolute()
    rel = os.path.relpath(path, base)
    return quote(Path(rel).as_posix())


def safe_url(url: Any) -> str | None:
    """*url* when it is an http(s) address (a record's ``url`` field is scraped data: a
    ``javascript:`` link must never become a link)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def _seg_row(r: dict[str, Any], doc_index: dict[str, int]) -> dict[str, Any]:
    return {
        "d": doc_index.get(r["doc_id"], -1), "i": r["index"], "w": where(r),
        "src": r["source"], "dl": r["doc_lang"], "l": r["lang"], "p": r["lang_prob"],
        "k": r["kind"], "s": 1 if r["kept"] else 0, "r": r.get("reason") or "",
        "t": r["excerpt"], "tr": r.get("translation", ""),
    }


def _data_block(audit: dict[str, Any], colors: dict[str, str], report_dir: Path | None) -> str:
    docs = audit["documents"]["rows"]
    doc_index = {row["id"]: i for i, row in enumerate(docs)}
    foreign, low = audit["foreign"], audit["low_confidence"]
    links: dict[str, str] = {}
    doc_rows = []
    for row in docs:
        href = links.get(row["source"])
        if href is None:
            href = links[row["source"]] = file_href(row["source"], report_dir) or ""
        doc_rows.append({
            "id": row["id"], "w": where(row), "src": row["source"], "href": href,
            "url": safe_url(row.get("url")) or "", "rid": row.get("record_id", ""),
            "title": row.get("title", ""), "st": row["status"], "l": row["lang"],
            "sk": row["segments"]["kept"], "sd": row["segments"]["dropped"],
            "n": row["sentences"], "c": row["characters"]["kept"],
            "f": row.get("foreign_kept", row["foreign"]), "fa": row["foreign"],
            "lc": row["low_confidence"],
            "mix": [[lang, v["characters"]] for lang, v in row["languages"].items()],
        })
    segments = audit.get("document_segments") or {}
    data = {
        "colors": colors,
        "max_rows": audit["settings"]["max_rows"],
        "foreign": {
            "kept": [_seg_row(r, doc_index) for r in foreign["rows"]],
            "kept_more": foreign["more"],
            "dropped": [_seg_row(r, doc_index) for r in foreign.get("dropped_rows", [])],
            "dropped_more": foreign.get("dropped_more", 0),
        },
        "low": {"rows": [_seg_row(r, doc_index) for r in low["rows"]], "more": low["more"]},
        "docs": {"rows": doc_rows, "more": audit["documents"]["more"]},
        "segments": {"rows": _ROWS_MARK, "budget": segments.get("budget", 0),
                     "unlisted": segments.get("unlisted", 0)},
    }
    # the documents' segment arrays are JSON text already (AuditStats keeps them so):
    # iter_html writes them in place of the mark, never decoded into objects again
    return ('<script type="application/json" id="audit-data">' + json_for_script(data)
            + "</script>")


_ROWS_MARK = "@@document-segment-rows@@"


def _nav(audit: dict[str, Any]) -> str:
    foreign = audit["foreign"]
    items = [("languages", "Languages"), ("foreign", f"Foreign kept ({_num(foreign['kept'])})"),
             ("documents", f"Documents ({_num(audit['totals']['documents']['total'])})"),
             ("lowconf", "Low confidence"), ("confidence", "Confidence"),
             ("translation", "Translation"), ("dropped", "Dropped")]
    return ('<nav class="toc">' + "".join(f'<a href="#{k}">{esc(v)}</a>' for k, v in items)
            + "</nav>")


def _docview() -> str:
    return ('<section id="docview" hidden><h2>Document <span id="docview-title"></span></h2>'
            '<div id="docview-meta" class="meta"></div>'
            '<div class="tools"><label><input type="checkbox" id="docview-kept"> kept '
            'segments only</label><span id="docview-count" class="note"></span>'
            '<a href="#documents" class="close">close ×</a></div>'
            '<div id="docview-body"></div></section>')


def lang_colors(audit: dict[str, Any]) -> dict[str, str]:
    """A stable colour per language: by rank in the corpus; und grey; the tail shares one."""
    colors: dict[str, str] = {}
    rank = 0
    for row in audit["languages"]:
        lang = row["lang"]
        if lang == "und":
            colors[lang] = UND_COLOR
        elif rank < len(PALETTE):
            colors[lang] = PALETTE[rank]
            rank += 1
        else:
            colors[lang] = OTHER_COLOR
    return colors


def _num(n: Any) -> str:
    return "–" if n is None else f"{n:,}"


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.1f}%"


def _header(audit: dict[str, Any]) -> str:
    totals, corpus = audit["totals"], audit["corpus"]
    docs, segs = totals["documents"], totals["segments"]
    foreign = audit["foreign"]
    low = audit["low_confidence"]["low"]
    mode = "raw inputs (run up to detection, nothing written)" if corpus["mode"] == "inputs" \
        else "build output"
    active = {k: v for k, v in audit["filters"].items() if v not in ([], False, None)}
    lines = [
        "<header>",
        "<h1>Language audit</h1>",
        f'<p dir="auto">{esc(", ".join(corpus["paths"]) or "corpus")} · {esc(mode)}</p>',
    ]
    manifest = corpus.get("manifest")
    if manifest:
        lines.append(
            f"<p>corpus {esc(manifest.get('version') or '?')} · pipeline "
            f"{esc(manifest.get('pipeline') or '?')} · target {esc(corpus.get('target') or '–')}"
            "</p>"
        )
    if active:
        lines.append("<p>Filters: " + esc(", ".join(f"{k}={v}" for k, v in active.items()))
                     + "</p>")
    cards = [
        (_num(docs["total"]), f"documents · {_num(docs['kept'])} kept"),
        (_num(segs["total"]), f"segments · {_num(segs['kept'])} kept"),
        (_num(totals["sentences"]), "sentences"),
        (_num(totals["characters"]["kept"]), "characters kept"),
        (_num(totals["languages"]), "languages kept"),
        (_num(foreign["kept"]), f"foreign segments kept · {_num(foreign['dropped'])} dropped"),
        (_num(low["kept"]), "low-confidence kept"),
    ]
    lines.append('<div class="cards">' + "".join(
        f"<div class=\"card\"><b>{esc(big)}</b><span>{esc(small)}</span></div>"
        for big, small in cards) + "</div>")
    lines.append("</header>")
    return "\n".join(lines)


def _swatch(color: str) -> str:
    return (f'<svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" '
            f'rx="2" fill="{esc(color)}"/></svg>')


def _legend(langs: list[str], colors: dict[str, str]) -> str:
    return '<div class="legend">' + "".join(
        f"<span>{_swatch(colors.get(lang, OTHER_COLOR))}{esc(lang)}</span>" for lang in langs
    ) + "</div>"


def _languages(audit: dict[str, Any], colors: dict[str, str]) -> str:
    rows = audit["languages"]
    parts = ['<section id="languages"><h2>Languages kept</h2>']
    if not rows:
        only = audit.get("languages_only_dropped") or []
        note = (f" Only in dropped lines: {esc(', '.join(r['lang'] for r in only))}."
                if only else "")
        return parts[0] + f'<p class="note">No kept segments.{note}</p></section>'
    parts.append('<div class="grid chart-table"><div>')
    parts.append(_language_chart(rows, colors))
    parts.append('<p class="note">Characters of kept segments per language; the pale part of '
                 "each bar is what was dropped.</p></div><div class=\"wide\">")
    parts.append('<table class="sortable compact" id="langs-table"><thead><tr><th>lang</th>'
                 '<th class="n" title="kept documents in this main language">docs</th>'
                 '<th class="n">segments<br><small>kept / dropped</small></th>'
                 '<th class="n">sentences</th>'
                 '<th class="n">characters<br><small>kept / dropped</small></th>'
                 '<th class="n">words<br><small>kept / dropped</small></th>'
                 '<th class="n">share</th></tr></thead><tbody>')
    for row in rows:
        color = colors.get(row["lang"], OTHER_COLOR)
        parts.append(
            f"<tr><td class=\"lang\">{_swatch(color)}{esc(row['lang'])}</td>"
            + _num_cell(row["documents"]) + _pair_cell(row["segments"])
            + _num_cell(row["sentences"]) + _pair_cell(row["characters"])
            + _pair_cell(row["words"])
            + f'<td class="n" data-sort="{row["share"]}">{_pct(row["share"])}</td></tr>'
        )
    parts.append("</tbody></table>")
    only = audit.get("languages_only_dropped") or []
    if only:
        listed = ", ".join(f"{r['lang']} {_num(r['segments']['dropped'])}" for r in only)
        parts.append(f'<p class="note" id="only-dropped"><b>Only in dropped lines</b> '
                     f"({len(only)} languages, nothing kept; segments): {esc(listed)}</p>")
    parts.append("</div></div></section>")
    return "\n".join(parts)


def _num_cell(n: int) -> str:
    return f'<td class="n" data-sort="{n}">{_num(n)}</td>'


def _pair_cell(pair: dict[str, int]) -> str:
    """``kept / dropped`` in one cell, sorted by kept."""
    return (f'<td class="n" data-sort="{pair["kept"]}">{_num(pair["kept"])} '
            f'<small>/ {_num(pair["dropped"])}</small></td>')


def _language_chart(rows: list[dict[str, Any]], colors: dict[str, str]) -> str:
    shown = rows[:MAX_CHART_LANGS]
    rest = rows[MAX_CHART_LANGS:]
    bars = [(r["lang"], r["characters"]["kept"], r["characters"]["dropped"], r["share"],
             colors.get(r["lang"], OTHER_COLOR)) for r in shown]
    if rest:
        bars.append((f"+{len(rest)} more", sum(r["characters"]["kept"] for r in rest),
                     sum(r["characters"]["dropped"] for r in rest),
                     sum(r["share"] for r in rest), OTHER_COLOR))
    top = max((k + d for _, k, d, _, _ in bars), default=1) or 1
    width, label_w, value_w, bar_h, gap = 560, 70, 150, 18, 6
    plot_w = width - label_w - value_w
    height = len(bars) * (bar_h + gap) + 10
    out = [f'<svg id="chart-languages" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="Characters per language">']
    for i, (lang, kept, dropped, share, color) in enumerate(bars):
        y = 5 + i * (bar_h + gap)
        kw = plot_w * kept / top
        dw = plot_w * dropped / top
        out.append(f'<text x="{label_w - 8}" y="{y + 13}" text-anchor="end">{esc(lang)}</text>')
        out.append(f'<rect x="{label_w}" y="{y}" width="{kw:.1f}" height="{bar_h}" '
                   f'fill="{esc(color)}"><title>{esc(lang)}: {_num(kept)} characters kept'
                   "</title></rect>")
        if dw >= 0.5:
            out.append(f'<rect x="{label_w + kw:.1f}" y="{y}" width="{dw:.1f}" height="{bar_h}" '
                       f'fill="{esc(color)}" fill-opacity="0.3"><title>{esc(lang)}: '
                       f"{_num(dropped)} characters dropped</title></rect>")
        out.append(f'<text x="{label_w + kw + dw + 6:.1f}" y="{y + 13}" class="muted">'
                   f"{_num(kept)} · {_pct(share)}</text>")
    out.append("</svg>")
    return "".join(out)


def _confidence(audit: dict[str, Any], colors: dict[str, str]) -> str:
    by_lang = audit["confidence"]["by_lang"]
    order = [r["lang"] for r in audit["languages"] if r["lang"] in by_lang][:MAX_HISTOGRAMS]
    parts = ['<section id="confidence"><h2>Detection confidence per language</h2>']
    if not order:
        return parts[0] + '<p class="note">No kept segments.</p></section>'
    cols = 4
    cell_w, cell_h, pad = 240, 130, 12
    rows = (len(order) + cols - 1) // cols
    width, height = cols * cell_w, rows * cell_h
    out = [f'<svg id="chart-confidence" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="Confidence histogram per language">']
    for i, lang in enumerate(order):
        counts = by_lang[lang]
        ox, oy = (i % cols) * cell_w, (i // cols) * cell_h
        top = max(counts) or 1
        plot_w, plot_h = cell_w - 2 * pad - 10, cell_h - 48
        bw = plot_w / len(counts)
        base = oy + 22 + plot_h
        out.append(f'<text x="{ox + pad}" y="{oy + 14}"><tspan font-weight="600">{esc(lang)}'
                   f'</tspan><tspan class="muted"> · {_num(sum(counts))} kept segments</tspan>'
                   "</text>")
        for b, n in enumerate(counts):
            h = plot_h * n / top
            lo, hi = b / len(counts), (b + 1) / len(counts)
            out.append(f'<rect x="{ox + pad + b * bw + 1:.1f}" y="{base - h:.1f}" '
                       f'width="{bw - 2:.1f}" height="{h:.1f}" '
                       f'fill="{esc(colors.get(lang, OTHER_COLOR))}"><title>{esc(lang)} '
                       f"p {lo:.1f}–{hi:.1f}: {_num(n)} segments</title></rect>")
        out.append(f'<line x1="{ox + pad}" y1="{base}" x2="{ox + pad + plot_w:.1f}" '
                   f'y2="{base}" class="axis" stroke="#d9dee5"/>')
        out.append(f'<text x="{ox + pad}" y="{base + 14}" class="muted">0</text>')
        out.append(f'<text x="{ox + pad + plot_w / 2:.1f}" y="{base + 14}" class="muted" '
                   f'text-anchor="middle">0.5</text>')
        out.append(f'<text x="{ox + pad + plot_w:.1f}" y="{base + 14}" class="muted" '
                   f'text-anchor="end">1</text>')
    out.append("</svg>")
    note = ('<p class="note">Kept segments by detection probability, in bins of 0.1'
            + (f"; the {len(order)} largest languages of {len(by_lang)}"
               if len(by_lang) > len(order) else "") + ".</p>")
    return "\n".join([parts[0], "".join(out), note, "</section>"])


def _counts_table(title: str, counts: dict[str, int]) -> str:
    if not counts:
        return f'<h3>{esc(title)}</h3><p class="note">None.</p>'
    rows = "".join(f'<tr><td>{esc(k)}</td><td class="n" data-sort="{v}">{_num(v)}</td></tr>'
                   for k, v in counts.items())
    return (f'<h3>{esc(title)}</h3><table class="sortable"><thead><tr><th>reason</th>'
            f'<th class="n">count</th></tr></thead><tbody>{rows}</tbody></table>')


def _dropped(audit: dict[str, Any]) -> str:
    dropped, dup = audit["dropped"], audit["duplicates"]
    sents = dup["sentences"]
    low = audit["low_confidence"]
    dup_rows = "".join(
        f'<tr><td class="src" dir="auto">{esc(where(r))}</td><td class="src">{esc(r["doc_id"])}'
        f'</td><td class="src">{esc(r.get("duplicate_of") or "")}</td></tr>'
        for r in dup["rows"][:50]
    )
    dup_table = (
        '<table class="sortable"><thead><tr><th>source</th><th>document</th>'
        f"<th>duplicate of</th></tr></thead><tbody>{dup_rows}</tbody></table>"
        if dup_rows else ""
    )
    return "\n".join([
        '<section id="dropped"><h2>Dropped, undetermined, duplicates</h2><div class="grid"><div>',
        _counts_table("Segments dropped, by reason", dropped["segments_by_reason"]),
        _counts_table("Documents dropped, by reason", dropped["documents_by_reason"]),
        "</div><div>",
        "<h3>Undetermined and low confidence</h3>",
        f'<p>und: {_num(low["und"]["kept"])} kept, {_num(low["und"]["dropped"])} dropped · '
        f'p &lt; {low["threshold"]:.2f} (und included): {_num(low["low"]["kept"])} kept, '
        f'{_num(low["low"]["dropped"])} dropped</p>',
        "<h3>Duplicates</h3>",
        f"<p>{_num(dup['documents'])} documents dropped as duplicates · "
        f"{_num(sents['repeated'])} of {_num(sents['total'])} kept sentences repeat an earlier "
        f"one{'' if sents['complete'] else ' (at least)'}</p>",
        dup_table,
        "</div></div></section>",
    ])


def _translation(audit: dict[str, Any]) -> str:
    pairs = audit["translation"]["pairs"]
    if not pairs:
        return ""
    rows = "".join(
        f"<tr><td>{esc(p['pair'])}</td>"
        + "".join(f'<td class="n" data-sort="{p.get(k) or 0}">{_num(p.get(k))}</td>'
                  for k in ("translated", "cached", "new", "pending", "untranslated", "flagged"))
        + f'<td class="n" data-sort="{p["coverage"] or 0}">{_pct(p["coverage"])}</td>'
        + f"<td>{esc(flag_reasons(p.get('flags') or {}))}</td></tr>"
        for p in pairs
    )
    target = audit["translation"]["target"]
    return (
        '<section id="translation"><h2>Translation coverage'
        + (f" (target {esc(target)})" if target else "") + "</h2>"
        '<table class="sortable"><thead><tr><th>pair</th><th class="n">translated</th>'
        '<th class="n">from cache</th><th class="n">new</th><th class="n">pending</th>'
        '<th class="n">untranslated</th><th class="n">flagged</th><th class="n">coverage</th>'
        "<th>why flagged</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        '<p class="note">pending: no model installed for the pair yet (corpus models install, '
        "then corpus translate OUT). flagged: the translation failed a check; it stays in "
        "sentences.jsonl with translation.flags and is left out of parallel/ (unless "
        "[output] parallel_flagged = true).</p></section>"
    )


def _list_section(ident: str, title: str, note: str, tools: str = "") -> str:
    """A list drawn by the script from the data block: filter box, pager, table."""
    return (f'<section id="{ident}"><h2>{title}</h2><p class="note">{note}</p>'
            f'<div class="tools"><input type="search" data-list="{ident}" '
            f'placeholder="Filter (text, file, language, kind…)" aria-label="Filter {ident}">'
            f'{tools}<span class="count" id="{ident}-count"></span></div>'
            f'<div class="list" id="{ident}-list"></div>'
            f'<div class="pager" id="{ident}-pager"></div></section>')


def _capped(n_more: int, what: str) -> str:
    return (f" <b>Capped:</b> {_num(n_more)} more {what} are counted but not listed "
            "(raise --max-rows, or use --format csv for every segment)." if n_more else "")


def _foreign(audit: dict[str, Any]) -> str:
    f = audit["foreign"]
    pairs = ", ".join(f"{k} {_num(v)}" for k, v in list(f["by_pair"].items())[:12])
    note = (f"Kept segments in a language other than their document's main language: "
            f"they are in the corpus. {_num(f['kept'])} kept"
            + (f" ({esc(pairs)}; document &gt; segment)" if pairs else "")
            + f"; {_num(f['dropped'])} more are in dropped lines (navigation, banners, "
            "boilerplate), behind the toggle. Click a place to see it in its document."
            + _capped(f["more"], "kept foreign segments")
            + _capped(f.get("dropped_more", 0), "dropped foreign segments"))
    toggle = (f'<label><input type="checkbox" id="foreign-dropped"> show the '
              f"{_num(f['dropped'])} dropped instead</label>" if f["dropped"] else "")
    return _list_section("foreign", f'Foreign segments kept <span class="tag">'
                         f"{_num(f['kept'])}</span>", note, toggle)


def _lowconf(audit: dict[str, Any]) -> str:
    low = audit["low_confidence"]
    note = (f"Kept segments detected as und or with probability below "
            f"{low['threshold']:.2f}." + _capped(low["more"], "low-confidence segments"))
    return _list_section("lowconf", f'Low-confidence kept segments <span class="tag">'
                         f"{_num(len(low['rows']) + low['more'])}</span>", note)


def _documents(audit: dict[str, Any]) -> str:
    block = audit["documents"]
    total = len(block["rows"]) + block["more"]
    segs = audit.get("document_segments") or {}
    unlisted = segs.get("unlisted", 0)
    note = ("Every document, a page of rows at a time; click one to see its segments in "
            "order (kept and dropped, with kind, reason, language, confidence, "
            "translation and flags). The bar is the language mix of its kept characters."
            + _capped(block["more"], "documents")
            + (f" <b>Capped:</b> the document view holds the first "
               f"{_num(segs.get('listed', 0))} segments; {_num(unlisted)} segments of later "
               "documents are not in this file (corpus audit OUT --doc ID lists them)."
               if unlisted else ""))
    return _list_section("documents", f'Documents <span class="tag">{_num(total)}</span>', note)
