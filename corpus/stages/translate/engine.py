"""The translation engine: sentences from many documents, decoded in big asynchronous batches.

argostranslate's ``translate()`` handles one text at a time with 32-token batches and
downloads a sentence splitter on first use; here sentences are already split, so the
engine collects them across documents, removes duplicates, asks the cache, SentencePiece-
encodes the misses with each package's own model and queues every batch on CTranslate2
at once (``asynchronous=True``, an unbounded queue): while the replicas decode, this
thread decodes finished batches, writes the cache and lets the translate step read the
next documents, so the decoder never waits for Python. Decoding settings and
post-processing are Argos' own (beam 4 by default, ``length_penalty=0.2``,
``replace_unknowns=True``, "_" read as a space, target prefix and the tokenizer's
leading space removed). Batches mix source lengths (:mod:`.batching`); with
``exact_argos`` they hold one length each and the output equals ``argostranslate``.

:meth:`Engine.submit` starts a job and returns at once; :meth:`Job.result` waits for it.
A text submitted while an earlier job still translates it is taken from that job, as
it would have been from the cache, so overlapping jobs never translate a text twice.

Models are loaded once per process (``load_model`` keeps them) and never downloaded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

# imported here, not on first use: a pipeline with a translate step fails when it is
# built, naming the broken package, not hours later at the first foreign sentence
import ctranslate2
import sentencepiece

from corpus.errors import ConfigError, ModelError
from corpus.stages.translate.batching import batch_tokens, plan_batches, thread_plan
from corpus.stages.translate.cache import TranslationCache, cache_key
from corpus.stages.translate.models import InstalledModel, ModelStore
from corpus.stages.translate.routes import Route, find_route

LENGTH_PENALTY = 0.2  # argostranslate's value; part of the cache key
DEVICES = ("cpu", "cuda", "auto")
COMMIT_EVERY = 4096  # translations per cache transaction: few fsyncs, little lost on a crash

Tokens = list[str]
Waiter = Callable[[], list[Tokens]]  # blocks until one batch is decoded; its hypotheses


def cuda_device_count() -> int:
    try:
        return int(ctranslate2.get_cuda_device_count())
    except Exception:  # a CTranslate2 build without CUDA, or a broken driver
        return 0


def resolve_device(device: str) -> str:
    """``cpu`` / ``cuda`` / ``auto`` → the device to use; ``cuda`` without a GPU is an error."""
    if device not in DEVICES:
        raise ConfigError(f"device must be one of {', '.join(DEVICES)}, not {device!r}")
    if device == "cpu":
        return "cpu"
    count = cuda_device_count()
    if device == "auto":
        return "cuda" if count > 0 else "cpu"
    if count == 0:
        raise ConfigError(
            "device = \"cuda\" but CTranslate2 sees no usable CUDA GPU "
            "(ctranslate2.get_cuda_device_count() == 0: no GPU, no driver, or a CPU-only "
            "build). Use device = \"cpu\" or \"auto\"."
        )
    return "cuda"


@dataclass(frozen=True)
class EngineOptions:
    beam_size: int = 4
    max_batch_tokens: int = 0  # padded source tokens per batch; 0: the device's default
    max_decoding_length: int = 256
    device: str = "cpu"  # already resolved: cpu | cuda
    compute_type: str = "default"  # "default" keeps the package's own type, as argos does
    inter_threads: int = 0
    intra_threads: int = 0
    exact_argos: bool = False  # one source length per batch: output equal to argostranslate

    def decoding_signature(self) -> str:
        """What changes the output (batch size and threads do not, beyond the last bits
        mixed-length batches may flip; ``exact_argos`` runs keep a cache of their own)."""
        return (f"beam={self.beam_size};lp={LENGTH_PENALTY};max_len={self.max_decoding_length};"
                f"unk=replace;ct={self.compute_type};dev={self.device}"
                + (";exact" if self.exact_argos else ""))

    def threads(self) -> tuple[int, int]:
        return thread_plan(self.device, self.inter_threads, self.intra_threads)

    def batch_tokens(self) -> int:
        return batch_tokens(self.device, self.max_batch_tokens)


@dataclass
class LoadedModel:
    package: InstalledModel
    translator: Any  # ctranslate2.Translator
    sp: Any  # sentencepiece.SentencePieceProcessor
    key: str  # package id + fingerprint: the cache's model key
    load_seconds: float


_LOADED: dict[tuple[str, str, str, int, int], LoadedModel] = {}
_LOAD_LOCK = threading.Lock()


def load_model(package: InstalledModel, options: EngineOptions) -> LoadedModel:
    """The model of *package*, loaded at most once per process and settings."""
    inter, intra = options.threads()
    slot = (str(package.path.resolve()), options.device, options.compute_type, inter, intra)
    with _LOAD_LOCK:
        loaded = _LOADED.get(slot)
        if loaded is not None:
            return loaded
        start = time.perf_counter()
        try:
            translator = ctranslate2.Translator(
                str(package.model_dir),
                device=options.device,
                compute_type=options.compute_type,
                inter_threads=inter,
                intra_threads=intra,
                max_queued_batches=-1,  # never block the thread that queues
            )
            sp = sentencepiece.SentencePieceProcessor(model_file=str(package.sp_model))
        except Exception as exc:  # a damaged model.bin or .model: ctranslate2 raises
            # RuntimeError, IndexError or ValueError depending on where the bytes break
            src, tgt = package.from_code, package.to_code
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise ModelError(
                f"the installed package {package.id} ({package.path}) cannot be loaded: "
                f"{reason}. Reinstall it: corpus models remove {src} {tgt}, then corpus "
                f"models install {src} {tgt} (or corpus models install FILE.argosmodel)"
            ) from None
        key = f"{package.id}@{package.fingerprint()}"
        loaded = LoadedModel(package, translator, sp, key, time.perf_counter() - start)
        _LOADED[slot] = loaded
        return loaded


def unload_models() -> None:
    """Forget every loaded model (the bench times cold starts with it)."""
    with _LOAD_LOCK:
        _LOADED.clear()


def decode(sp: Any, tokens: Sequence[str], target_prefix: str) -> str:
    """Tokens → text exactly as argostranslate post-processes them."""
    text = sp.decode_pieces(list(tokens)).replace("▁", " ").replace("_", " ")
    if target_prefix and text.startswith(target_prefix):
        text = text[len(target_prefix):]
    return text[1:] if text.startswith(" ") else text


def decode_batch(model: LoadedModel, batches: list[list[Tokens]],
                 options: EngineOptions) -> list[Waiter]:
    """Queue *batches* on the model's translator; one waiter per batch, in order."""
    prefix = model.package.target_prefix
    waiters: list[Waiter] = []
    for batch in batches:
        results = model.translator.translate_batch(
            batch,
            target_prefix=[[prefix]] * len(batch) if prefix else None,
            beam_size=options.beam_size,
            num_hypotheses=1,
            length_penalty=LENGTH_PENALTY,
            replace_unknowns=True,
            max_batch_size=0,  # the batch is ours, as planned
            max_decoding_length=options.max_decoding_length,
            asynchronous=True,
        )
        waiters.append(lambda results=results: [r.result().hypotheses[0] for r in results])
    return waiters


