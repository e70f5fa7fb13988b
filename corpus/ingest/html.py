"""HTML → the page's visible text as segments, each with the kind its markup gives it.

``Document.text`` for a page is its visible text, one block per line (title first, then
the blocks in document order), so every segment's span indexes it. Each block carries
what the markup says of it:

* its **kind**: ``heading`` (``<h1-6>``), ``list_item`` (``<li>``, ``<dt>``, ``<dd>``),
  ``table_row`` (a ``<tr>``'s cells joined with " | "), ``caption`` (``<figcaption>``,
  ``<caption>``, text inside ``<figure>``), ``quote`` (``<blockquote>``), ``code``
  (``<pre>``), else ``paragraph``; the page's ``<title>`` is ``title``;
* the **furniture container** it sits in, if any (``<nav>``, ``<footer>``, a
  ``class="related-posts"``…), and how much of its text is link text.

trafilatura decides which blocks are the main content. Its choice is kept, with two
corrections that only the markup can make: a block that is mostly link text (a list of
related-article teasers) or sits inside a share/related/promo/comment container is page
furniture however article-like its words are. The headline is the first ``<h1>`` that
the ``<title>`` names (the title then says the same with the site's name appended).
Blocks are matched to trafilatura's text after the same normalisation on both sides
(:func:`corpus.textnorm.normalize_text`: soft hyphens, zero-width characters, spaces), so
a page whose body holds soft hyphens keeps its article. Every other visible block is
kept as a dropped segment with the reason, so the audit sees the whole page.

``<noscript>`` is read like the rest of the page: a page rendered by JavaScript often
keeps its article there, and what a noscript usually says ("enable JavaScript") is a
prompt the boilerplate step drops.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from corpus.records import Segment
from corpus.textnorm import normalize_text

BOILERPLATE_REASON = "html_boilerplate"
LINK_REASON = "link_list"
CONTAINER_REASON = "html_container"
TITLE_REASON = "title_repeats_headline"
LINK_DENSITY = 0.5  # a block with at least this share of link text is a link, not prose
MIN_LINK_CHARS = 8  # … and at least this much of it (a one-word link is not a link list)

_META_CHARSET = re.compile(rb"<meta[^>]+?charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.\-]+)", re.I)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]+encoding\s*=\s*[\"']([A-Za-z0-9_.\-]+)", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_PARSER_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_ATTR_TOKEN = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")

# fmt: off
_BLOCK_TAGS = frozenset((
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li",
    "main", "menu", "nav", "noscript", "ol", "p", "pre", "section", "summary", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
))
# Never rendered as text (or not as running text).
_SKIP_TAGS = frozenset((
    "head", "title", "script", "style", "template", "svg", "math", "iframe",
    "object", "embed", "canvas", "select", "option", "datalist", "audio", "video", "map",
    "textarea", "input",
))
# fmt: on
_KIND_TAGS = {
    "h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading",
    "h6": "heading", "li": "list_item", "dt": "list_item", "dd": "list_item",
    "figcaption": "caption", "caption": "caption", "figure": "caption",
    "blockquote": "quote", "pre": "code",
}
_CONTAINER_TAGS = {"nav": "navigation", "menu": "navigation", "header": "header",
                   "footer": "footer", "aside": "aside", "form": "form"}
# class/id/role words (split on punctuation and camelCase) that name page furniture
_CONTAINER_WORDS = {
    "nav": "navigation", "navbar": "navigation", "navigation": "navigation",
    "menu": "navigation", "breadcrumb": "navigation", "breadcrumbs": "navigation",
    "pagination": "navigation", "footer": "footer", "masthead": "header",
    "sidebar": "aside", "widget": "aside", "share": "share", "sharing": "share",
    "social": "share", "related": "related", "recommended": "related",
    "recirculation": "related", "recirc": "related", "promo": "ad", "advert": "ad",
    "advertisement": "ad", "ad": "ad", "ads": "ad", "sponsor": "ad", "sponsored": "ad",
    "subscribe": "prompt", "subscription": "prompt", "newsletter": "prompt",
    "signup": "prompt", "paywall": "prompt", "cookie": "prompt", "cookies": "prompt",
    "consent": "prompt", "gdpr": "prompt", "login": "prompt", "signin": "prompt",
    "popup": "prompt", "modal": "prompt", "comment": "comment", "comments": "comment",
    "disqus": "comment",
}
_OUTER_TAGS = frozenset({"html", "body", "main", "article"})
# Containers whose text is furniture even where trafilatura chose it, when they are small:
# a wrapper holding much of the page (class="ArticlePage-content paywall") is the page.
VETO_CONTAINERS = frozenset({"share", "related", "comment"})
MAX_VETO_SHARE = 0.2
MAX_FALLBACK_PARAGRAPHS = 2000
MAX_ROW_CHARS = 2000  # a longer "row" is page layout, not a data row

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
    # line of the HTML source where each line of ``text`` starts (1-based): the audit's
    # link from a segment to its place in the page, which the extracted text cannot give
    source_lines: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Block:
    """One visible block of a page, with what its markup says of it."""

    text: str
    kind: str = "paragraph"
    container: str = ""  # innermost furniture container ("navigation", "related", …)
    link_chars: int = 0  # characters of the block inside <a>
    level: int = 0  # heading level (1-6), 0 for other kinds
    vetoed: str = ""  # a furniture container of VETO_CONTAINERS around it, if any
    line: int = 0  # line of the HTML source where its text starts (0: unknown)

    @property
    def link_density(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0

    @property
    def is_link(self) -> bool:
        """Mostly link text: a teaser, a related-article list item, a menu entry."""
        return self.link_chars >= MIN_LINK_CHARS and self.link_density >= LINK_DENSITY


def _norm(text: str) -> str:
    return normalize_text(text)


def _hidden(attrs: dict[str, str]) -> bool:
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def container_of(el: Any) -> str:
    """The furniture an element is by its tag or by the words of its class/id/role.

    The words of the page's outer wrappers (``<body>``, ``<main>``, ``<article>``) name
    site features (``cookies-not-set``, ``paywall``), not furniture: they are not read.
    """
    tag = el.tag if isinstance(el.tag, str) else ""
    return _container(tag, el.get("id"), el.get("class"), el.get("role"))


@lru_cache(maxsize=8192)
def _container(tag: str, id_: str | None, cls: str | None, role: str | None) -> str:
    """``container_of`` by the values that decide it (pages repeat their class names)."""
    by_tag = _CONTAINER_TAGS.get(tag, "")
    if tag in _OUTER_TAGS or not (id_ or cls or role):
        return by_tag
    for token in _ATTR_TOKEN.findall(f"{id_ or ''} {cls or ''} {role or ''}"):
        found = _CONTAINER_WORDS.get(token.lower())
        if found:
            return found
    return by_tag


# What _open did for an element, for _close to undo: bit flags.
_SKIPPED, _BR, _ROW, _KIND, _CONTAINER, _LINK, _PRE, _BLOCK = (1 << i for i in range(8))


class _Walker:
    """Visible blocks in document order, from lxml's C-level walk of the tree (no
    recursion; an element's start and end events bracket its subtree)."""

    def __init__(self, page_chars: int = 0) -> None:
        self.page_chars = page_chars
        self.blocks: list[Block] = []
        self.buf: list[tuple[str, bool]] = []  # (text, inside a link)
        self.kinds: list[tuple[str, int]] = []  # open kind-bearing elements (kind, level)
        self.containers: list[str] = []  # open furniture containers
        self.links = 0
        self.pre = 0
        self.rows = 0  # open data rows (<tr> joined into one block)
        self.line = 0  # source line of the last opened element (lxml's sourceline)
        self.start = 0  # source line where the buffered block's first text starts

    def text(self, value: str | None) -> None:
        if value:
            if not self.buf or not any(p.strip() for p, _ in self.buf):
                # the text starts after its leading newlines, on the line of the element
                # it follows (an element's text or tail; lxml knows no line of an end tag)
                lead = len(value) - len(value.lstrip())
                self.start = self.line + value.count("\n", 0, lead)
            self.buf.append((value, self.links > 0))

    def flush(self) -> None:
        if not self.buf:
            return
        pieces, self.buf = self.buf, []
        kind, level = self.kinds[-1] if self.kinds else ("paragraph", 0)
        container = self.containers[-1] if self.containers else ""
        vetoed = next((c for c in reversed(self.containers) if c in VETO_CONTAINERS), "")
        if self.pre:
            raw = "".join(p for p, _ in pieces)
            first = self.start - raw.count("\n", 0, len(raw) - len(raw.lstrip()))
            for number, line in enumerate(raw.splitlines()):
                line = line.strip()
                if line:
                    self.blocks.append(Block(line, "code", container, 0, 0, vetoed,
                                             first + number))
            return
        text = _HTML_SPACE.sub(" ", "".join(p for p, _ in pieces)).strip()
        if kind == "table_row":
            text = _row(text.split(" | "))
        if not text:
            return
        link_chars = sum(len(_HTML_SPACE.sub(" ", p).strip()) for p, in_link in pieces if in_link)
        self.blocks.append(Block(text, kind, container, min(link_chars, len(text)), level,
                                 vetoed, self.start))

    def walk(self, root: Any) -> list[Block]:
        undo: list[int] = []
        walker = etree.iterwalk(root, events=("start", "end"))
        for event, el in walker:
            if event == "start":
                flags = self._open(el)
                if flags & _SKIPPED:
                    walker.skip_subtree()
                undo.append(flags)
            else:
                self._close(el, undo.pop())
        self.flush()
        return self.blocks

    def _open(self, el: Any) -> int:
        tag = el.tag if isinstance(el.tag, str) else ""
        self.line = el.sourceline or self.line
        attrs = dict(el.items()) if len(el.attrib) else {}
        if not tag or tag in _SKIP_TAGS or (attrs and _hidden(attrs)):
            return _SKIPPED
        if tag == "br":
            if self.rows:
                self.text(" ")
            else:
                self.flush()
            return _BR
        flags = 0
        if tag == "tr" and not self.rows and _data_row(el):
            self.flush()
            self.rows = 1
            self.kinds.append(("table_row", 0))
            flags |= _ROW
        elif tag in ("td", "th") and self.rows:
            if any(p.strip() for p, _ in self.buf):
                self.text(" | ")
        elif tag in _BLOCK_TAGS and not self.rows:
            self.flush()
            flags |= _BLOCK
        if tag == "pre":
            self.pre += 1
            flags |= _PRE
        if tag == "a":
            self.links += 1
            flags |= _LINK
        kind = _KIND_TAGS.get(tag)
        if kind is not None and not self.rows:
            self.kinds.append((kind, int(tag[1]) if kind == "heading" else 0))
            flags |= _KIND
        container = _container(tag, attrs.get("id"), attrs.get("class"), attrs.get("role"))
        share = (len(el.text_content()) / self.page_chars
                 if container in VETO_CONTAINERS and self.page_chars else 0.0)
        if share > MAX_VETO_SHARE:
            container += "_wrapper"  # furniture by name, the page by size
        if container:
            self.containers.append(container)
            flags |= _CONTAINER
        self.text(el.text)
        return flags

    def _close(self, el: Any, flags: int) -> None:
        if flags & (_SKIPPED | _BR):
            self.text(el.tail)
            return
        if flags & _ROW:
            self.flush()
            self.rows = 0
            self.kinds.pop()
        elif flags & _BLOCK:
            self.flush()
        if flags & _CONTAINER:
            self.containers.pop()
        if flags & _KIND:
            self.kinds.pop()
        if flags & _LINK:
            self.links -= 1
        if flags & _PRE:
            self.pre -= 1
        self.text(el.tail)


