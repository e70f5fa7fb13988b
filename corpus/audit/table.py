"""``corpus audit`` on a terminal: plain text that reads at 80 columns.

Widths are measured in terminal cells (CJK characters take two, combining marks none),
so a Chinese or Russian excerpt never pushes a column out of line.
"""

from __future__ import annotations

import textwrap
import unicodedata
from typing import Any

from corpus.records import TRANSLATION_FLAGS


def cells(text: str) -> int:
    """Terminal cells *text* occupies."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Cf", "Mn", "Me"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def fit(text: str, width: int, *, left: bool = False) -> str:
    """*text* cut to *width* cells with an ellipsis (at the start when *left*), then padded."""
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    if cells(text) > width:
        if left:
            out, used = "", 1
            for ch in reversed(text):
                if used + cells(ch) > width:
                    break
                out, used = ch + out, used + cells(ch)
            text = "…" + out
        else:
            out, used = "", 1
            for ch in text:
                if used + cells(ch) > width:
                    break
                out, used = out + ch, used + cells(ch)
            text = out + "…"
    return text + " " * (width - cells(text))


def rfit(text: str, width: int) -> str:
    return " " * max(width - cells(text), 0) + text


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """Prose lines folded at *width*, continuation lines indented two more spaces."""
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "  ",
                         break_on_hyphens=False) or [indent]


def num(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"


def where(row: dict[str, Any]) -> str:
    """Where a segment (or document) is in its input: ``file:line`` with the line of the
    file itself (for an HTML page the line of its source, not of the extracted text);
    a JSONL record adds its own id (or URL) to the record's line: ``docs.jsonl:17 id=a1``."""
    place = row.get("source", "")
    line = row.get("source_line", row.get("line"))
    if row.get("record") is not None:
        place += f":{row['record']}"
    elif line is not None:
        place += f":{line}"
    if row.get("record_id"):
        place += f" id={row['record_id']}"
    elif row.get("url") and row.get("record") is not None:
        place += f" {row['url']}"
    return place


def render_table(audit: dict[str, Any], *, limit: int = 20, width: int = 80) -> str:
    width = max(width, 60)
    out: list[str] = []
    totals = audit["totals"]
    docs = totals["documents"]
    corpus = audit["corpus"]
    out += wrap(f"corpus audit: {', '.join(corpus['paths']) or '-'}"
                + ("  (raw inputs, nothing written)" if corpus["mode"] == "inputs" else ""), width)
    segs = totals["segments"]
    out += wrap(
        f"{num(totals['inputs'])} inputs, {num(docs['total'])} documents "
        f"({num(docs['kept'])} kept, {num(docs['dropped'])} dropped, {num(docs['error'])} errors), "
        f"{num(segs['total'])} segments ({num(segs['kept'])} kept), "
        f"{num(totals['sentences'])} sentences", width
    )
    active = {k: v for k, v in audit["filters"].items() if v not in ([], False, None)}
    if active:
        out += wrap("filters: " + ", ".join(
            f"{k}={','.join(map(str, v)) if isinstance(v, list) else v}" for k, v in active.items()
        ), width)
    out += _languages(audit, width)
    out += _dropped(audit, width)
    out += _foreign(audit, limit, width)
    low = audit["low_confidence"]
    out += _segments(
        f"Low-confidence kept segments (und, or p < {low['threshold']:.2f})", low,
        f"und {num(low['und']['kept'])} kept / {num(low['und']['dropped'])} dropped; "
        f"p < {low['threshold']:.2f} {num(low['low']['kept'])} kept / "
        f"{num(low['low']['dropped'])} dropped", limit, width,
    )
    out += _translation(audit, width)
    out += _duplicates(audit, width)
    out += _documents(audit, limit, width)
    return "\n".join(line.rstrip() for line in out) + "\n"