class _Hop:
    """One model applied to a list of texts: started on creation, finished by ``wait``.

    Texts come from the cache, from an earlier hop of the same model still in flight
    (``borrowed``: counted like cache hits), or are translated here (``own``), line by
    line like argostranslate (a text holding newlines is translated line by line and
    joined again; empty lines stay empty, leading ones go).
    """

    def __init__(self, engine: Engine, model: LoadedModel, texts: Sequence[str]) -> None:
        self.engine, self.model = engine, model
        signature = engine.options.decoding_signature()
        unique = sorted(set(texts))
        self.keys = {t: cache_key(model.key, signature, t) for t in unique}
        cache = engine.cache
        hits = cache.get_many(list(self.keys.values())) if cache is not None else {}
        self.done: dict[str, str] = {t: hits[k] for t, k in self.keys.items() if k in hits}
        self.borrowed: dict[str, _Hop] = {}
        self.own: list[str] = []
        for text in unique:
            if text in self.done:
                continue
            owner = engine._inflight.get(self.keys[text])
            if owner is not None:
                self.borrowed[text] = owner
            else:
                self.own.append(text)
                engine._inflight[self.keys[text]] = self
        lines = sorted({line for t in self.own for line in t.split("\n")})
        encoded = model.sp.encode(lines, out_type=str) if lines else []
        self.tokens = dict(zip(lines, encoded, strict=True))
        self.line_out = {line: "" for line in lines}
        self.line_texts: dict[str, list[str]] = {}
        self.missing: dict[str, int] = {}
        for text in self.own:
            needed = {line for line in text.split("\n") if self.tokens[line]}
            self.missing[text] = len(needed)
            for line in needed:
                self.line_texts.setdefault(line, []).append(text)
        options = engine.options
        inter, _ = options.threads()
        self.batches = plan_batches(
            {line: len(tokens) for line, tokens in self.tokens.items() if tokens},
            options.batch_tokens(), one_length=options.exact_argos, replicas=inter,
        )
        self.waiters = engine._decode(model, [[self.tokens[x] for x in b] for b in self.batches])
        self._finished = False

    def wait(self) -> tuple[dict[str, str], set[str]]:
        """Translations of every text of the hop, and the texts translated here."""
        if self._finished:
            return self.done, set(self.own)
        prefix = self.model.package.target_prefix
        unsaved: dict[bytes, str] = {}
        try:
            for text in self.own:
                if not self.missing[text]:
                    self._finish_text(text, unsaved)
            for batch, waiter in zip(self.batches, self.waiters, strict=True):
                for line, hypothesis in zip(batch, waiter(), strict=True):
                    self.line_out[line] = decode(self.model.sp, hypothesis, prefix)
                    for text in self.line_texts[line]:
                        self.missing[text] -= 1
                        if not self.missing[text]:
                            self._finish_text(text, unsaved)
                if len(unsaved) >= self.engine.commit_every:
                    self._save(unsaved)
            self._save(unsaved)
        finally:
            for text in self.own:
                self.engine._inflight.pop(self.keys[text], None)
        for text, owner in self.borrowed.items():
            self.done[text] = owner.wait()[0][text]
        self._finished = True
        return self.done, set(self.own)

    def _finish_text(self, text: str, unsaved: dict[bytes, str]) -> None:
        out = "\n".join(self.line_out[line] for line in text.split("\n")).lstrip("\n")
        self.done[text] = out
        unsaved[self.keys[text]] = out

    def _save(self, unsaved: dict[bytes, str]) -> None:
        """One transaction for everything finished since the last one."""
        if unsaved and self.engine.cache is not None:
            self.engine.cache.put_many(self.model.key, unsaved)
        unsaved.clear()


