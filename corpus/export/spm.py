"""SentencePiece models trained on a build OUT folder, stored beside the corpus.

SentencePiece reads the corpus files itself (``mono/<lang>.txt``, ``parallel/*``), so
Python never holds the corpus; for large inputs its own sampler keeps a uniform sample
of ``input_sentence_size`` sentences (``shuffle_input_sentence``) while it streams.
Training is seeded, and the model is written from memory (``model_writer``) so its bytes
do not embed a temporary path: the same OUT and options give the same model.

Layout: ``OUT/spm/<name>.model`` and ``OUT/spm/<name>.vocab`` (``<name>`` defaults to
``<model_type>-<pieces>``: the pieces the model really holds, which a small corpus
makes fewer than ``--vocab-size``), and ``manifest.json["spm"][<name>]`` records the config.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from corpus.errors import ConfigError
from corpus.export.outdir import update_manifest

Sides = Literal["all", "mono", "parallel"]
_PAIR_FILE = re.compile(r"^(?P<src>[A-Za-z0-9_]+)-(?P<tgt>[A-Za-z0-9_]+)\.(?P<side>[A-Za-z0-9_]+)$")


def load_model(path: str | Path) -> Any:
    """A ``SentencePieceProcessor`` for *path* (a ``.model`` file, or an OUT folder with
    exactly one model under ``spm/``)."""
    import sentencepiece as spm

    model = resolve_model(Path(path))
    return spm.SentencePieceProcessor(model_file=str(model))


def resolve_model(path: Path) -> Path:
    if path.is_dir():
        models = sorted((path / "spm").glob("*.model")) or sorted(path.glob("*.model"))
        if len(models) != 1:
            found = ", ".join(m.name for m in models) or "none"
            raise ConfigError(f"{path}: expected exactly one .model (found: {found})")
        return models[0]
    if not path.is_file():
        raise ConfigError(f"SentencePiece model not found: {path}")
    return path


def training_files(out: Path, sides: Sides = "all", langs: Iterable[str] = ()) -> list[Path]:
    """The corpus files to train on, sorted, each sentence once.

    ``mono``: ``mono/<lang>.txt`` (every kept sentence in its own language). ``parallel``:
    both sides of ``parallel/<src>-<tgt>.*``. ``all``: mono plus the *translation* sides,
    since the source sides repeat mono sentences. *langs* keeps files in those languages.
    """
    wanted = set(langs)
    files: list[Path] = []
    if sides in ("all", "mono"):
        for path in sorted((out / "mono").glob("*.txt")):
            if not wanted or path.stem in wanted:
                files.append(path)
    if sides in ("all", "parallel"):
        for path in sorted((out / "parallel").glob("*")):
            m = _PAIR_FILE.match(path.name)
            if not m or m["side"] not in (m["src"], m["tgt"]):
                continue  # .ids and anything else
            if sides == "all" and m["side"] != m["tgt"]:
                continue
            if not wanted or m["side"] in wanted:
                files.append(path)
    return [p for p in files if p.stat().st_size > 0]


@dataclass
class SpmConfig:
    vocab_size: int = 8000
    model_type: Literal["unigram", "bpe"] = "unigram"
    sides: Sides = "all"
    langs: list[str] = field(default_factory=list)
    sample: int = 2_000_000  # sentences sampled by SentencePiece; 0 = all
    character_coverage: float = 0.9995
    hard_vocab_limit: bool = False  # False: a small corpus gets a smaller vocabulary
    byte_fallback: bool = False
    seed: int = 1
    threads: int = 0  # 0 = all cores; the result does not depend on it

    def options(self) -> dict[str, Any]:
        opts: dict[str, Any] = {
            "vocab_size": self.vocab_size,
            "model_type": self.model_type,
            "character_coverage": self.character_coverage,
            "hard_vocab_limit": self.hard_vocab_limit,
            "byte_fallback": self.byte_fallback,
            "num_threads": self.threads or os.cpu_count() or 1,
            "minloglevel": 2,
        }
        if self.sample:
            opts.update(input_sentence_size=self.sample, shuffle_input_sentence=True)
        return opts


def train(out: Path, config: SpmConfig, name: str = "") -> dict[str, Any]:
    """Train a model on OUT's files; write it under OUT/spm/ and record it in the manifest.

    Returns the manifest entry. Files are written to temporary names and renamed, then
    the manifest is updated atomically.
    """
    import sentencepiece as spm

    if config.vocab_size < 8:
        raise ConfigError("--vocab-size must be at least 8")
    files = training_files(out, config.sides, config.langs)
    if not files:
        langs = ",".join(config.langs) or "any language"
        where = {"all": "mono/ and parallel/", "mono": "mono/", "parallel": "parallel/"}
        raise ConfigError(
            f"{out}: nothing to train on for {langs} in {where[config.sides]} (--sides, --lang)"
        )
    if name and not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise ConfigError(f"model name {name!r}: use letters, digits, '.', '_' or '-'")
    buf = io.BytesIO()
    spm.set_random_generator_seed(config.seed)
    try:
        spm.SentencePieceTrainer.train(
            input=[str(p) for p in files], model_writer=buf, **config.options()
        )
    except RuntimeError as exc:
        raise ConfigError(f"SentencePiece training failed: {exc}") from None
    proto = buf.getvalue()
    sp = spm.SentencePieceProcessor(model_proto=proto)
    # named by the pieces it holds: a small corpus gives fewer than --vocab-size asked
    # for, and "unigram-8000.model" holding 748 pieces misleads whoever loads it
    name = name or f"{config.model_type}-{sp.get_piece_size()}"
    folder = out / "spm"
    folder.mkdir(exist_ok=True)
    model_path, vocab_path = folder / f"{name}.model", folder / f"{name}.vocab"
    _write_atomic(model_path, proto)
    vocab = "".join(
        f"{sp.id_to_piece(i)}\t{sp.get_score(i):g}\n" for i in range(sp.get_piece_size())
    )
    _write_atomic(vocab_path, vocab.encode("utf-8"))
    entry = {
        "model": str(model_path.relative_to(out)),
        "vocab": str(vocab_path.relative_to(out)),
        "sha256": hashlib.sha256(proto).hexdigest(),
        "pieces": sp.get_piece_size(),
        "inputs": [str(p.relative_to(out)) for p in files],
        "config": {k: v for k, v in asdict(config).items() if k != "threads"},
        "sentencepiece": spm.__version__,
    }
    update_manifest(out, "spm", name, entry)
    return entry


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def encode_lines(
    sp: Any, lines: Iterable[str], *, ids: bool = False
) -> Iterator[str]:
    """One output line per input line: pieces (or ids) separated by spaces."""
    for line in lines:
        text = line.rstrip("\r\n")
        if ids:
            yield " ".join(map(str, sp.encode(text)))
        else:
            yield " ".join(sp.encode(text, out_type=str))
