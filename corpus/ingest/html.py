"""HTML → the page's visible text as segments: title, main content, boilerplate.

``Document.text`` for a page is its visible text, one block per line (title first, then
the blocks in document order), so every segment's span indexes it. trafilatura decides
which blocks are the main content (``kind="body"``); every other visible block (menus,
headers, footers, cookie banners, sidebars) is kept as a ``kind="boilerplate"`` segment
with ``kept=False`` so the audit sees the whole page and nothing is silently lost.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

import lxml.html
from lxml import etree

from corpus.records import Segment

BOILERPLATE_REASON = "html_boilerplate"

_META_CHARSET = re.compile(rb"<meta[^>]+?charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.\-]+)", re.I)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]+encoding\s*=\s*[\"']([A-Za-z0-9_.\-]+)", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_PARSER_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_BOILER_ATTR = re.compile(
    r"nav|menu|footer|header|sidebar|cookie|consent|banner|breadcrumb|share|social|comment"
    r"|related|promo|advert|subscribe|newsletter|login|popup|modal",
    re.I,
)

# fmt: off
_BLOCK_TAGS = frozenset((
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li",
    "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul",
))
# Never rendered as text (or not as running text).
_SKIP_TAGS = frozenset((
    "head", "title", "script", "style", "noscript", "template", "svg", "math", "iframe",
    "object", "embed", "canvas", "select", "option", "datalist", "audio", "video", "map",
    "textarea", "input",
))
# fmt: on
_BOILER_TAGS = frozenset(("nav", "header", "footer", "aside", "form", "menu"))
MAX_FALLBACK_PARAGRAPHS = 2000

logging.getLogger("trafilatura").setLevel(logging.ERROR)


def declared_charset(head: bytes) -> str | None:
    """The charset a page declares in its first bytes (``<meta charset>``, XML header)."""
    head = head[:8192]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii", "replace") if match else None


def looks_like_html(head: str) -> bool:
    """Content sniffing for ``format = "auto"`` when the extension says nothing."""
    start = head.lstrip("\ufeff \t\r\n")[:1024].lower()
    if start.startswith(("<!doctype html", "<html", "<?xml")) and "<html" in head[:4096].lower():
        return True
    return start.startswith("<") and bool(
        re.search(r"<(html|head|body|div|p|title|meta)[\s>]", head[:4096], re.I)
    )


@dataclass(slots=True)
class Page:
    """What a page yields: visible text, its segments, metadata and remarks."""

    text: str = ""
    segments: list[Segment] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _norm(text: str) -> str:
    return " ".join(text.split())


def _hidden(el: Any) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _boiler_attr(el: Any) -> bool:
    attrs = f"{el.get('id') or ''} {el.get('class') or ''} {el.get('role') or ''}"
    return bool(attrs.strip()) and bool(_BOILER_ATTR.search(attrs))


def visible_blocks(root: Any) -> list[tuple[str, bool]]:
    """``(text, in_boilerplate_element)`` for every visible block, in document order.

    Iterative (a stack, not recursion), so deeply nested pages cannot overflow. Inline
    elements join their text into the enclosing block; ``<br>`` breaks a line; ``<pre>``
    keeps its lines; whitespace collapses as a browser renders it.
    """
    blocks: list[tuple[str, bool]] = []
    buf: list[str] = []
    boiler = 0  # depth of boilerplate-looking ancestors
    pre = 0

    def flush() -> None:
        if not buf:
            return
        raw = "".join(buf)
        buf.clear()
        if pre:
            lines = [line.strip(" \t\f") for line in raw.splitlines()]
        else:
            lines = [_HTML_SPACE.sub(" ", raw).strip(" \t\n\r\f")]
        blocks.extend((line, boiler > 0) for line in lines if line)

    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        if closing:
            if tag in _BLOCK_TAGS:
                flush()
            if tag == "pre":
                pre -= 1
            if tag in _BOILER_TAGS or _boiler_attr(el):
                boiler -= 1
            if el.tail:
                buf.append(el.tail)
            continue
        if not tag or tag in _SKIP_TAGS or _hidden(el):
            if el.tail:
                buf.append(el.tail)
            continue
        if tag == "br":
            flush()
            if el.tail:
                buf.append(el.tail)
            continue
        if tag in _BLOCK_TAGS:
            flush()
        if tag == "pre":
            pre += 1
        if tag in _BOILER_TAGS or _boiler_attr(el):
            boiler += 1
        if el.text:
            buf.append(el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    flush()
    return blocks


def _main_paragraphs(root: Any) -> list[str] | None:
    """trafilatura's main-content paragraphs (whitespace-normalised), ``None`` if none."""
    import trafilatura

    result = trafilatura.bare_extraction(
        root, include_comments=False, include_tables=True, with_metadata=False
    )
    text = getattr(result, "text", None) if result is not None else None
    if not text:
        return None
    paragraphs = []
    for line in text.split("\n"):
        line = _norm(line)
        if line.startswith("- "):
            line = line[2:]
        paragraphs.extend(p.strip() for p in line.split(" | ") if p.strip())
    return paragraphs


