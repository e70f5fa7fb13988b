"""Export a build OUT folder to the formats training tools read.

Input is ``OUT/sentences.jsonl``, streamed. Every format writes one file (or file set)
per split, named ``<split>.*`` (``all.*`` without ``--split``):

=========  ==================================================================================
jsonl      ``<split>.jsonl``: one row per sentence, the flat schema below
parquet    ``<split>.parquet``: the same rows, typed (:data:`SCHEMA`); loads with pandas,
           pyarrow and ``datasets.load_dataset("parquet", data_files=...)``
hf         a ``datasets`` folder (``DatasetDict`` of the splits, or one ``Dataset``
           without ``--split``) for ``datasets.load_from_disk``
moses      ``<split>.<src>-<tgt>.<src>`` / ``.<tgt>`` / ``.ids``: line-aligned pairs
tsv        ``<split>.<src>-<tgt>.tsv``: ``source<TAB>translation``, no header; tabs and
           line breaks inside text become spaces
tmx        ``<split>.<src>-<tgt>.tmx``: TMX 1.4 for translation tools, one ``<tu>`` per
           pair with ``tuid`` = sentence id
datatrove  ``<split>.jsonl``: one row per kept document, ``{"id", "text", "metadata"}``,
           what datatrove's ``JsonlReader`` (and dolma-style tools) read: ``text`` is
           the document's kept sentences (a segment's sentences joined by a space,
           segments by a newline); ``metadata`` holds ``source``, ``url``, ``lang``,
           ``title``, ``record_id``, ``sentences``, ``languages`` (sentences per language)
           and ``translated`` (sentences with a translation)
=========  ==================================================================================

Row schema (jsonl, parquet, hf), one row per kept sentence:

``id`` string (``<doc_id>:<segment>:<sentence>``), ``doc_id`` string, ``segment`` int32,
``span_start``/``span_end`` int32 (character offsets in the segment's normalised text),
``text`` string, ``lang`` string (ISO 639-1 or ``und``), ``lang_prob`` float32,
``translation`` string or null, ``target`` string or null (language of ``translation``),
``model`` string or null (the translating model), ``pending`` string or null (the
``<src>-<tgt>`` pair still waiting for a model), ``source`` string (the input file the
document came from), ``url`` string or null (the document's URL, where known).

The pair formats (moses, tsv, tmx) hold translated sentences only.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from corpus.errors import ConfigError
from corpus.export.outdir import iter_documents, iter_sentences, replacing_dir, update_manifest
from corpus.export.splits import Splitter

FORMATS = ("jsonl", "parquet", "moses", "tsv", "tmx", "hf", "datatrove")
ROW_FIELDS = (
    "id", "doc_id", "segment", "span_start", "span_end", "text", "lang", "lang_prob",
    "translation", "target", "model", "pending", "source", "url",
)
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SAFE = re.compile(r"[^A-Za-z0-9_-]")


def schema() -> Any:
    """The pyarrow schema of exported rows (documented in the module docstring)."""
    import pyarrow as pa

    return pa.schema(
        [
            pa.field("id", pa.string(), nullable=False),
            pa.field("doc_id", pa.string(), nullable=False),
            pa.field("segment", pa.int32()),
            pa.field("span_start", pa.int32()),
            pa.field("span_end", pa.int32()),
            pa.field("text", pa.string(), nullable=False),
            pa.field("lang", pa.string()),
            pa.field("lang_prob", pa.float32()),
            pa.field("translation", pa.string()),
            pa.field("target", pa.string()),
            pa.field("model", pa.string()),
            pa.field("pending", pa.string()),
            pa.field("source", pa.string()),
            pa.field("url", pa.string()),
        ]
    )


def flat_row(row: dict[str, Any], doc: dict[str, Any] | None = None) -> dict[str, Any]:
    """A sentences.jsonl row (and its documents.jsonl row) → the export schema's row."""
    tr = row.get("translation") or {}
    src = (doc or {}).get("source")
    source = src.get("path") if isinstance(src, dict) else src
    span = row.get("span") or [None, None]
    return {
        "id": row["id"],
        "doc_id": row["doc_id"],
        "segment": row.get("segment"),
        "span_start": span[0],
        "span_end": span[1],
        "text": row["text"],
        "lang": row.get("lang"),
        "lang_prob": row.get("lang_prob"),
        "translation": tr.get("text"),
        "target": tr.get("target"),
        "model": tr.get("model"),
        "pending": row.get("pending"),
        "source": source,
        "url": (doc or {}).get("url"),
    }