def _foreign(audit: dict[str, Any], limit: int, width: int) -> list[str]:
    """Kept foreign segments first: those are in the corpus. Dropped ones (menus, cookie
    banners detected as Slovak or Indonesian) are counted, and listed only when asked
    (``--foreign --all``)."""
    block = audit["foreign"]
    filters = audit["filters"]
    listing_dropped = filters.get("foreign") and not filters.get("kept_only")
    lines = _segments(
        "Foreign segments kept (language is not the document's)", block,
        f"{num(block['kept'])} kept" + (f", {num(block['dropped'])} dropped"
                                        if block["dropped"] else ""), limit, width,
        foreign=True,
    )
    if not block["dropped"]:
        return lines
    if listing_dropped:
        dropped = {"rows": block.get("dropped_rows", []), "more": block.get("dropped_more", 0),
                   "by_pair": block.get("by_pair_dropped", {})}
        return lines + _segments("Foreign segments dropped", dropped,
                                 f"{num(block['dropped'])} dropped", limit, width, foreign=True)
    return lines + wrap(f"+ {num(block['dropped'])} foreign segments in dropped lines "
                        "(navigation, boilerplate…): corpus audit … --foreign --all lists them",
                        width, "  ")


def _languages(audit: dict[str, Any], width: int) -> list[str]:
    langs = audit["languages"]
    only = audit.get("languages_only_dropped") or []
    lines = ["", "Languages (kept / dropped)"]
    if not langs:
        lines.append("  (no kept segments)")
        if only:
            lines += wrap(_only_dropped(only), width, "  ")
        return lines
    head = (fit("lang", 5) + rfit("docs", 6) + rfit("segments", 18) + rfit("sentences", 10)
            + rfit("characters", 22) + rfit("share", 8))
    lines.append(head)
    for row in langs:
        seg, ch = row["segments"], row["characters"]
        lines.append(
            fit(row["lang"], 5) + rfit(num(row["documents"]), 6)
            + rfit(f"{num(seg['kept'])} / {num(seg['dropped'])}", 18)
            + rfit(num(row["sentences"]), 10)
            + rfit(f"{num(ch['kept'])} / {num(ch['dropped'])}", 22)
            + rfit(f"{row['share'] * 100:.1f}%", 8)
        )
    if only:
        lines += wrap(_only_dropped(only), width, "  ")
    words = audit["totals"]["words"]
    lines += wrap(f"words: {num(words['kept'])} kept, {num(words['dropped'])} dropped "
                  "(per language in --format json)", width, "  ")
    return lines


def _only_dropped(rows: list[dict[str, Any]]) -> str:
    """Languages with nothing kept, on one line: what detection made of page furniture."""
    return (f"only in dropped lines ({len(rows)}): "
            + ", ".join(f"{r['lang']}\u00a0{num(r['segments']['dropped'])}" for r in rows))


def _counts(label: str, counts: dict[str, int]) -> str:
    """``label: a 3, b 2``; no-break spaces keep each name with its number when wrapped."""
    return f"{label}: " + (", ".join(f"{k}\u00a0{num(v)}" for k, v in counts.items()) or "none")


def short_where(row: dict[str, Any], width: int) -> str:
    """``where`` without the folders when the full path does not fit."""
    full = where(row)
    if cells(full) <= width:
        return full
    return where({**row, "source": row.get("source", "").rsplit("/", 1)[-1]})


def _dropped(audit: dict[str, Any], width: int) -> list[str]:
    dropped = audit["dropped"]
    return [
        "",
        "Dropped",
        *wrap(_counts("segments by reason", dropped["segments_by_reason"]), width, "  "),
        *wrap(_counts("documents by reason", dropped["documents_by_reason"]), width, "  "),
    ]


