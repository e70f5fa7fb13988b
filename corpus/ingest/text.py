"""Plain text → segments: one per non-empty line, hard-wrapped paragraphs joined.

Offsets are into the text exactly as decoded: lines are split on ``\\r\\n``, ``\\r`` and
``\\n`` without rewriting them, and a segment's span excludes its leading and trailing
whitespace. A paragraph hard-wrapped at a fixed width (e-texts, e-mail) is one segment
whose span covers all its lines (the line breaks stay inside; normalisation turns them
into spaces later), so sentence splitting sees whole sentences.
"""

from __future__ import annotations

import re

from corpus.records import Segment

_BREAK = re.compile(r"\r\n|\r|\n")
_LEADING_SPACE = re.compile(r"\s*")
# A line that ends a sentence (or introduces something) never continues into the next.
_ENDS_SENTENCE = re.compile(r"[.!?…。！？:;][\"'»”’)\]]*$")
# A line that starts a list item is a new segment even inside a paragraph.
_ITEM_START = re.compile(r"(?:[-*•·–—]|\d{1,3}[.)]|[a-z][.)])\s")
MIN_CONTINUED = 40
"""A line continued by a lowercase line must be at least this long (not a menu entry)."""


def line_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every line, line break excluded; ``end`` of the last is len."""
    spans = []
    start = 0
    for match in _BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without surrounding whitespace, computed without copying the line."""
    start = _LEADING_SPACE.match(text, start, end).end()  # type: ignore[union-attr]
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _wrap_width(lengths: list[int]) -> int | None:
    """The fixed width a hard-wrapped text was wrapped at, or ``None`` if it is not.

    Hard-wrapped text has most of its lines close to one width (the last line of each
    paragraph is shorter); text with one paragraph per line has widely varying lengths.
    """
    if len(lengths) < 5:
        return None
    ordered = sorted(lengths)
    width = ordered[int(len(ordered) * 0.9)]
    if not 40 <= width <= 120:
        return None
    near = sum(1 for n in lengths if width * 0.75 <= n <= width + 5)
    over = sum(1 for n in lengths if n > width + 5)
    if near >= len(lengths) * 0.5 and over <= len(lengths) * 0.05:
        return width
    return None


def _continues(prev_tail: str, prev_len: int, nxt: str, width: int | None) -> bool:
    """Whether the line ending in *prev_tail* runs on into the line starting with *nxt*."""
    if _ENDS_SENTENCE.search(prev_tail) or _ITEM_START.match(nxt):
        return False
    first = nxt[0]
    if first.islower() and prev_len >= MIN_CONTINUED:
        return True
    if width is None or prev_len < width * 0.75:
        return False
    return first.isalnum() or first in "\"'«„“("


def segment_text(text: str, *, join_wrapped: bool = True) -> list[Segment]:
    """Segments (``kind="paragraph"``; the boilerplate step refines it) of a plain text,
    with spans into *text*."""
    lines = []  # (line number, start, end) of non-empty lines, stripped
    for number, (start, end) in enumerate(line_spans(text), 1):
        start, end = _strip(text, start, end)
        if start < end:
            lines.append((number, start, end))
    width = None
    if join_wrapped:
        width = _wrap_width([end - start for _, start, end in lines])
    segments: list[Segment] = []
    i = 0
    while i < len(lines):
        number, start, end = lines[i]
        j = i
        while join_wrapped and j + 1 < len(lines):
            next_number, next_start, next_end = lines[j + 1]
            if next_number != lines[j][0] + 1:
                break
            _, prev_start, prev_end = lines[j]
            prev_tail = text[max(prev_start, prev_end - 16) : prev_end]
            nxt = text[next_start : next_start + 8]
            if not _continues(prev_tail, prev_end - prev_start, nxt, width):
                break
            j += 1
            end = next_end
        segments.append(Segment(text=text[start:end], span=(start, end), line=number))
        i = j + 1
    return segments