class DocumentCursor:
    """documents.jsonl read forward beside sentences.jsonl: the writer emits both in
    document order, so each sentence's document is the next one with its id (one row in
    memory, whatever the corpus size)."""

    def __init__(self, rows: Iterator[dict[str, Any]]) -> None:
        self._rows = rows
        self.current: dict[str, Any] | None = None

    def find(self, doc_id: str) -> dict[str, Any] | None:
        while self.current is None or self.current.get("id") != doc_id:
            self.current = next(self._rows, None)
            if self.current is None:
                return None
        return self.current


def _pair(row: dict[str, Any]) -> str | None:
    if row["translation"] is None or not row["target"]:
        return None
    return f"{_SAFE.sub('', row['lang'] or 'und')}-{_SAFE.sub('', row['target'])}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _Files:
    """Text files opened on first use, all closed together."""

    def __init__(self, folder: Path, stack: ExitStack) -> None:
        self.folder, self.stack = folder, stack
        self.handles: dict[str, IO[str]] = {}

    def get(self, name: str, header: str = "") -> IO[str]:
        fh = self.handles.get(name)
        if fh is None:
            fh = self.stack.enter_context(
                open(self.folder / name, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
            )
            fh.write(header)
            self.handles[name] = fh
        return fh


class _JsonlWriter:
    def __init__(self, folder: Path, stack: ExitStack) -> None:
        self.files = _Files(folder, stack)

    def start(self, split: str) -> None:
        self.files.get(f"{split}.jsonl")

    def write(self, split: str, row: dict[str, Any], doc: dict[str, Any] | None = None) -> None:
        line = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
        self.files.get(f"{split}.jsonl").write(line + "\n")

    def finish(self) -> None:
        """Files close with the stack."""


class _DatatroveWriter(_JsonlWriter):
    """One row per document, ``{"id", "text", "metadata"}``: a document's sentences
    arrive together (sentences.jsonl is in document order), so one is held at a time."""

    def __init__(self, folder: Path, stack: ExitStack) -> None:
        super().__init__(folder, stack)
        self._split = ""
        self._doc: dict[str, Any] | None = None
        self._rows: list[dict[str, Any]] = []

    def write(self, split: str, row: dict[str, Any], doc: dict[str, Any] | None = None) -> None:
        if self._rows and row["doc_id"] != self._rows[0]["doc_id"]:
            self._flush()
        self._split, self._doc = split, doc
        self._rows.append(row)

    def _flush(self) -> None:
        rows, doc = self._rows, self._doc or {}
        segments: dict[Any, list[str]] = {}
        for row in rows:
            segments.setdefault(row["segment"], []).append(row["text"])
        languages = Counter(row["lang"] or "und" for row in rows)
        metadata: dict[str, Any] = {"source": rows[0]["source"], "url": rows[0]["url"],
                                    "lang": doc.get("lang")}
        for key in ("title", "record_id"):
            if doc.get(key) not in (None, ""):
                metadata[key] = doc[key]
        metadata.update(
            sentences=len(rows),
            languages=dict(sorted(languages.items())),
            translated=sum(1 for row in rows if row["translation"] is not None),
        )
        out = {"id": rows[0]["doc_id"],
               "text": "\n".join(" ".join(texts) for texts in segments.values()),
               "metadata": metadata}
        line = json.dumps(out, ensure_ascii=False, separators=(",", ":"))
        self.files.get(f"{self._split}.jsonl").write(line + "\n")
        self._rows = []

    def finish(self) -> None:
        if self._rows:
            self._flush()


class _ParquetWriter:
    """Row groups of ``batch`` rows, so memory stays flat in corpus size."""

    def __init__(self, folder: Path, stack: ExitStack, batch: int = 50_000) -> None:
        import pyarrow.parquet as pq

        self.folder, self.batch, self.schema = folder, batch, schema()
        self.stack = stack
        self._pq = pq
        self.writers: dict[str, Any] = {}
        self.buffers: dict[str, list[dict[str, Any]]] = {}

    def start(self, split: str) -> None:
        if split not in self.writers:
            path = self.folder / f"{split}.parquet"
            writer = self._pq.ParquetWriter(path, self.schema, compression="zstd")
            self.stack.callback(writer.close)
            self.writers[split] = writer
            self.buffers[split] = []

    def write(self, split: str, row: dict[str, Any], doc: dict[str, Any] | None = None) -> None:
        self.start(split)
        buf = self.buffers[split]
        buf.append(row)
        if len(buf) >= self.batch:
            self._flush(split)

    def _flush(self, split: str) -> None:
        import pyarrow as pa

        buf = self.buffers[split]
        if buf:
            self.writers[split].write_table(pa.Table.from_pylist(buf, schema=self.schema))
            buf.clear()

    def finish(self) -> None:
        for split in self.writers:
            self._flush(split)


class _MosesWriter:
    def __init__(self, folder: Path, stack: ExitStack) -> None:
        self.files = _Files(folder, stack)

    def start(self, split: str) -> None:
        """Pair files appear with their first pair."""

    def write(self, split: str, row: dict[str, Any], doc: dict[str, Any] | None = None) -> None:
        pair = _pair(row)
        if pair is None:
            return
        src, tgt = pair.split("-", 1)
        base = f"{split}.{pair}"
        self.files.get(f"{base}.{src}").write(_one_line(row["text"]) + "\n")
        self.files.get(f"{base}.{tgt}").write(_one_line(row["translation"]) + "\n")
        self.files.get(f"{base}.ids").write(row["id"] + "\n")

    def finish(self) -> None:
        """Files close with the stack."""


class _TsvWriter(_MosesWriter):
    def write(self, split: str, row: dict[str, Any], doc: dict[str, Any] | None = None) -> None:
        pair = _pair(row)
        if pair is not None:
            line = f"{_one_line(row['text'])}\t{_one_line(row['translation'])}\n"
            self.files.get(f"{split}.{pair}.tsv").write(line)


class _TmxWriter(_MosesWriter):
    def write(self, split: str, row: dict[str, Any], doc: dict[str, Any] | None = None) -> None:
        pair = _pair(row)
        if pair is None:
            return
        src, tgt = pair.split("-", 1)
        header = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n'
            f'  <header creationtool="corpus" creationtoolversion="{_version()}" '
            f'segtype="sentence" o-tmf="corpus-jsonl" adminlang="en" srclang={quoteattr(src)} '
            'datatype="plaintext"/>\n  <body>\n'
        )
        fh = self.files.get(f"{split}.{pair}.tmx", header)
        fh.write(
            f"    <tu tuid={quoteattr(_xml(row['id']))}>"
            f"<prop type=\"x-model\">{escape(_xml(row['model'] or ''))}</prop>\n"
            f"      <tuv xml:lang={quoteattr(src)}><seg>{escape(_xml(row['text']))}</seg></tuv>\n"
            f"      <tuv xml:lang={quoteattr(tgt)}>"
            f"<seg>{escape(_xml(row['translation']))}</seg></tuv>\n    </tu>\n"
        )

    def finish(self) -> None:
        for name, fh in self.files.handles.items():
            if name.endswith(".tmx"):
                fh.write("  </body>\n</tmx>\n")


