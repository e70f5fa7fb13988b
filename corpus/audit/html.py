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
import re
from importlib import resources
from typing import Any

from corpus.audit.table import flag_reasons, where

PALETTE = (
    "#2f6db5", "#e07b39", "#3a9e5c", "#c8443f", "#8a63b8", "#8c6d4f",
    "#d477b0", "#6f7f8f", "#b5a22f", "#2aa3b5", "#5a4fcf", "#9c9c3a",
)
UND_COLOR = "#b9c0c9"
OTHER_COLOR = "#dde1e6"
MAX_CHART_LANGS = 12
MAX_CHART_DOCS = 40
MAX_HISTOGRAMS = 8


def esc(value: Any) -> str:
    """Text for HTML content or a quoted attribute: &, <, >, " and ' escaped."""
    return html.escape(str(value), quote=True)


def _asset(name: str) -> str:
    return (resources.files("corpus.audit") / name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def render_html(audit: dict[str, Any]) -> str:
    css, js = _asset("report.css"), _asset("report.js")
    colors = lang_colors(audit)
    body = "\n".join([
        _header(audit),
        "<main>",
        _languages(audit, colors),
        _documents_chart(audit, colors),
        _segment_table(
            "foreign", "Foreign segments",
            "Segments in a language other than their document's main language "
            "(kept and dropped).",
            audit["foreign"], colors,
        ),
        _confidence(audit, colors),
        _segment_table(
            "lowconf", "Low-confidence segments",
            f"Kept segments detected as und or with probability below "
            f"{audit['low_confidence']['threshold']:.2f}.",
            audit["low_confidence"], colors,
        ),
        _translation(audit),
        _dropped(audit),
        _documents_table(audit, colors),
        "</main>",
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
        (_num(totals["languages"]), "languages"),
        (_num(foreign["kept"] + foreign["dropped"]), "foreign segments"),
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
    parts = ['<section id="languages"><h2>Language distribution</h2>']
    if not rows:
        return parts[0] + '<p class="note">No segments.</p></section>'
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
    parts.append("</tbody></table></div></div></section>")
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


def _doc_label(row: dict[str, Any]) -> str:
    name = row["source"].rstrip("/").rsplit("/", 1)[-1] or row["source"]
    if row.get("record") is not None:
        name += f"#{row['record']}"
    return name if len(name) <= 34 else "…" + name[-33:]


def _documents_chart(audit: dict[str, Any], colors: dict[str, str]) -> str:
    docs = audit["documents"]["rows"][:MAX_CHART_DOCS]
    parts = ['<section id="mix"><h2>Language mix per document</h2>']
    if not docs:
        return parts[0] + '<p class="note">No documents.</p></section>'
    width, label_w, bar_h, gap = 1000, 250, 14, 5
    plot_w = width - label_w - 10
    height = len(docs) * (bar_h + gap) + 8
    out = [f'<svg id="chart-documents" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="Language mix per document">']
    used: list[str] = []
    for i, row in enumerate(docs):
        y = 4 + i * (bar_h + gap)
        out.append(f'<text x="{label_w - 8}" y="{y + 11}" text-anchor="end">'
                   f"<title>{esc(row['source'])}</title>{esc(_doc_label(row))}</text>")
        total = sum(v["characters"] for v in row["languages"].values())
        if not total:
            out.append(f'<text x="{label_w}" y="{y + 11}" class="muted">'
                       f"{esc(row['status'])}</text>")
            continue
        x = float(label_w)
        for lang, v in row["languages"].items():
            w = plot_w * v["characters"] / total
            if lang not in used:
                used.append(lang)
            out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                       f'fill="{esc(colors.get(lang, OTHER_COLOR))}"><title>{esc(lang)}: '
                       f"{_num(v['segments'])} segments, {_num(v['characters'])} characters "
                       f"({v['characters'] * 100 / total:.1f}%)</title></rect>")
            x += w
    out.append("</svg>")
    more = len(audit["documents"]["rows"]) - len(docs) + audit["documents"]["more"]
    note = ('<p class="note">Share of kept characters per language; hover a bar for counts.'
            + (f" First {len(docs)} documents; {_num(more)} more in the table and JSON."
               if more else "") + "</p>")
    order = [r["lang"] for r in audit["languages"] if r["lang"] in used]
    return "\n".join([parts[0], _legend(order, colors), "".join(out), note, "</section>"])


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


def _segment_table(
    ident: str, title: str, note: str, block: dict[str, Any], colors: dict[str, str]
) -> str:
    rows = block["rows"]
    total = len(rows) + block["more"]
    head = [f'<section id="{ident}"><h2>{esc(title)} <span class="tag">{_num(total)}</span></h2>',
            f'<p class="note">{esc(note)}'
            + (f" Showing the first {_num(len(rows))}; {_num(block['more'])} more are counted "
               "but not listed (use --format csv for every segment)." if block["more"] else "")
            + "</p>"]
    if not rows:
        return "\n".join([*head, "</section>"])
    head.append(
        f'<div class="tools"><input type="search" data-filter="{ident}-table" '
        f'placeholder="Filter rows (text, file, language…)" aria-label="Filter {esc(title)}">'
        f'<label><input type="checkbox" data-kept="{ident}-table"> kept only</label>'
        f'<span id="{ident}-table-count" class="note"></span></div>'
    )
    body = []
    for r in rows:
        state = "kept" if r["kept"] else f"dropped: {r['reason'] or '?'}"
        body.append(
            f'<tr class="{"kept" if r["kept"] else "dropped"}">'
            f'<td class="src" dir="auto" data-sort="{esc(r["source"])}\t{r["line"]:09d}">'
            f"{esc(where(r))}</td>"
            f"<td>{esc(r['doc_lang'])}</td>"
            f"<td class=\"lang\">{_swatch(colors.get(r['lang'], OTHER_COLOR))}{esc(r['lang'])}</td>"
            f'<td class="n" data-sort="{r["lang_prob"]}">{r["lang_prob"]:.2f}</td>'
            f"<td>{esc(state)}</td>"
            f'<td class="text" dir="auto">{esc(r["excerpt"])}</td></tr>'
        )
    table = (
        f'<div class="scroll"><table class="sortable" id="{ident}-table"><thead><tr>'
        '<th>file:line</th><th>doc lang</th><th>lang</th><th class="n">p</th><th>status</th>'
        f'<th>text</th></tr></thead><tbody>{"".join(body)}</tbody></table></div>'
    )
    return "\n".join([*head, table, "</section>"])


def _documents_table(audit: dict[str, Any], colors: dict[str, str]) -> str:
    block = audit["documents"]
    rows = block["rows"]
    parts = [f'<section id="documents"><h2>Documents <span class="tag">'
             f"{_num(len(rows) + block['more'])}</span></h2>"]
    if block["more"]:
        parts.append(f'<p class="note">Showing the first {_num(len(rows))}; '
                     f"{_num(block['more'])} more are counted in the totals.</p>")
    if not rows:
        return parts[0] + "</section>"
    parts.append('<div class="tools"><input type="search" data-filter="documents-table" '
                 'placeholder="Filter documents" aria-label="Filter documents">'
                 '<span id="documents-table-count" class="note"></span></div>')
    body = []
    for r in rows:
        mix = " ".join(
            f"{_swatch(colors.get(lang, OTHER_COLOR))}{esc(lang)} {_num(v['segments'])}"
            for lang, v in r["languages"].items()
        )
        body.append(
            f'<tr class="{"kept" if r["status"] == "kept" else "dropped"}">'
            f'<td class="src" dir="auto">{esc(where(r))}</td>'
            f'<td class="text" dir="auto">{esc(r.get("title", ""))}</td>'
            f"<td>{esc(r['status'])}</td><td>{esc(r['lang'])}</td>"
            + "".join(f'<td class="n" data-sort="{v}">{_num(v)}</td>'
                      for v in (r["segments"]["kept"], r["segments"]["dropped"], r["sentences"],
                                r["characters"]["kept"], r["foreign"], r["low_confidence"]))
            + f"<td>{mix}</td></tr>"
        )
    parts.append(
        '<div class="scroll"><table class="sortable" id="documents-table"><thead><tr>'
        "<th>source</th><th>title</th><th>status</th><th>lang</th>"
        '<th class="n">segments kept</th><th class="n">dropped</th><th class="n">sentences</th>'
        '<th class="n">characters</th><th class="n">foreign</th><th class="n">low conf.</th>'
        f'<th>segments per language</th></tr></thead><tbody>{"".join(body)}</tbody></table></div>'
    )
    parts.append("</section>")
    return "\n".join(parts)

