"""Step ``translate``: every kept sentence not in the target language, translated offline
and checked.

A corpus-wide step: it holds documents back until ``buffer_sentences`` sentences need
translating, queues them on the engine and goes on reading while they decode; when the
next buffer is full it is queued too, and only then are the first buffer's translations
collected and its documents yielded, in their original order. So the decoder always has
the next buffer's batches while this process checks, writes and reads documents.
What it leaves on each kept sentence whose ``lang`` is neither the target nor ``und``:

* translated: ``sentence.translation = Translation(text, target, model, flags)`` with
  ``model`` the package id (``translate-ru_en-1.9``) or the hops joined by ``>`` when
  pivoting (``translate-ru_en-1.9>translate-en_uk-1.9``), and ``flags`` the checks the
  pair failed (:mod:`corpus.stages.translate.checks`: ``empty``, ``copy``,
  ``wrong_lang``, ``length_ratio``, ``loop``); the writer leaves flagged pairs out of
  ``parallel/``. ``sentence.pending = None``.
* no installed route: ``sentence.translation = None``, ``sentence.pending = "ru-uk"``
  (Argos codes), and ``stats()["missing"]`` lists the pair with the install commands.

Sentences in the target language, ``und`` sentences, dropped segments and dropped
documents are left untouched. A sentence already translated into the target is skipped,
so re-running the step over finished records only fills what is pending.
It never touches the network.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from corpus.languages import check_translatable
from corpus.limits import check_at_most
from corpus.records import UND, Document, Sentence, Translation
from corpus.registry import RunContext, Step, register
from corpus.stages.translate.cache import TranslationCache, default_cache_path
from corpus.stages.translate.checks import CHECKS, CheckSettings, check_pairs
from corpus.stages.translate.engine import Engine, EngineOptions, Job, resolve_device
from corpus.stages.translate.models import ModelStore, install_commands
from corpus.stages.translate.routes import Route, argos_code

BOUNDS = (  # far beyond any useful setting; each one multiplies memory or decoding time
    ("beam_size", 64, "hypotheses decoded per sentence"),
    ("max_batch_tokens", 65_536, "source tokens per batch, held with their beams"),
    ("max_decoding_length", 4096, "tokens decoded per sentence"),
    ("buffer_sentences", 200_000, "sentences whose documents are held in memory"),
    ("inter_threads", 256, "each holds a copy of the model"),
    ("intra_threads", 256, "threads per translation"),
)


@dataclass
class _Buffer:
    """Documents held back, and the translation jobs queued for their sentences."""

    docs: list[Document]
    jobs: list[tuple[str, list[Sentence], Route | None, Job | None]]


@register("translate", version=2)
@dataclass
class Translate(Step):
    """Translate sentences through installed Argos packages (CTranslate2, cached), and
    flag translations that fail a check."""

    per_document = False
    transient = frozenset({"_engine", "_make_engine"})  # models, the cache connection
    requires = frozenset({"sentence.lang"})
    provides = frozenset({"sentence.translation"})

    target: str = "en"
    beam_size: int = 4  # Argos' default; output equals argostranslate at the same beam
    max_batch_tokens: int = 0  # padded source tokens per batch; 0: 512 on CPU, 8192 on GPU
    max_decoding_length: int = 256  # CTranslate2's default, which Argos keeps
    exact_argos: bool = False  # one source length per batch: output equals argostranslate
    device: Literal["cpu", "cuda", "auto"] = "cpu"
    compute_type: str = "default"  # keep the package's own (int8 for Argos packages)
    inter_threads: int = 0  # 0: decided from the cores (CPU) or 1 (GPU)
    intra_threads: int = 0
    cache: str | None = None  # SQLite file; None: $CORPUS_CACHE_DIR or ~/.cache/corpus
    use_cache: bool = True
    models_dir: str | None = None  # None: $CORPUS_MODELS_DIR, else Argos' default
    buffer_sentences: int = 4000  # sentences per queued buffer (two are held at a time)
    pivot: str = "en"  # language bridging two packages when no direct one exists
    checks: list[str] = field(default_factory=lambda: list(CHECKS))  # [] turns them off
    length_slack: float = 3.0  # default bounds: expected ratio ÷ and × this
    length_ratio: dict[str, list[float]] = field(default_factory=dict)  # "ru-en" = [lo, hi]

    _engine: Engine | None = field(default=None, init=False, repr=False)
    _make_engine: Callable[..., Engine] | None = field(default=None, init=False, repr=False)
    _pairs: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False)
    _missing: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("beam_size", "max_decoding_length", "buffer_sentences"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.max_batch_tokens < 0:
            raise ValueError("max_batch_tokens must be 0 (by device) or more")
        if self.inter_threads < 0 or self.intra_threads < 0:
            raise ValueError("thread counts must be 0 (automatic) or more")
        for name, limit, why in BOUNDS:
            check_at_most(getattr(self, name), limit, name, why)
        self.target = argos_code(check_translatable(self.target, "target"))
        check_translatable(self.pivot, "pivot")
        unknown = sorted(set(self.checks) - set(CHECKS))
        if unknown:
            raise ValueError(f"checks: unknown {', '.join(unknown)} (known: {', '.join(CHECKS)})")
        if self.length_slack < 1.0:
            raise ValueError("length_slack must be at least 1")
        for pair, bounds in self.length_ratio.items():
            if (not isinstance(bounds, list) or len(bounds) != 2
                    or not all(isinstance(b, (int, float)) for b in bounds)
                    or not 0 <= bounds[0] <= bounds[1]):
                raise ValueError(f"length_ratio: {pair!r} needs [low, high] with 0 <= low <= high")
        self.resolved_device = resolve_device(self.device)  # cuda without a GPU fails here

    # -- the stream ------------------------------------------------------------------
    def __call__(self, docs: Iterable[Document]) -> Iterator[Document]:
        held: list[Document] = []
        waiting = 0
        queued: _Buffer | None = None
        for doc in docs:
            held.append(doc)
            waiting += sum(1 for _ in self._needing(doc))
            if waiting >= self.buffer_sentences:
                submitted = self._submit(held)  # queued before the last one is collected
                if queued is not None:
                    yield from self._collect(queued)
                queued, held, waiting = submitted, [], 0
        submitted = self._submit(held) if held else None
        if queued is not None:
            yield from self._collect(queued)
        if submitted is not None:
            yield from self._collect(submitted)

    def _needing(self, doc: Document) -> Iterator[Sentence]:
        if not doc.kept:
            return
        for seg in doc.segments:
            if not seg.kept:
                continue
            for sent in seg.sentences:
                if not sent.kept:
                    continue
                lang = argos_code(sent.lang or UND)
                if lang in (UND, self.target) or not sent.text.strip():
                    continue
                done = sent.translation
                if done is not None and done.target == self.target and sent.pending is None:
                    continue
                yield sent

    def _submit(self, docs: list[Document]) -> _Buffer:
        """Queue the sentences of *docs* on the engine, one job per source language."""
        by_lang: dict[str, list[Sentence]] = defaultdict(list)
        for doc in docs:
            for sent in self._needing(doc):
                by_lang[argos_code(sent.lang)].append(sent)
        buffer = _Buffer(docs, [])
        if not by_lang:
            return buffer
        engine = self.engine()
        for src in sorted(by_lang):
            sents = by_lang[src]
            route = engine.route(src, self.target)
            job = engine.submit([s.text for s in sents], route) if route is not None else None
            buffer.jobs.append((src, sents, route, job))
        return buffer

    def _collect(self, buffer: _Buffer) -> list[Document]:
        """Wait for a buffer's jobs, check the translations and put them on the sentences."""
        settings = self.check_settings()
        for src, sents, route, job in buffer.jobs:
            pair = f"{src}-{self.target}"
            counts = self._pairs.setdefault(
                pair, {"translated": 0, "cached": 0, "pending": 0, "model": None}
            )
            if route is None or job is None:
                for sent in sents:
                    sent.translation, sent.pending = None, pair
                counts["pending"] += len(sents)
                self._missing[pair] = install_commands(src, self.target)
                continue
            texts, from_cache = job.result()
            flags = check_pairs([s.text for s in sents], texts, src, self.target, settings)
            for sent, text, cached, failed in zip(sents, texts, from_cache, flags, strict=True):
                sent.translation = Translation(text, self.target, route.model, failed)
                sent.pending = None
                counts["cached" if cached else "translated"] += 1
            counts["model"] = route.model
        return buffer.docs

    # -- resources -------------------------------------------------------------------
    def check_settings(self) -> CheckSettings:
        bounds = {pair: (float(b[0]), float(b[1])) for pair, b in self.length_ratio.items()}
        return CheckSettings(tuple(self.checks), self.length_slack, bounds)

    def engine(self) -> Engine:
        """The engine, created on first use so building a pipeline loads nothing."""
        if self._engine is None:
            cache = None
            if self.use_cache:
                cache = TranslationCache(self.cache or default_cache_path())
            options = EngineOptions(
                beam_size=self.beam_size,
                max_batch_tokens=self.max_batch_tokens,
                max_decoding_length=self.max_decoding_length,
                device=self.resolved_device,
                compute_type=self.compute_type,
                inter_threads=self.inter_threads,
                intra_threads=self.intra_threads,
                exact_argos=self.exact_argos,
            )
            store = ModelStore(self.models_dir)
            if self._make_engine is not None:  # the executor's (Ray: decoding in actors)
                self._engine = self._make_engine(store, options, cache, pivot=self.pivot,
                                                 device=self.device)
            else:
                self._engine = Engine(store, options, cache, pivot=self.pivot)
        return self._engine

    def attach(self, context: RunContext) -> None:
        self._make_engine = context.translation_engine

    def stats(self) -> dict[str, Any]:
        """``pairs``: per "<src>-<tgt>" sentence counts {translated, cached, pending, model};
        ``missing``: pair → the commands that install a model for it."""
        out: dict[str, Any] = {
            "target": self.target,
            "pairs": {p: dict(c) for p, c in sorted(self._pairs.items())},
            "missing": dict(sorted(self._missing.items())),
        }
        if self._engine is not None:
            inter, intra = self._engine.options.threads()
            out["device"] = self._engine.options.device
            out["threads"] = {"replicas": inter, "per_replica": intra}
            out["models"] = {
                mid: {"path": str(m.package.path)} for mid, m in sorted(self._engine.loaded.items())
            }
            if self._engine.cache is not None:
                out["cache"] = self._engine.cache.stats()
        return out

    def timings(self) -> dict[str, float]:
        """Model load times: volatile, so they go to the manifest's timings, not stats."""
        if self._engine is None:
            return {}
        return {
            f"load {mid}": round(m.load_seconds, 3)
            for mid, m in sorted(self._engine.loaded.items())
        }

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