def _row(cells: list[str]) -> str:
    """A table row as one line: its non-empty cells joined with " | "."""
    return " | ".join(c.strip() for c in cells if c.strip())


def _data_row(tr: Any) -> bool:
    """A table row of data (its cells are one block), not a row of a layout table."""
    if tr.find(".//table") is not None:
        return False
    return len(tr.text_content()) <= MAX_ROW_CHARS


def visible_blocks(root: Any) -> list[Block]:
    """Every visible block of the page under *root*, in document order.

    Inline elements join their text into the enclosing block; ``<br>`` breaks a line;
    ``<pre>`` keeps its lines; a data row's cells are one block; whitespace collapses as
    a browser renders it.
    """
    return _Walker(len(root.text_content())).walk(root)


def _main_paragraphs(root: Any) -> list[str] | None:
    """trafilatura's main-content paragraphs (normalised), ``None`` if none."""
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
        elif line.startswith("|"):  # a table row as trafilatura writes it: | a | b |
            if not line.strip("|-: "):
                continue  # the |---|---| rule under a header row
            line = _row(line.strip("|").split("|"))
        if line:
            paragraphs.append(line)
    return paragraphs


def _selected(blocks: list[str], paragraphs: list[str]) -> list[bool]:
    """For each (normalised) block, whether trafilatura's paragraphs hold it."""
    exact = set(paragraphs)
    cells = {c.strip() for p in paragraphs if " | " in p for c in p.split(" | ")}
    joined = "\n".join(paragraphs)
    long_paragraphs = [p for p in paragraphs if len(p) >= 15][:MAX_FALLBACK_PARAGRAPHS]
    out = []
    for b in blocks:
        if not b:
            out.append(False)
        elif b in exact or b in cells or (len(b) >= 15 and b in joined):
            out.append(True)
        elif len(b) >= 40:
            covered = sum(len(p) for p in long_paragraphs if p in b)
            out.append(covered >= len(b) * 0.5)
        else:
            out.append(False)
    return out


