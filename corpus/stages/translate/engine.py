"""The translation engine: many sentences, one ``translate_batch`` call per chunk.

argostranslate's ``translate()`` handles one text at a time with 32-token batches and
downloads a sentence splitter on first use; here sentences are already split, so the
engine collects them across documents, removes duplicates, asks the cache, SentencePiece-
encodes the misses with each package's own model and sends them to CTranslate2 in
length-sorted, token-bounded batches. Decoding settings and post-processing are Argos'
own (beam 4 by default, ``length_penalty=0.2``, ``replace_unknowns=True``, "_" read as a
space, target prefix and the tokenizer's leading space removed), so the output equals
``argostranslate.translate`` for the same package and beam size.

Models are loaded once per process (``load_model`` keeps them) and never downloaded.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

# imported here, not on first use: a pipeline with a translate step fails when it is
# built, naming the broken package, not hours later at the first foreign sentence
import ctranslate2
import sentencepiece

from corpus.errors import ConfigError, ModelError
from corpus.stages.translate.cache import TranslationCache, cache_key
from corpus.stages.translate.models import InstalledModel, ModelStore
from corpus.stages.translate.routes import Route, find_route

LENGTH_PENALTY = 0.2  # argostranslate's value; part of the cache key
DEVICES = ("cpu", "cuda", "auto")


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


def thread_plan(device: str, inter: int, intra: int) -> tuple[int, int]:
    """Threads when left at 0: on CPU, one translator replica per core pair is what pays
    (measured: 2 cores → inter 2 × intra 1 beats 1 × 2); on GPU one replica."""
    if device == "cuda":
        return inter or 1, intra or 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    intra = intra or (1 if cores <= 4 else 4)
    inter = inter or max(1, cores // intra)
    return inter, intra


@dataclass(frozen=True)
class EngineOptions:
    beam_size: int = 4
    max_batch_tokens: int = 256
    max_decoding_length: int = 256
    device: str = "cpu"  # already resolved: cpu | cuda
    compute_type: str = "default"  # "default" keeps the package's own type, as argos does
    inter_threads: int = 0
    intra_threads: int = 0

    def decoding_signature(self) -> str:
        """What changes the output (batch size and threads do not)."""
        return (f"beam={self.beam_size};lp={LENGTH_PENALTY};max_len={self.max_decoding_length};"
                f"unk=replace;ct={self.compute_type};dev={self.device}")


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
    inter, intra = thread_plan(options.device, options.inter_threads, options.intra_threads)
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


def decode(sp: Any, tokens: Sequence[str], target_prefix: str) -> str:
    """Tokens → text exactly as argostranslate post-processes them."""
    text = sp.decode_pieces(list(tokens)).replace("▁", " ").replace("_", " ")
    if target_prefix and text.startswith(target_prefix):
        text = text[len(target_prefix):]
    return text[1:] if text.startswith(" ") else text


@dataclass
class HopCounts:
    cached: int = 0  # unique texts served from the cache
    translated: int = 0  # unique texts sent to the model


@dataclass
class Engine:
    """Translate lists of sentences along a ``Route``; results are cached per hop."""

    store: ModelStore
    options: EngineOptions = field(default_factory=EngineOptions)
    cache: TranslationCache | None = None
    pivot: str = "en"
    chunk_batches: int = 8  # translate_batch calls hold this many batches; cache commits after each
    _installed: dict[tuple[str, str], InstalledModel] | None = field(default=None, repr=False)
    loaded: dict[str, LoadedModel] = field(default_factory=dict, repr=False)

    def route(self, src: str, tgt: str) -> Route | None:
        if self._installed is None:
            self._installed = self.store.best()
        return find_route(self._installed, src, tgt, pivot=self.pivot)

    def model(self, package: InstalledModel) -> LoadedModel:
        loaded = load_model(package, self.options)
        self.loaded[package.id] = loaded
        return loaded

    def translate(self, texts: Sequence[str], route: Route) -> tuple[list[str], list[bool]]:
        """Translations of *texts* (same order) and, for each, whether every hop came
        from the cache."""
        current = list(texts)
        all_cached = [True] * len(current)
        for package in route.hops:
            done, fresh = self._hop(self.model(package), current)
            all_cached = [c and t not in fresh for c, t in zip(all_cached, current, strict=True)]
            current = [done[t] for t in current]
        return current, all_cached

    def _hop(self, model: LoadedModel, texts: Sequence[str]) -> tuple[dict[str, str], set[str]]:
        unique = sorted(set(texts))
        signature = self.options.decoding_signature()
        keys = {t: cache_key(model.key, signature, t) for t in unique}
        hits = self.cache.get_many(list(keys.values())) if self.cache else {}
        done = {t: hits[k] for t, k in keys.items() if k in hits}
        misses = [t for t in unique if t not in done]
        for outputs in self._translate(model, self._chunks(model, misses)):
            done.update(outputs)
            if self.cache is not None:  # committed chunk by chunk: a crash loses one chunk
                self.cache.put_many(model.key, {keys[t]: o for t, o in outputs.items()})
        return done, set(misses)

    def _translate(self, model: LoadedModel, chunks: list[list[str]]) -> Iterator[dict[str, str]]:
        """Translations of each chunk, in order (here; a subclass may run them elsewhere)."""
        for chunk in chunks:
            yield self.run_chunk(model, chunk)

    def _chunks(self, model: LoadedModel, texts: list[str]) -> list[list[str]]:
        """Length-sorted groups of about ``chunk_batches`` token-bounded batches."""
        lengths = {t: len(model.sp.encode(t)) for t in texts}
        ordered = sorted(texts, key=lambda t: (lengths[t], t))
        budget = self.options.max_batch_tokens * self.chunk_batches
        chunks: list[list[str]] = []
        current: list[str] = []
        used = 0
        for text in ordered:
            if current and used + lengths[text] > budget:
                chunks.append(current)
                current, used = [], 0
            current.append(text)
            used += lengths[text]
        if current:
            chunks.append(current)
        return chunks

    def _batches(self, todo: list[str], tokens: dict[str, list[str]]) -> list[list[str]]:
        """Batches of at most ``max_batch_tokens`` tokens, every one of a single length.

        Padding a shorter source in a mixed-length batch changes CTranslate2's arithmetic
        slightly, and with beam search a last-bit difference can change the output. With
        one source length per batch nothing is padded, so every sentence is translated
        exactly as ``argostranslate`` translates it alone (the bench checks 500/500).
        """
        batches: list[list[str]] = []
        current: list[str] = []
        for line in todo:  # sorted by token length
            size = len(tokens[line])
            if current and (
                len(tokens[current[0]]) != size
                or (len(current) + 1) * size > self.options.max_batch_tokens
            ):
                batches.append(current)
                current = []
            current.append(line)
        if current:
            batches.append(current)
        return batches

    def run_chunk(self, model: LoadedModel, texts: list[str]) -> dict[str, str]:
        """One ``translate_batch`` over every line of *texts*.

        Like argostranslate, a text holding newlines is translated line by line and
        joined again; an empty line stays empty (and leading ones go, as in argos).
        """
        lines = sorted({line for t in texts for line in t.split("\n")})
        tokens = {line: model.sp.encode(line, out_type=str) for line in lines}
        todo = sorted((line for line in lines if tokens[line]), key=lambda x: len(tokens[x]))
        out = {line: "" for line in lines}
        prefix = model.package.target_prefix
        pending = []
        for batch in self._batches(todo, tokens):
            pending.append((batch, model.translator.translate_batch(
                [tokens[line] for line in batch],
                target_prefix=[[prefix]] * len(batch) if prefix else None,
                beam_size=self.options.beam_size,
                num_hypotheses=1,
                length_penalty=LENGTH_PENALTY,
                replace_unknowns=True,
                max_batch_size=0,
                max_decoding_length=self.options.max_decoding_length,
                asynchronous=True,  # the batches run in parallel on inter_threads replicas
            )))
        for batch, results in pending:
            for line, result in zip(batch, results, strict=True):
                out[line] = decode(model.sp, result.result().hypotheses[0], prefix)
        # argostranslate joins paragraphs with "\n" and strips leading newlines
        return {t: "\n".join(out[line] for line in t.split("\n")).lstrip("\n") for t in texts}

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