class Job:
    """Texts on their way through a route: hop 1 is queued when the job is created; each
    later hop (a pivot) starts when the one before it is done."""

    def __init__(self, engine: Engine, texts: Sequence[str], route: Route) -> None:
        self.engine, self.route = engine, route
        self.current = list(texts)
        self.all_cached = [True] * len(self.current)
        self._next = 1
        self._hop = _Hop(engine, engine.model(route.hops[0]), self.current)
        self._result: tuple[list[str], list[bool]] | None = None

    def result(self) -> tuple[list[str], list[bool]]:
        """Translations (same order as submitted) and, for each, whether every hop came
        from the cache (or from a job that was already translating it)."""
        while self._result is None:
            done, fresh = self._hop.wait()
            self.all_cached = [c and t not in fresh
                               for c, t in zip(self.all_cached, self.current, strict=True)]
            self.current = [done[t] for t in self.current]
            if self._next == len(self.route.hops):
                self._result = (self.current, self.all_cached)
            else:
                package = self.route.hops[self._next]
                self._next += 1
                self._hop = _Hop(self.engine, self.engine.model(package), self.current)
        return self._result


@dataclass
class Engine:
    """Translate lists of sentences along a ``Route``; results are cached per hop."""

    store: ModelStore
    options: EngineOptions = field(default_factory=EngineOptions)
    cache: TranslationCache | None = None
    pivot: str = "en"
    commit_every: int = COMMIT_EVERY  # translations per cache transaction
    _installed: dict[tuple[str, str], InstalledModel] | None = field(default=None, repr=False)
    loaded: dict[str, LoadedModel] = field(default_factory=dict, repr=False)
    _inflight: dict[bytes, _Hop] = field(default_factory=dict, repr=False)

    def route(self, src: str, tgt: str) -> Route | None:
        if self._installed is None:
            self._installed = self.store.best()
        return find_route(self._installed, src, tgt, pivot=self.pivot)

    def model(self, package: InstalledModel) -> LoadedModel:
        loaded = load_model(package, self.options)
        self.loaded[package.id] = loaded
        return loaded

    def submit(self, texts: Sequence[str], route: Route) -> Job:
        """Start translating *texts*; returns at once (the batches are queued)."""
        return Job(self, texts, route)

    def translate(self, texts: Sequence[str], route: Route) -> tuple[list[str], list[bool]]:
        """Translations of *texts* (same order) and, for each, whether every hop came
        from the cache."""
        return self.submit(texts, route).result()

    def _decode(self, model: LoadedModel, batches: list[list[Tokens]]) -> list[Waiter]:
        """Queue the batches for decoding (here; a subclass may decode elsewhere)."""
        return decode_batch(model, batches, self.options)

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