def _xml(text: str) -> str:
    """Drop characters XML 1.0 cannot hold at all (escaping cannot save them)."""
    return _NOT_XML.sub("", text)


def _version() -> str:
    from corpus import __version__

    return __version__


_WRITERS: dict[str, Callable[[Path, ExitStack], Any]] = {
    "jsonl": _JsonlWriter,
    "parquet": _ParquetWriter,
    "moses": _MosesWriter,
    "tsv": _TsvWriter,
    "tmx": _TmxWriter,
    "datatrove": _DatatroveWriter,
}


def export(
    out: Path,
    formats: Iterable[str],
    *,
    dest: Path | None = None,
    splitter: Splitter | None = None,
) -> dict[str, Any]:
    """Write OUT's sentences in each format under ``dest/<format>/`` (default OUT/export).

    One pass over sentences.jsonl feeds every format. Each format's folder is written
    aside and swapped in whole when complete. Returns a summary (rows per split, files),
    which is also recorded in ``manifest.json["exports"]``.
    """
    formats = list(dict.fromkeys(formats))
    for fmt in formats:
        if fmt not in FORMATS:
            raise ConfigError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    if "hf" in formats:
        _require_datasets()
    dest = dest or out / "export"
    splits = splitter.names if splitter else ["all"]
    # hf is built from Parquet files: reuse the parquet export, or make private ones.
    streamed = [f for f in formats if f != "hf"]
    if "hf" in formats and "parquet" not in streamed:
        streamed.append("parquet")
    rows: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    with ExitStack() as dirs:
        folders = {fmt: dirs.enter_context(replacing_dir(dest / fmt)) for fmt in streamed}
        if "hf" in formats and "parquet" not in formats:
            folders["parquet"] = dirs.enter_context(_scratch(dest))
        with ExitStack() as files:
            writers = {fmt: _WRITERS[fmt](folders[fmt], files) for fmt in folders}
            for writer in writers.values():
                for split in splits:
                    writer.start(split)
            cursor = DocumentCursor(iter_documents(out))
            for raw in iter_sentences(out):
                doc = cursor.find(raw["doc_id"])
                row = flat_row(raw, doc)
                split = splitter(row["doc_id"]) if splitter else "all"
                rows[split] += 1
                if (pair := _pair(row)) is not None:
                    pairs[f"{split}.{pair}"] += 1
                for writer in writers.values():
                    writer.write(split, row, doc)
            for writer in writers.values():
                writer.finish()
        if "hf" in formats:
            with replacing_dir(dest / "hf") as hf_dir:
                _save_hf(folders["parquet"], splits if splitter else None, hf_dir)
        summary = {
            "dest": str(dest),
            "formats": formats,
            "splits": dict(splitter.ratios) if splitter else None,
            "split_seed": splitter.seed if splitter else None,
            "rows": {s: rows[s] for s in splits},
            "pairs": dict(sorted(pairs.items())),
        }
    for fmt in formats:
        entry = dict(summary, files=sorted(p.name for p in (dest / fmt).iterdir()))
        update_manifest(out, "exports", fmt, entry)
    return summary


