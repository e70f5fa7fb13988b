"""``corpus audit --format csv``: one row per segment, streamed, for spreadsheets and pandas.

Unlike the other formats nothing is capped: every chosen segment is written, with its
full text (the csv module quotes commas, quotes and newlines).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

from corpus.audit.stats import Filters, count_words, is_foreign
from corpus.records import UND

COLUMNS = (
    "doc_id", "source", "record", "index", "line", "start", "end", "kind", "kept", "reason",
    "lang", "lang_prob", "script", "doc_lang", "foreign", "characters", "words", "text",
)


def write_segments(
    groups: Iterable[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]],
    out: IO[str],
    filters: Filters,
) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    written = 0
    for doc, segments, _ in groups:
        if not filters.doc_ok(doc):
            continue
        doc_lang = doc.get("lang") or UND
        src = doc["source"] if isinstance(doc.get("source"), dict) else {"path": doc.get("source")}
        for seg in segments:
            if not filters.segment_ok(seg, doc_lang):
                continue
            start, end = seg["span"]
            writer.writerow((
                doc["id"], src.get("path", ""), src.get("record", ""), seg["index"], seg["line"],
                start, end, seg.get("kind", ""), int(bool(seg["kept"])), seg.get("reason") or "",
                seg["lang"], seg["lang_prob"], seg.get("script", ""), doc_lang,
                int(is_foreign(seg, doc_lang)), len(seg["text"]), count_words(seg["text"]),
                seg["text"],
            ))
            written += 1
    return written