# what a dropped block is, by the furniture container it sits in
_CONTAINER_KINDS = {"navigation": "navigation", "share": "prompt", "prompt": "prompt",
                    "comment": "comment", "ad": "ad", "related": "teaser"}


def _dropped_kind(block: Block, reason: str) -> str:
    if reason == LINK_REASON:
        return "navigation" if block.kind != "list_item" or len(block.text) < 30 else "teaser"
    return _CONTAINER_KINDS.get(block.container.removesuffix("_wrapper"), block.kind)


def parse(text: str) -> tuple[Any, list[str]]:
    """An lxml tree for *text* (``None`` for an empty page) and parser remarks."""
    notes: list[str] = []
    # the declaration's own newlines stay, so the parser's line numbers are the page's
    cleaned = _PARSER_UNSAFE.sub(" ", _XML_DECLARATION.sub(
        lambda m: "\n" * m.group().count("\n"), text, count=1))
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


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def headline_index(title: str, blocks: list[Block]) -> int | None:
    """The block that is the page's headline: the first ``<h1>`` (else the first heading)
    whose words the ``<title>`` holds, in order — the title is the headline with the
    site's name around it."""
    title_words = " ".join(_words(title))
    if not title_words:
        return None
    for level in (1, 2):
        for i, block in enumerate(blocks):
            if block.kind == "heading" and block.level == level:
                words = " ".join(_words(block.text))
                if words and words in title_words:
                    return i
    return None


