"""The language audit's numbers, computed in one streaming pass.

Input is a stream of *document groups*: one ``documents.jsonl`` row with the
``segments.jsonl`` and ``sentences.jsonl`` rows of that document (the writer emits the
three files in the same document order, so a build output is read as three parallel
streams; raw inputs give the same rows through ``corpus.writers.jsonl``). Memory is
bounded: per-language counters, and every list (foreign segments, low-confidence
segments, documents, duplicates) keeps its first ``max_rows`` entries and counts the
rest. The result is a plain dict whose layout is documented in ``SCHEMA.md``.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from corpus import __version__
from corpus.records import UND
from corpus.words import count_words
from corpus.writers.corpus_writer import reason_key

SCHEMA = "corpus.audit/1"
BINS = 10  # confidence histogram: [0, 0.1), [0.1, 0.2) … [0.9, 1.0]
EXCERPT = 120  # characters of a segment shown in lists
SENTENCE_HASHES = 500_000  # distinct sentences remembered for the repeat count
DOC_EXCERPT = 300  # characters of a segment in the per-document view of the HTML report

def excerpt(text: str, limit: int = EXCERPT) -> str:
    """One line of at most *limit* characters: newlines and tabs become spaces."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Filters:
    """What ``--lang``, ``--foreign``, ``--min-prob`` and ``--doc`` select.

    Document filters (``doc``) choose documents; the others choose segments, and the
    sentences of a chosen segment are chosen with it (with ``langs``, only those in one of
    the languages). Every number of the audit is
    computed over what is chosen.
    """

    langs: tuple[str, ...] = ()
    foreign: bool = False
    min_prob: float | None = None
    docs: tuple[str, ...] = ()
    kept_only: bool = False  # only segments that went into the corpus (`--foreign`'s default)

    @property
    def segment_filters(self) -> bool:
        return (bool(self.langs) or self.foreign or self.min_prob is not None
                or self.kept_only)

    def as_dict(self) -> dict[str, Any]:
        return {
            "lang": list(self.langs),
            "foreign": self.foreign,
            "min_prob": self.min_prob,
            "doc": list(self.docs),
            "kept_only": self.kept_only,
        }

    def doc_ok(self, doc: dict[str, Any]) -> bool:
        if not self.docs:
            return True
        path = _source(doc)["path"]
        return any(
            doc["id"].startswith(want) or path == want or fnmatch.fnmatchcase(path, want)
            for want in self.docs
        )

    def segment_ok(self, seg: dict[str, Any], doc_lang: str) -> bool:
        if self.kept_only and not seg["kept"]:
            return False
        if self.langs and seg["lang"] not in self.langs:
            return False
        if self.foreign and not is_foreign(seg, doc_lang):
            return False
        return not (self.min_prob is not None and seg["lang_prob"] < self.min_prob)


def is_foreign(seg: dict[str, Any], doc_lang: str) -> bool:
    """A segment in a known language other than its document's (known) main language."""
    lang = seg["lang"]
    return bool(seg["text"]) and lang != UND and doc_lang != UND and lang != doc_lang


def _source(doc: dict[str, Any]) -> dict[str, Any]:
    src = doc.get("source")
    if isinstance(src, dict):
        return src
    return {"path": str(src or "")}