def _segments(
    title: str, block: dict[str, Any], summary: str, limit: int, width: int, *,
    foreign: bool = False,
) -> list[str]:
    lines = ["", title, *wrap(summary, width, "  ")]
    if foreign and block["by_pair"]:
        pairs = dict(list(block["by_pair"].items())[:8])
        lines += wrap(_counts("document>segment", pairs), width, "  ")
    rows = block["rows"][:limit]
    if not rows:
        return lines
    place_w = min(max(max(cells(short_where(r, 30)) for r in rows), 9), 30)
    text_w = width - 2 - place_w - 1 - 5 - 5 - 1
    lines.append("  " + fit("where", place_w) + " " + fit("lang", 5) + rfit("p", 4) + "  "
                 + "text (× dropped)")
    for row in rows:
        text = row["excerpt"]
        if not row["kept"]:
            text = f"× {text}"
        lines.append(
            "  " + fit(short_where(row, place_w), place_w, left=True) + " " + fit(row["lang"], 5)
            + rfit(f"{row['lang_prob']:.2f}", 4) + "  " + fit(text, text_w)
        )
    more = len(block["rows"]) - len(rows) + block["more"]
    if more:
        lines.append(f"  … and {num(more)} more (use --limit, --format json/csv/html)")
    return lines


def _translation(audit: dict[str, Any], width: int) -> list[str]:
    pairs = audit["translation"]["pairs"]
    if not pairs:
        return []
    lines = ["", "Translation" + (f" (target {audit['translation']['target']})"
                                  if audit["translation"]["target"] else "")]
    lines.append("  " + fit("pair", 8) + rfit("translated", 11) + rfit("cached", 9)
                 + rfit("pending", 9) + rfit("untransl.", 10) + rfit("flagged", 9)
                 + rfit("coverage", 10))
    for row in pairs:
        cov = "-" if row["coverage"] is None else f"{row['coverage'] * 100:.1f}%"
        lines.append(
            "  " + fit(row["pair"], 8) + rfit(num(row["translated"]), 11)
            + rfit(num(row["cached"]), 9) + rfit(num(row["pending"]), 9)
            + rfit(num(row["untranslated"]), 10) + rfit(num(row.get("flagged", 0)), 9)
            + rfit(cov, 10)
        )
        if row.get("flags"):
            lines += wrap(f"flagged ({row['flagged']}): {flag_reasons(row['flags'])}", width,
                          "    ")
    return lines


def flag_reasons(flags: dict[str, int]) -> str:
    """``copy of the source 3, output not in the target language 3`` (most first)."""
    return ", ".join(f"{TRANSLATION_FLAGS.get(flag, flag)} {n}" for flag, n in flags.items())


def _duplicates(audit: dict[str, Any], width: int) -> list[str]:
    dup = audit["duplicates"]
    sents = dup["sentences"]
    return [
        "",
        *wrap(f"Duplicates: {num(dup['documents'])} documents dropped as duplicates; "
        f"{num(sents['repeated'])} of {num(sents['total'])} kept sentences repeat an "
        f"earlier one" + ("" if sents["complete"] else " (at least)"), width),
    ]


def _documents(audit: dict[str, Any], limit: int, width: int) -> list[str]:
    block = audit["documents"]
    rows = block["rows"][:limit]
    lines = ["", "Documents"]
    if not rows:
        return [*lines, "  (none)"]
    place_w = 28
    mix_w = width - 2 - place_w - 1 - 4 - 12 - 5 - 2
    lines.append("  " + fit("source", place_w) + " " + fit("lang", 4) + rfit("segs k/d", 12)
                 + rfit("frgn", 5) + "  " + fit("language mix (kept chars)", mix_w))
    for row in rows:
        kept_chars = row["characters"]["kept"] or 1
        mix = " ".join(
            f"{lang} {v['characters'] * 100 / kept_chars:.0f}%"
            for lang, v in list(row["languages"].items())[:5]
        )
        status = "" if row["status"] == "kept" else f"[{row['status'][:40]}] "
        segs = row["segments"]
        lines.append(
            "  " + fit(short_where(row, place_w), place_w, left=True) + " " + fit(row["lang"], 4)
            + rfit(f"{num(segs['kept'])}/{num(segs['dropped'])}", 12)
            + rfit(num(row["foreign"]), 5) + "  " + fit(status + mix, mix_w)
        )
    more = len(block["rows"]) - len(rows) + block["more"]
    if more:
        lines.append(f"  … and {num(more)} more documents")
    return lines