def site_suffix_removed(title: str, url: str | None) -> str:
    """``"Talks resume - Example News"`` → ``"Talks resume"`` when the part after the
    last separator names the site (its letters are in the URL's host)."""
    host = (urlsplit(url).hostname or "") if url else ""
    host_letters = re.sub(r"[^a-z0-9]", "", host.lower())
    match = re.search(r"\s[-–—|:·•]\s+([^-–—|:·•]+)$", title)
    if not match or not host_letters:
        return title
    site = re.sub(r"[^a-z0-9]", "", match.group(1).lower())
    return title[: match.start()].rstrip() if site and site in host_letters else title


def extract(text: str, *, main_content: bool = True, url: str | None = None) -> Page:
    """The visible text and segments of an HTML page held in *text*."""
    page = Page()
    root, page.notes = parse(text)
    if root is None:
        return page
    title_el = root.find(".//title")
    title = " ".join(title_el.text_content().split()) if title_el is not None else ""
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
    normed = [_norm(b.text) for b in blocks]
    reasons: list[str | None]
    if not main_content:
        reasons = [None] * len(blocks)
    else:
        try:
            paragraphs = _main_paragraphs(root)
        except Exception as exc:  # trafilatura failing must not lose the page
            paragraphs = None
            page.notes.append(f"trafilatura failed ({type(exc).__name__}); used page structure")
        if paragraphs:
            chosen = _selected(normed, paragraphs)
            reasons = [None if keep else BOILERPLATE_REASON for keep in chosen]
        else:
            if paragraphs is None and not page.notes:
                page.notes.append("no main content found by trafilatura; used page structure")
            reasons = [BOILERPLATE_REASON if b.container else None for b in blocks]
        inside = [i for i, r in enumerate(reasons) if r is None]
        for i in range(inside[0] + 1, inside[-1]) if inside else ():
            # trafilatura leaves figure captions out; inside the article they are content
            # of their own kind, for keep_kinds to decide
            if blocks[i].kind == "caption" and reasons[i] == BOILERPLATE_REASON:
                reasons[i] = None
        for i, block in enumerate(blocks):
            if reasons[i] is None:
                if block.vetoed:
                    reasons[i] = CONTAINER_REASON
                elif block.is_link:
                    reasons[i] = LINK_REASON
    headline = headline_index(title, blocks) if title else None
    if headline is not None and reasons[headline] is not None:
        reasons[headline] = None  # the headline is content wherever it stands
    shown_title = site_suffix_removed(title, url or page.meta.get("url"))

    parts: list[str] = []
    pos = 0

    def add(block: str, kind: str, reason: str | None, line: int) -> None:
        nonlocal pos
        segment = Segment(text=block, span=(pos, pos + len(block)), line=len(parts) + 1, kind=kind)
        if reason is not None:
            segment.drop(reason)
        page.segments.append(segment)
        page.source_lines.append(line)
        parts.append(block)
        pos += len(block) + 1

    if shown_title:
        add(shown_title, "title", TITLE_REASON if headline is not None else None,
            (title_el.sourceline or 0) if title_el is not None else 0)
    for i, (block, reason) in enumerate(zip(blocks, reasons, strict=True)):
        if i == headline:
            add(block.text, "title", None, block.line)
        elif reason is not None:
            add(block.text, _dropped_kind(block, reason), reason, block.line)
        else:
            add(block.text, block.kind, reason, block.line)
    page.text = "\n".join(parts)
    return page