class Capped:
    """The first *limit* rows of a list, and how many more there were."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.rows: list[dict[str, Any]] = []
        self.more = 0

    def add(self, row: dict[str, Any]) -> bool:
        """Keep *row* if there is room (True), else count it."""
        if len(self.rows) < self.limit:
            self.rows.append(row)
            return True
        self.more += 1
        return False

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "more": self.more}


@dataclass
class _Lang:
    segments: Counter[str] = field(default_factory=Counter)  # kept/dropped
    characters: Counter[str] = field(default_factory=Counter)
    words: Counter[str] = field(default_factory=Counter)
    sentences: int = 0
    sentence_characters: int = 0
    documents: int = 0  # documents whose main language this is (kept documents)


@dataclass
class AuditStats:
    """Accumulate the audit over document groups; ``result()`` gives the JSON dict."""

    filters: Filters = field(default_factory=Filters)
    low_prob: float = 0.5
    max_rows: int = 1000
    # segments listed for the HTML report's per-document view (0: none, as in audit.json)
    segment_budget: int = 0
    _langs: dict[str, _Lang] = field(default_factory=lambda: defaultdict(_Lang))
    _hist: dict[str, list[int]] = field(default_factory=dict)
    _docs_status: Counter[str] = field(default_factory=Counter)
    _docs_reasons: Counter[str] = field(default_factory=Counter)
    _seg_reasons: Counter[str] = field(default_factory=Counter)
    _kinds: Counter[str] = field(default_factory=Counter)
    _und: Counter[str] = field(default_factory=Counter)
    _low: Counter[str] = field(default_factory=Counter)
    _foreign: Counter[str] = field(default_factory=Counter)
    _foreign_pairs: Counter[str] = field(default_factory=Counter)
    _foreign_pairs_dropped: Counter[str] = field(default_factory=Counter)
    _translated: Counter[str] = field(default_factory=Counter)
    _pending: Counter[str] = field(default_factory=Counter)
    _untranslated: Counter[str] = field(default_factory=Counter)
    _flagged: Counter[str] = field(default_factory=Counter)  # pair → translations flagged
    _flags: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    _sent_hashes: set[bytes] = field(default_factory=set)
    _sent_repeats: int = 0
    _sent_checked: int = 0
    _sent_total: int = 0
    _dup_segments: int = 0
    _sources: set[str] = field(default_factory=set)
    _target: str | None = None

    def __post_init__(self) -> None:
        self.foreign_rows = Capped(self.max_rows)  # kept foreign segments: what matters
        self.foreign_dropped = Capped(self.max_rows)  # furniture, mostly; behind a toggle
        self.low_rows = Capped(self.max_rows)
        self.doc_rows = Capped(self.max_rows)
        self.dup_rows = Capped(self.max_rows)
        self.paths: list[str] = []
        self.manifests: list[dict[str, Any]] = []
        self.mode = "output"
        # per listed document (in doc_rows order): its segments, compact, for the HTML view
        self.doc_segments: list[str | None] = []  # JSON arrays (see _listed_segments)
        self._segments_listed = 0
        self._segments_unlisted = 0

    # -- input -------------------------------------------------------------------------

    def add_manifest(self, manifest: dict[str, Any] | None) -> None:
        if manifest:
            self.manifests.append(manifest)
            target = (manifest.get("pipeline") or {}).get("target")
            if isinstance(target, str) and self._target is None:
                self._target = target

    def set_target(self, target: str | None) -> None:
        if target and self._target is None:
            self._target = target

    def add(
        self,
        doc: dict[str, Any],
        segments: Iterable[dict[str, Any]],
        sentences: Iterable[dict[str, Any]],
    ) -> None:
        """One document with its segment and sentence rows (rows as in the JSONL files)."""
        if not self.filters.doc_ok(doc):
            return
        doc_lang = doc.get("lang") or UND
        chosen: dict[int, dict[str, Any]] = {}
        drow = _DocRow(doc)
        rows: dict[int, dict[str, Any]] = {}  # listed segment rows, to add translations to
        for seg in segments:
            if not self.filters.segment_ok(seg, doc_lang):
                continue
            chosen[seg["index"]] = seg
            self._segment(doc, doc_lang, seg, drow, rows)
        langs = self.filters.langs
        translated: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for sent in sentences:
            if sent["segment"] in chosen and (not langs or sent["lang"] in langs):
                self._sentence(sent, drow)
                if sent.get("translation"):
                    translated[sent["segment"]].append(sent["translation"])
        for index, row in rows.items():
            if translated.get(index):
                row["translation"] = excerpt(" ".join(t["text"] for t in translated[index]))
        if self.filters.segment_filters and not chosen:
            return
        status = doc.get("status", "kept")
        kind = status.split(":", 1)[0]
        self._docs_status[kind] += 1
        self._sources.add(_source(doc)["path"])
        if kind != "kept":
            reason = reason_key(status)
            self._docs_reasons[reason] += 1
            if reason == "duplicate":
                first = status.split(" of ", 1)[1].strip() if " of " in status else None
                self.dup_rows.add(
                    {"doc_id": doc["id"], **_where(doc), "duplicate_of": first}
                )
        elif not self.filters.langs or doc_lang in self.filters.langs:
            self._langs[doc_lang].documents += 1
        if self.doc_rows.add(drow.as_dict()) and self.segment_budget:
            self.doc_segments.append(self._listed_segments(list(chosen.values()), translated))

    def _listed_segments(
        self, segs: list[dict[str, Any]], translated: dict[int, list[dict[str, Any]]]
    ) -> str | None:
        """A document's segments for the report's document view, as one compact JSON
        array (text, not a list of lists: a report of 180,000 segments held 650 MB as
        Python objects), or ``None`` once the report holds ``segment_budget`` segments
        (the view then says so)."""
        if self._segments_listed + len(segs) > self.segment_budget:
            self._segments_unlisted += len(segs)
            return None
        self._segments_listed += len(segs)
        out = []
        for seg in segs:
            trans = translated.get(seg["index"], [])
            flags = sorted({f for t in trans for f in t.get("flags") or ()})
            out.append([
                seg["index"], seg.get("source_line", seg["line"]), seg.get("kind") or "body",
                1 if seg["kept"] else 0, seg.get("reason") or "", seg["lang"] or UND,
                round(seg["lang_prob"], 3), excerpt(seg["text"], DOC_EXCERPT),
                excerpt(" ".join(t["text"] for t in trans), DOC_EXCERPT) if trans else "",
                flags,
            ])
        # orjson writes the bytes json.dumps(ensure_ascii=False, compact) writes for these
        # lists (ints, strings, floats rounded to 3 places), four times faster
        return orjson.dumps(out).decode("utf-8")

    def _segment(
        self, doc: dict[str, Any], doc_lang: str, seg: dict[str, Any], drow: _DocRow,
        rows: dict[int, dict[str, Any]],
    ) -> None:
        lang = seg["lang"] or UND
        text = seg["text"]
        kept = bool(seg["kept"])
        state = "kept" if kept else "dropped"
        chars, words = len(text), count_words(text)
        stats = self._langs[lang]
        stats.segments[state] += 1
        stats.characters[state] += chars
        stats.words[state] += words
        self._kinds[seg.get("kind") or "body"] += 1
        drow.segment(lang, state, chars, words)
        if not kept:
            reason = reason_key(seg.get("reason") or "unknown")
            self._seg_reasons[reason] += 1
            if reason == "duplicate":
                self._dup_segments += 1
        if kept and text:
            hist = self._hist.setdefault(lang, [0] * BINS)
            hist[min(int(seg["lang_prob"] * BINS), BINS - 1)] += 1
        if not text:
            return
        low = lang == UND or seg["lang_prob"] < self.low_prob
        if lang == UND:
            self._und[state] += 1
        if low:
            self._low[state] += 1
            drow.low += 1
            if kept:
                row = self._segment_row(doc, doc_lang, seg)
                if self.low_rows.add(row):
                    rows[seg["index"]] = row
        if is_foreign(seg, doc_lang):
            self._foreign[state] += 1
            pairs = self._foreign_pairs if kept else self._foreign_pairs_dropped
            pairs[f"{doc_lang}>{lang}"] += 1
            drow.foreign += 1
            drow.foreign_kept += kept
            row = rows.get(seg["index"]) or self._segment_row(doc, doc_lang, seg)
            if (self.foreign_rows if kept else self.foreign_dropped).add(row):
                rows[seg["index"]] = row

    def _segment_row(
        self, doc: dict[str, Any], doc_lang: str, seg: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "doc_id": doc["id"],
            **_where(doc),
            "index": seg["index"],
            "line": seg["line"],
            "source_line": seg.get("source_line", seg["line"]),
            "span": list(seg["span"]),
            "kind": seg.get("kind") or "body",
            "kept": bool(seg["kept"]),
            "reason": seg.get("reason"),
            "lang": seg["lang"],
            "lang_prob": seg["lang_prob"],
            "doc_lang": doc_lang,
            "excerpt": excerpt(seg["text"]),
        }

    def _sentence(self, sent: dict[str, Any], drow: _DocRow) -> None:
        lang = sent["lang"] or UND
        stats = self._langs[lang]
        stats.sentences += 1
        stats.sentence_characters += len(sent["text"])
        drow.sentences += 1
        self._sent_total += 1
        key = hashlib.blake2b(sent["text"].encode("utf-8"), digest_size=8).digest()
        if key in self._sent_hashes:
            self._sent_repeats += 1
        elif len(self._sent_hashes) < SENTENCE_HASHES:
            self._sent_hashes.add(key)
            self._sent_checked += 1
        translation = sent.get("translation")
        if translation:
            pair = f"{lang}-{translation.get('target', '?')}"
            self._translated[pair] += 1
            flags = translation.get("flags") or ()
            if flags:
                self._flagged[pair] += 1
                self._flags[pair].update(flags)
        elif sent.get("pending"):
            self._pending[str(sent["pending"])] += 1
        elif self._target and lang not in (UND, self._target):
            self._untranslated[f"{lang}-{self._target}"] += 1

    # -- output ------------------------------------------------------------------------

    def result(self) -> dict[str, Any]:
        every = self._languages()
        langs = [r for r in every if r["segments"]["kept"]]
        # (a language with no chosen segment at all, only a document count under a
        # filter, is in neither list)
        dropped_only = sorted((r for r in every
                               if not r["segments"]["kept"] and r["segments"]["dropped"]),
                              key=lambda r: (-r["segments"]["dropped"], r["lang"]))
        seg_kept = sum(v["segments"]["kept"] for v in every)
        seg_dropped = sum(v["segments"]["dropped"] for v in every)
        return {
            "schema": SCHEMA,
            "tool": {"name": "corpus", "version": __version__},
            "corpus": self._corpus(),
            "filters": self.filters.as_dict(),
            "settings": {
                "low_prob": self.low_prob,
                "max_rows": self.max_rows,
                "excerpt": EXCERPT,
                "bins": BINS,
            },
            "totals": {
                "inputs": len(self._sources),
                "documents": {
                    "total": sum(self._docs_status.values()),
                    "kept": self._docs_status["kept"],
                    "dropped": self._docs_status["dropped"],
                    "error": self._docs_status["error"],
                },
                "segments": {"total": seg_kept + seg_dropped, "kept": seg_kept,
                             "dropped": seg_dropped},
                "sentences": sum(v["sentences"] for v in every),
                "characters": _pair(sum(v["characters"]["kept"] for v in every),
                                    sum(v["characters"]["dropped"] for v in every)),
                "words": _pair(sum(v["words"]["kept"] for v in every),
                               sum(v["words"]["dropped"] for v in every)),
                "languages": sum(1 for v in langs if v["lang"] != UND and v["segments"]["kept"]),
            },
            "languages": langs,
            "languages_only_dropped": dropped_only,
            "dropped": {
                "documents_by_reason": _sorted_counts(self._docs_reasons),
                "segments_by_reason": _sorted_counts(self._seg_reasons),
                "segments_by_kind": _sorted_counts(self._kinds),
            },
            "foreign": {
                "kept": self._foreign["kept"],
                "dropped": self._foreign["dropped"],
                "by_pair": _sorted_counts(self._foreign_pairs),
                "by_pair_dropped": _sorted_counts(self._foreign_pairs_dropped),
                **self.foreign_rows.as_dict(),
                "dropped_rows": self.foreign_dropped.rows,
                "dropped_more": self.foreign_dropped.more,
            },
            "low_confidence": {
                "threshold": self.low_prob,
                "und": _pair(self._und["kept"], self._und["dropped"]),
                "low": _pair(self._low["kept"], self._low["dropped"]),
                **self.low_rows.as_dict(),
            },
            "duplicates": {
                "documents": self._docs_reasons.get("duplicate", 0),
                "segments": self._dup_segments,
                "sentences": {
                    "total": self._sent_total,
                    "repeated": self._sent_repeats,
                    "distinct_remembered": self._sent_checked,
                    "complete": self._sent_checked < SENTENCE_HASHES,
                },
                **self.dup_rows.as_dict(),
            },
            "translation": self._translation(),
            "confidence": {
                "bins": [round(i / BINS, 2) for i in range(BINS + 1)],
                "by_lang": {k: self._hist[k] for k in sorted(self._hist)},
            },
            "documents": self.doc_rows.as_dict(),
            **({"document_segments": {
                "budget": self.segment_budget,
                "listed": self._segments_listed,
                "unlisted": self._segments_unlisted,
                "rows": self.doc_segments,
            }} if self.segment_budget else {}),
        }

    def _corpus(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mode": self.mode, "paths": list(self.paths)}
        if self.manifests:
            first = self.manifests[0]
            pipeline = first.get("pipeline") or {}
            out["manifest"] = {
                "version": first.get("version"),
                "pipeline": pipeline.get("path"),
                "pipeline_sha256": pipeline.get("sha256"),
                "target": pipeline.get("target"),
            }
        out["target"] = self._target
        return out

    def _languages(self) -> list[dict[str, Any]]:
        total_chars = sum(s.characters["kept"] for s in self._langs.values()) or 1
        rows = [
            {
                "lang": lang,
                "documents": s.documents,
                "segments": _pair(s.segments["kept"], s.segments["dropped"]),
                "sentences": s.sentences,
                "characters": _pair(s.characters["kept"], s.characters["dropped"]),
                "words": _pair(s.words["kept"], s.words["dropped"]),
                "share": round(s.characters["kept"] / total_chars, 4),
            }
            for lang, s in self._langs.items()
        ]
        rows.sort(key=lambda r: (-r["characters"]["kept"], -r["segments"]["dropped"], r["lang"]))
        return rows

    def _translation(self) -> dict[str, Any]:
        cached: dict[str, dict[str, int]] = {}
        if not self.filters.segment_filters and not self.filters.docs:
            for manifest in self.manifests:
                counts = (manifest.get("counts") or {}).get("translation") or {}
                for pair, numbers in counts.items():
                    slot = cached.setdefault(pair, {})
                    for key in ("cached", "new"):
                        if isinstance(numbers.get(key), int):
                            slot[key] = slot.get(key, 0) + numbers[key]
        pairs = sorted(set(self._translated) | set(self._pending) | set(self._untranslated)
                       | set(cached))
        rows = []
        for pair in pairs:
            src, _, tgt = pair.partition("-")
            done, pending = self._translated[pair], self._pending[pair]
            todo = done + pending + self._untranslated[pair]
            rows.append({
                "pair": pair,
                "source": src,
                "target": tgt,
                "translated": done,
                "pending": pending,
                "untranslated": self._untranslated[pair],
                "flagged": self._flagged[pair],
                "flags": dict(sorted(self._flags[pair].items(), key=lambda kv: (-kv[1], kv[0]))),
                "cached": cached.get(pair, {}).get("cached"),
                "new": cached.get(pair, {}).get("new"),
                "coverage": round(done / todo, 4) if todo else None,
            })
        return {"target": self._target, "pairs": rows}


class _DocRow:
    """Per-document numbers, built while its segments stream past."""

    __slots__ = ("chars", "doc", "foreign", "foreign_kept", "langs", "low", "segments",
                 "sentences", "words")

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.segments: Counter[str] = Counter()
        self.chars: Counter[str] = Counter()
        self.words: Counter[str] = Counter()
        self.langs: dict[str, list[int]] = {}
        self.sentences = 0
        self.foreign = 0
        self.foreign_kept = 0
        self.low = 0

    def segment(self, lang: str, state: str, chars: int, words: int) -> None:
        self.segments[state] += 1
        self.chars[state] += chars
        self.words[state] += words
        if state == "kept":
            slot = self.langs.setdefault(lang, [0, 0])
            slot[0] += 1
            slot[1] += chars

    def as_dict(self) -> dict[str, Any]:
        doc = self.doc
        row: dict[str, Any] = {"id": doc["id"], **_where(doc)}
        if doc.get("title"):
            row["title"] = excerpt(str(doc["title"]))
        row.update(
            status=doc.get("status", "kept"),
            lang=doc.get("lang") or UND,
            segments=_pair(self.segments["kept"], self.segments["dropped"]),
            sentences=self.sentences,
            characters=_pair(self.chars["kept"], self.chars["dropped"]),
            words=_pair(self.words["kept"], self.words["dropped"]),
            languages={
                lang: {"segments": n, "characters": c}
                for lang, (n, c) in sorted(self.langs.items(), key=lambda kv: (-kv[1][1], kv[0]))
            },
            foreign=self.foreign,
            foreign_kept=self.foreign_kept,
            low_confidence=self.low,
        )
        return row


def _where(doc: dict[str, Any]) -> dict[str, Any]:
    """Where a document is: its input file, and for a JSONL record the record's line and
    byte offset, and its own id and URL (what a reader of the data knows it by)."""
    src = _source(doc)
    out: dict[str, Any] = {"source": src["path"]}
    if src.get("record") is not None:
        out["record"] = src["record"]
    if src.get("offset") is not None:
        out["offset"] = src["offset"]
    for key in ("record_id", "url"):
        if doc.get(key) not in (None, ""):
            out[key] = str(doc[key])
    return out


def _pair(kept: int, dropped: int) -> dict[str, int]:
    return {"kept": kept, "dropped": dropped}


def _sorted_counts(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def group_rows(
    docs: Iterator[dict[str, Any]],
    segments: Iterator[dict[str, Any]],
    sentences: Iterator[dict[str, Any]],
    where: str = "",
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]]:
    """Zip three streams written in the same document order into per-document groups.

    Raises ``ValueError`` when rows are left over (files not from one run, or reordered):
    joining them any other way would need an index of every document in memory.
    """
    seg_it, sent_it = _Peek(segments), _Peek(sentences)
    for doc in docs:
        doc_id = doc["id"]
        segs = seg_it.take_while(doc_id, "index")
        sents = sent_it.take_while(doc_id, "segment", monotonic=False)
        yield doc, segs, sents
    for name, it in (("segments.jsonl", seg_it), ("sentences.jsonl", sent_it)):
        left = it.peek()
        if left is not None:
            raise ValueError(
                f"{where}{name}: row of document {left.get('doc_id')!r} does not follow "
                "documents.jsonl order (files from different runs?)"
            )


class _Peek:
    def __init__(self, it: Iterator[dict[str, Any]]) -> None:
        self._it = it
        self._next: dict[str, Any] | None = None
        self._done = False

    def peek(self) -> dict[str, Any] | None:
        if self._next is None and not self._done:
            self._next = next(self._it, None)
            self._done = self._next is None
        return self._next

    def take_while(self, doc_id: str, key: str, *, monotonic: bool = True) -> list[dict[str, Any]]:
        """Rows of *doc_id*; a repeated id starts a new group when *key* goes back to 0."""
        rows: list[dict[str, Any]] = []
        last = -1
        while (row := self.peek()) is not None and row.get("doc_id") == doc_id:
            index = row.get(key, 0)
            if monotonic and index <= last:
                break
            if not monotonic and rows and index < last:
                break
            last = index
            rows.append(row)
            self._next = None
        return rows
