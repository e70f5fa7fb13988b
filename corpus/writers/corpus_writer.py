"""Turn the document stream into OUT's files, counting as it goes.

Files (all UTF-8, ``\\n`` line ends, written under a staging folder, swapped in at the
end):

* ``documents.jsonl``  one line per input document (kept or not), with its status
* ``segments.jsonl``   every segment of every document, kept or not, with the reason
* ``sentences.jsonl``  every kept sentence with language and translation
* ``rejects.jsonl``    sentences dropped by filter steps, with the reason (when any)
* ``mono/<lang>.txt``  kept sentences in their original language, one per line
* ``parallel/<src>-<tgt>.{<src>,<tgt>,ids}``  line-aligned translation pairs (Moses style)
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.records import Document, Sentence
from corpus.writers.config import OutputConfig
from corpus.writers.jsonl import document_row, dumps, segment_row, sentence_row
from corpus.writers.staging import StagedFiles, Staging

INPUTS_FILE = ".inputs.jsonl"  # staged side file; spliced into manifest.json, never committed


def reason_key(status_or_reason: str) -> str:
    """``dropped:duplicate of ab12…`` → ``duplicate``: the reason without its detail."""
    reason = status_or_reason.split(":", 1)[1] if ":" in status_or_reason else status_or_reason
    return reason.split(" of ", 1)[0].split(":", 1)[0].strip()


@dataclass
class InputTally:
    """What became of one input file (and, for JSONL, of each of its records)."""

    path: str
    sha256: str
    format: str = ""
    encoding: str = ""
    documents: int = 0
    kept: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    records: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        if self.kept:
            status = "kept"
        elif self.statuses:
            status = self.statuses.most_common(1)[0][0]
        else:
            status = "dropped:empty"
        out: dict[str, Any] = {
            "path": self.path,
            "sha256": self.sha256,
            "format": self.format,
            "encoding": self.encoding,
            "status": status,
            "documents": self.documents,
            "kept": self.kept,
        }
        if status != "kept":
            out["reason"] = status.split(":", 1)[1] if ":" in status else status
        if self.notes:
            out["notes"] = sorted(set(self.notes))
        if self.records:
            out["records"] = self.records
        return out


@dataclass
class Counts:
    documents: Counter[str] = field(default_factory=Counter)  # kept/dropped/error
    dropped_reasons: Counter[str] = field(default_factory=Counter)
    segments_kept: Counter[str] = field(default_factory=Counter)  # by lang
    segments_dropped: Counter[str] = field(default_factory=Counter)  # by lang
    segment_reasons: Counter[str] = field(default_factory=Counter)
    sentences: Counter[str] = field(default_factory=Counter)  # by lang
    sentence_reasons: Counter[str] = field(default_factory=Counter)  # dropped by filters
    characters: Counter[str] = field(default_factory=Counter)  # kept sentence chars by lang
    translations: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    bytes_in: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": {
                "in": sum(self.documents.values()),
                "kept": self.documents["kept"],
                "dropped": self.documents["dropped"],
                "error": self.documents["error"],
                "by_reason": dict(sorted(self.dropped_reasons.items())),
            },
            "segments": {
                "total": sum(self.segments_kept.values()) + sum(self.segments_dropped.values()),
                "kept": sum(self.segments_kept.values()),
                "by_lang": {
                    lang: {
                        "kept": self.segments_kept[lang],
                        "dropped": self.segments_dropped[lang],
                    }
                    for lang in sorted(set(self.segments_kept) | set(self.segments_dropped))
                },
                "dropped_by_reason": dict(sorted(self.segment_reasons.items())),
            },
            "sentences": {
                "total": sum(self.sentences.values()),
                "by_lang": dict(sorted(self.sentences.items())),
                "characters_by_lang": dict(sorted(self.characters.items())),
                "dropped_by_reason": dict(sorted(self.sentence_reasons.items())),
            },
            "translation": {
                pair: translation_entry(c) for pair, c in sorted(self.translations.items())
            },
        }


def translation_entry(counter: Counter[str]) -> dict[str, Any]:
    """One pair's counters: ``translated``, ``pending``, ``flagged`` (translations that
    failed a check) and ``flags`` (how many failed each check; a pair may fail several)."""
    out: dict[str, Any] = {k: v for k, v in counter.items() if not k.startswith("flag:")}
    out["flagged"] = counter["flagged"]
    out["flags"] = {k[5:]: v for k, v in sorted(counter.items()) if k.startswith("flag:")}
    return dict(sorted(out.items()))


class CorpusWriter:
    """Write documents into a staging folder of OUT; ``commit`` swaps it in."""

    def __init__(self, out: Path, output: OutputConfig, *, staging: str | None = None) -> None:
        """Write into a new staging folder, or into *staging*, an interrupted run's."""
        self.out = out
        self.output = output
        self.staging = Staging(out, name=staging)
        self.files = StagedFiles(self.staging)
        self.counts = Counts()
        # Inputs are streamed to a staged side file as each one completes (documents of
        # one input arrive together), so memory does not grow with the number of inputs;
        # the manifest's "inputs" list is spliced in from that file at the end.
        self._current: InputTally | None = None
        self.n_inputs = 0
        self.facts: dict[str, dict[str, Any]] = {}
        # Given every document's rows as they are written (the runner hands the audit's
        # ``AuditStats.add`` here: the same rows the files get, so the same audit a pass
        # over the files gives, gathered while the workers are busy: that pass after the
        # run was serial time for --workers N). None when the files hold rows this
        # process did not write (--resume, --append).
        self.on_rows: Callable[[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]],
                               None] | None = None
        for name in ("documents.jsonl", "segments.jsonl", "sentences.jsonl", INPUTS_FILE):
            self.files.open(name)

    def _line(self, relpath: str, text: str) -> None:
        self.files.line(relpath, text)

    def add(self, doc: Document) -> None:
        self._tally(doc)
        doc_row = document_row(doc)
        self._line("documents.jsonl", dumps(doc_row))
        seg_rows: list[dict[str, Any]] = []
        sent_rows: list[dict[str, Any]] = []
        for index, seg in enumerate(doc.segments):
            row = segment_row(doc, index, seg)
            seg_rows.append(row)
            self._line("segments.jsonl", dumps(row))
            if row["kept"]:
                self.counts.segments_kept[seg.lang] += 1
            else:
                self.counts.segments_dropped[seg.lang] += 1
                self.counts.segment_reasons[reason_key(row["reason"] or "unknown")] += 1
            for sent_index, sent in enumerate(seg.sentences):
                if not row["kept"] and sent.kept:
                    continue  # the segment or document was dropped: its reason says why
                srow = sentence_row(doc, index, sent_index, sent, seg.kind)
                if not sent.kept:
                    srow["reason"] = sent.reason
                    self._line("rejects.jsonl", dumps(srow))
                    self.counts.sentence_reasons[sent.reason or "unknown"] += 1
                    continue
                self._line("sentences.jsonl", dumps(srow))
                sent_rows.append(srow)
                self.counts.sentences[sent.lang] += 1
                self.counts.characters[sent.lang] += len(sent.text)
                if self.output.mono:
                    self._line(f"mono/{safe_name(sent.lang)}.txt", sent.text)
                write_translation(self._line, self.counts, self.output, sent, srow["id"])
        if self.on_rows is not None:
            self.on_rows(doc_row, seg_rows, sent_rows)

    def _tally(self, doc: Document) -> None:
        kind = doc.status.split(":", 1)[0]
        self.counts.documents[kind] += 1
        if kind != "kept":
            self.counts.dropped_reasons[reason_key(doc.status)] += 1
        tally = self._current
        if tally is None or tally.path != doc.source.path:
            self._finish_input()
            tally = self._current = InputTally(path=doc.source.path, sha256=doc.source.sha256)
        tally.format = tally.format or doc.source.format
        tally.encoding = tally.encoding or doc.source.encoding
        tally.documents += 1
        tally.kept += doc.kept
        tally.statuses[doc.status] += 1
        tally.notes.extend(doc.source.notes)
        if doc.source.record is not None:
            record: dict[str, Any] = {"record": doc.source.record, "status": doc.status}
            if doc.kept or doc.status.startswith("dropped:duplicate"):
                record["id"] = doc.id
            tally.records.append(record)

    def _finish_input(self) -> None:
        if self._current is not None:
            self._line(INPUTS_FILE, dumps(self._current.as_dict()))
            self.n_inputs += 1
            self._current = None

    def snapshot(self) -> dict[str, Any]:
        """Flush the streams; return what a checkpoint needs to continue from here.

        Called between shards, which hold whole inputs, so the current input is complete.
        """
        self._finish_input()
        self.files.flush()
        sizes = {rel: self.staging.path(rel).stat().st_size for rel in self.files.names()}
        return {"sizes": sizes, "counts": self.counts, "n_inputs": self.n_inputs}

    def restore(self, snap: dict[str, Any]) -> None:
        """Cut the staged files back to a checkpoint, dropping what came after it."""
        self.files.close()
        sizes: dict[str, int] = snap["sizes"]
        for path in sorted(self.staging.dir.rglob("*")):
            if not path.is_file():
                continue
            rel = str(path.relative_to(self.staging.dir))
            if rel in sizes:
                with open(path, "r+b") as fh:
                    fh.truncate(sizes[rel])
            else:
                path.unlink()
        self.counts = snap["counts"]
        self.n_inputs = snap["n_inputs"]
        self._current = None
        for rel in sorted(sizes):
            self.files.open(rel)

    def write_json(self, relpath: str, text: str) -> None:
        with open(self.staging.path(relpath), "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)

    def close_streams(self) -> dict[str, str]:
        """Close the stream files and return ``relpath -> sha256`` of every staged output.

        ``self.facts`` then holds size, line count and sha256 of every staged file, the
        inputs side file included: what the final state records, so ``--append`` can
        check that OUT still holds these files (read once for both).
        """
        self._finish_input()
        self.files.close()
        self.facts = staged_facts(self.staging, lambda rel: True)
        return {rel: f["sha256"] for rel, f in self.facts.items() if rel != INPUTS_FILE}

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """manifest.json with the inputs streamed in from the side file, which then goes."""
        side = self.staging.path(INPUTS_FILE)
        marker = '"@inputs@"'
        head, tail = json.dumps(
            {**manifest, "inputs": "@inputs@"}, ensure_ascii=False, indent=2
        ).split(marker)
        with open(self.staging.path("manifest.json"), "w", encoding="utf-8", newline="\n") as fh:
            fh.write(head + "[")
            with open(side, encoding="utf-8") as lines:
                for number, line in enumerate(lines):
                    fh.write(("," if number else "") + "\n    " + line.rstrip("\n"))
            fh.write("\n  ]" + tail + "\n")
        side.unlink()

    def known_inputs(self, limit: int | None = None) -> set[str]:
        """Paths of the inputs written so far, or of the first *limit* (``--append``)."""
        self._finish_input()
        self.files.open(INPUTS_FILE).flush()
        with open(self.staging.path(INPUTS_FILE), encoding="utf-8") as fh:
            return {json.loads(line)["path"] for line in itertools.islice(fh, limit)}

    def commit(self) -> None:
        self.staging.commit()

    def abort(self) -> None:
        """A failed run: its files closed, unflushed data dropped, the staging folder gone."""
        self.files.discard()
        self.staging.abort()


def write_translation(
    line: Callable[[str, str], None], counts: Counts, output: OutputConfig, sent: Sentence,
    sentence_id: str,
) -> None:
    """A kept sentence's translation: counted, and its pair written to ``parallel/``
    unless a check flagged it (``[output] parallel_flagged = true`` writes those too).

    The one place that writes ``parallel/``: ``corpus build`` and ``corpus translate``
    both call it, so both honour ``[output]``.
    """
    if sent.translation is not None:
        pair = f"{sent.lang}-{sent.translation.target}"
        tally = counts.translations[pair]
        tally["translated"] += 1
        flags = sent.translation.flags
        if flags:
            tally["flagged"] += 1
            for flag in flags:
                tally[f"flag:{flag}"] += 1
        if output.parallel and (not flags or output.parallel_flagged):
            base = f"parallel/{safe_name(pair)}"
            line(f"{base}.{safe_name(sent.lang)}", sent.text)
            line(f"{base}.{safe_name(sent.translation.target)}", sent.translation.text)
            line(f"{base}.ids", sentence_id)
    elif sent.pending:
        counts.translations[sent.pending]["pending"] += 1


def staged_digests(staging: Staging, wanted: Callable[[str], bool]) -> dict[str, str]:
    """``relpath -> sha256`` of the staged files *wanted* says to list, sorted."""
    return {rel: f["sha256"] for rel, f in staged_facts(staging, wanted).items()}


def staged_facts(staging: Staging, wanted: Callable[[str], bool]) -> dict[str, dict[str, Any]]:
    """``relpath -> {size, lines, sha256}`` of the staged files *wanted* says to list."""
    facts: dict[str, dict[str, Any]] = {}
    for path in sorted(staging.dir.rglob("*")):
        rel = str(path.relative_to(staging.dir))
        if path.is_file() and wanted(rel):
            facts[rel] = file_facts(path)
    return facts


def file_facts(path: Path) -> dict[str, Any]:
    """Size, line count and sha256 of a file, in one read."""
    h = hashlib.sha256()
    size = lines = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
    return {"size": size, "lines": lines, "sha256": h.hexdigest()}


def safe_name(name: str) -> str:
    """File-name-safe form of a language code or pair (input never names files here)."""
    return "".join(ch for ch in name if ch.isalnum() or ch in "-_")[:32] or "und"
