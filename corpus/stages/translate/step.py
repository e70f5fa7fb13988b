"""Step ``translate``: every kept sentence not in the target language, translated offline.

A corpus-wide step: it holds documents back until ``buffer_sentences`` sentences need
translating (so the engine sees big, de-duplicated batches), translates them, and yields
the documents in their original order. What it leaves on each kept sentence whose
``lang`` is neither the target nor ``und``:

* translated: ``sentence.translation = Translation(text, target, model)`` with ``model``
  the package id (``translate-ru_en-1.9``) or the hops joined by ``>`` when pivoting
  (``translate-ru_en-1.9>translate-en_uk-1.9``); ``sentence.pending = None``.
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
from corpus.stages.translate.engine import Engine, EngineOptions, resolve_device
from corpus.stages.translate.models import ModelStore, install_commands
from corpus.stages.translate.routes import argos_code

BOUNDS = (  # far beyond any useful setting; each one multiplies memory or decoding time
    ("beam_size", 64, "hypotheses decoded per sentence"),
    ("max_batch_tokens", 65_536, "source tokens per batch, held with their beams"),
    ("max_decoding_length", 4096, "tokens decoded per sentence"),
    ("buffer_sentences", 200_000, "sentences whose documents are held in memory"),
    ("inter_threads", 256, "each holds a copy of the model"),
    ("intra_threads", 256, "threads per translation"),
)


@register("translate", version=1)
@dataclass
class Translate(Step):
    """Translate sentences through installed Argos packages (CTranslate2, cached)."""

    per_document = False
    transient = frozenset({"_engine", "_make_engine"})  # models, the cache connection
    requires = frozenset({"sentence.lang"})
    provides = frozenset({"sentence.translation"})

    target: str = "en"
    beam_size: int = 4  # Argos' default; output equals argostranslate at the same beam
    max_batch_tokens: int = 256  # source tokens per CTranslate2 batch (Argos: 32)
    max_decoding_length: int = 256  # CTranslate2's default, which Argos keeps
    device: Literal["cpu", "cuda", "auto"] = "cpu"
    compute_type: str = "default"  # keep the package's own (int8 for Argos packages)
    inter_threads: int = 0  # 0: decided from the cores (CPU) or 1 (GPU)
    intra_threads: int = 0
    cache: str | None = None  # SQLite file; None: $CORPUS_CACHE_DIR or ~/.cache/corpus
    use_cache: bool = True
    models_dir: str | None = None  # None: $CORPUS_MODELS_DIR, else Argos' default
    buffer_sentences: int = 2000  # sentences collected before translating
    pivot: str = "en"  # language bridging two packages when no direct one exists

    _engine: Engine | None = field(default=None, init=False, repr=False)
    _make_engine: Callable[..., Engine] | None = field(default=None, init=False, repr=False)
    _pairs: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False)
    _missing: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("beam_size", "max_batch_tokens", "max_decoding_length", "buffer_sentences"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.inter_threads < 0 or self.intra_threads < 0:
            raise ValueError("thread counts must be 0 (automatic) or more")
        for name, limit, why in BOUNDS:
            check_at_most(getattr(self, name), limit, name, why)
        self.target = argos_code(check_translatable(self.target, "target"))
        check_translatable(self.pivot, "pivot")
        self.resolved_device = resolve_device(self.device)  # cuda without a GPU fails here

    # -- the stream ------------------------------------------------------------------
    def __call__(self, docs: Iterable[Document]) -> Iterator[Document]:
        held: list[Document] = []
        waiting = 0
        for doc in docs:
            held.append(doc)
            waiting += sum(1 for _ in self._needing(doc))
            if waiting >= self.buffer_sentences:
                self._translate(held)
                yield from held
                held, waiting = [], 0
        if held:
            self._translate(held)
            yield from held

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

    def _translate(self, docs: list[Document]) -> None:
        by_lang: dict[str, list[Sentence]] = defaultdict(list)
        for doc in docs:
            for sent in self._needing(doc):
                by_lang[argos_code(sent.lang)].append(sent)
        if not by_lang:
            return
        engine = self.engine()
        for src in sorted(by_lang):
            sents = by_lang[src]
            pair = f"{src}-{self.target}"
            counts = self._pairs.setdefault(
                pair, {"translated": 0, "cached": 0, "pending": 0, "model": None}
            )
            route = engine.route(src, self.target)
            if route is None:
                for sent in sents:
                    sent.translation, sent.pending = None, pair
                counts["pending"] += len(sents)
                self._missing[pair] = install_commands(src, self.target)
                continue
            texts, from_cache = engine.translate([s.text for s in sents], route)
            for sent, text, cached in zip(sents, texts, from_cache, strict=True):
                sent.translation = Translation(text=text, target=self.target, model=route.model)
                sent.pending = None
                counts["cached" if cached else "translated"] += 1
            counts["model"] = route.model

    # -- resources -------------------------------------------------------------------
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
            out["device"] = self._engine.options.device
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