def _classify(blocks: list[str], paragraphs: list[str]) -> list[bool]:
    """For each block, whether it belongs to the main content."""
    exact = set(paragraphs)
    joined = "\n".join(paragraphs)
    long_paragraphs = [p for p in paragraphs if len(p) >= 15][:MAX_FALLBACK_PARAGRAPHS]
    out = []
    for block in blocks:
        b = _norm(block)
        if b in exact or (len(b) >= 15 and b in joined):
            out.append(True)
        elif len(b) >= 40:
            covered = sum(len(p) for p in long_paragraphs if p in b)
            out.append(covered >= len(b) * 0.5)
        else:
            out.append(False)
    return out


def parse(text: str) -> tuple[Any, list[str]]:
    """An lxml tree for *text* (``None`` for an empty page) and parser remarks."""
    notes: list[str] = []
    cleaned = _PARSER_UNSAFE.sub(" ", _XML_DECLARATION.sub("", text, count=1))
    if not cleaned.strip():
        return None, notes
    parser = lxml.html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(cleaned, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        notes.append(f"HTML parser: {exc}")
        return None, notes
    if any("Excessive depth" in e.message for e in parser.error_log):
        notes.append("HTML nested deeper than the parser's limit: text below it was lost")
    return root, notes


def extract(text: str, *, main_content: bool = True) -> Page:
    """The visible text and segments of an HTML page held in *text*."""
    page = Page()
    root, page.notes = parse(text)
    if root is None:
        return page
    title_el = root.find(".//title")
    title = _norm(title_el.text_content()) if title_el is not None else ""
    if lang := (root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")):
        page.meta["lang"] = lang.strip()
    for xpath in ('.//link[@rel="canonical"]/@href', './/meta[@property="og:url"]/@content'):
        found = root.xpath(xpath)
        if found:
            page.meta["url"] = str(found[0]).strip()
            break
    if title:
        page.meta["title"] = title

    blocks = visible_blocks(root)
    texts = [b for b, _ in blocks]
    if not main_content:
        is_main = [True] * len(blocks)
    else:
        try:
            paragraphs = _main_paragraphs(root)
        except Exception as exc:  # trafilatura failing must not lose the page
            paragraphs = None
            page.notes.append(f"trafilatura failed ({type(exc).__name__}); used page structure")
        if paragraphs:
            is_main = _classify(texts, paragraphs)
        else:
            if paragraphs is None and not page.notes:
                page.notes.append("no main content found by trafilatura; used page structure")
            is_main = [not in_boiler for _, in_boiler in blocks]

    parts: list[str] = []
    pos = 0

    def add(block: str, kind: str, kept: bool) -> None:
        nonlocal pos
        segment = Segment(text=block, span=(pos, pos + len(block)), line=len(parts) + 1, kind=kind)
        if not kept:
            segment.drop(BOILERPLATE_REASON)
        page.segments.append(segment)
        parts.append(block)
        pos += len(block) + 1

    if title:
        add(title, "title", True)
    for block, main in zip(texts, is_main, strict=True):
        add(block, "body" if main else "boilerplate", main)
    page.text = "\n".join(parts)
    return page