class _scratch:
    """A temporary folder removed on exit (the private Parquet files behind an hf export)."""

    def __init__(self, near: Path) -> None:
        near.mkdir(parents=True, exist_ok=True)
        self.near = near

    def __enter__(self) -> Path:
        import tempfile

        self.path = Path(tempfile.mkdtemp(prefix=".scratch-", dir=self.near))
        return self.path

    def __exit__(self, *exc: object) -> None:
        import shutil

        shutil.rmtree(self.path, ignore_errors=True)


def _require_datasets() -> None:
    try:
        import datasets  # noqa: F401
    except ImportError:
        raise ConfigError(
            "--format hf needs the `datasets` package: pip install datasets "
            "(or export --format parquet, which `datasets` also loads)"
        ) from None


def _save_hf(parquet_dir: Path, splits: list[str] | None, dest: Path) -> None:
    """Parquet files → a ``save_to_disk`` folder; the Arrow cache lives in a scratch dir."""
    import datasets
    import pyarrow.parquet as pq

    with _scratch(parquet_dir) as cache:
        def load(name: str) -> Any:
            path = parquet_dir / f"{name}.parquet"
            if pq.ParquetFile(path).metadata.num_rows == 0:  # `datasets` refuses empty files
                return datasets.Dataset(schema().empty_table())
            # A dict, not a path: `datasets` would read a split name into "test.parquet".
            files = {"train": str(path)}
            return datasets.Dataset.from_parquet(files, split="train", cache_dir=str(cache))

        def shards(ds: Any) -> int:
            # An empty split must still get one shard file, or load_from_disk fails on it.
            return max(1, ds.data.nbytes // (500 << 20) + 1)

        was_on = datasets.is_progress_bar_enabled()
        datasets.disable_progress_bars()
        try:
            if splits is None:
                ds = load("all")
                ds.save_to_disk(str(dest), num_shards=shards(ds))
            else:
                dd = datasets.DatasetDict({s: load(s) for s in splits})
                dd.save_to_disk(str(dest), num_shards={s: shards(d) for s, d in dd.items()})
        finally:
            if was_on:
                datasets.enable_progress_bars()
