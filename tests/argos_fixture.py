"""Tiny but real Argos Translate packages, built without torch and without the internet.

A package is what Argos ships: a zip (``.argosmodel``) holding one directory with
``metadata.json``, ``sentencepiece.model`` (trained here on the given text with
``sentencepiece``) and ``model/`` (a CTranslate2 Transformer written with
``ctranslate2.specs`` and numpy weights). Three kinds:

``copy``    translate(x) == x exactly. Encoder and decoder layers are identities (their
            output projections are zero, the residual carries the input); the one
            cross-attention finds source position t at decoding step t through one-hot
            learned position encodings, copies that token's one-hot into a separate
            subspace, and the output projection reads it back. With
            ``add_source_eos`` the model reaches ``</s>`` exactly at the source's end.
``upper``   the same, except the output projection maps each piece to its upper-case
            piece (when the vocabulary has one): a deterministic, visible
            transformation, so a pivot route ru→en→uk can be told from a direct one.
``random``  any Transformer size (the benchmark uses Transformer-base: 6+6 layers,
            d_model 512, 8 heads, FFN 2048) with seeded random weights; ``</s>`` is
            made unreachable so every sentence decodes exactly ``max_decoding_length``
            steps on any code path.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

# Every letter of both cases, so the character vocabulary has an upper-case piece for
# each lower-case one and ``upper`` really upper-cases.
ALPHABETS = [
    "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789",
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ",
    "іїєґ ІЇЄҐ .,;:!?-—«»\"'()_",
]

SAMPLE_TEXT = [
    "Привет, мир! Это тестовый текст на русском языке.",
    "Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "Hello world. This is a test sentence in English.",
    "The quick brown fox jumps over the lazy dog.",
    "Київ — столиця України. Доброго ранку!",
    "Жовтий їжак ґречно з'їв п'ять груш.",
]

NAMES = {"en": "English", "ru": "Russian", "uk": "Ukrainian", "de": "German", "fr": "French"}


def train_sentencepiece(lines: Iterable[str], *, vocab_size: int = 8000,
                        model_type: str = "char") -> bytes:
    """A serialized SentencePiece model trained on *lines* (quietly, in memory)."""
    import sentencepiece as spm

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(lines)),
        model_writer=buf,
        vocab_size=vocab_size,
        model_type=model_type,
        character_coverage=1.0,
        hard_vocab_limit=False,
        minloglevel=2,
        num_threads=1,
    )
    return buf.getvalue()


def _vocab(sp_model: bytes) -> list[str]:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=sp_model)
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def _zeros(*shape: int) -> np.ndarray:
    return np.zeros(shape, dtype=np.float32)


def _set_linear(layer, weight: np.ndarray) -> None:
    layer.weight = weight.astype(np.float32)
    layer.bias = _zeros(weight.shape[0])


def _set_norm(norm, d: int) -> None:
    norm.gamma = np.ones(d, dtype=np.float32)
    norm.beta = _zeros(d)


def copy_spec(vocab: list[str], *, transform: str = "copy", max_positions: int = 1024):
    """The hand-set copy (or upper-casing) Transformer described in the module doc.

    Positions are written as two one-hot "digits" in base sqrt(max_positions) (so 1024 positions
    need 64 dimensions, not 1024): a query matches a key on both digits only at the
    same position, and the attention scale makes one digit of difference decisive.
    """
    from ctranslate2.specs import transformer_spec

    size = len(vocab)
    digits = int(np.ceil(np.sqrt(max_positions)))
    tok_a, tok_b, pos = 0, size, 2 * size  # subspace offsets: input token, copied, position
    d = 2 * size + 2 * digits
    d += -d % 8
    spec = transformer_spec.TransformerSpec.from_config((1, 1), 1, pre_norm=True,
                                                        no_final_norm=True)
    enc, dec = spec.encoder, spec.decoder
    emb = _zeros(size, d)
    emb[np.arange(size), tok_a + np.arange(size)] = 1.0
    positions = _zeros(max_positions, d)
    steps = np.arange(max_positions)
    positions[steps, pos + steps // digits] = 1.0
    positions[steps, pos + digits + steps % digits] = 1.0
    for side in (enc, dec):
        side.scale_embeddings = False
        side.position_encodings.encodings = positions
    enc.embeddings[0].weight = emb
    dec.embeddings.weight = emb
    for layer in [*enc.layer, *dec.layer]:  # identity blocks: zero output projections
        _set_norm(layer.self_attention.layer_norm, d)
        _set_linear(layer.self_attention.linear[0], _zeros(3 * d, d))
        _set_linear(layer.self_attention.linear[1], _zeros(d, d))
        _set_norm(layer.ffn.layer_norm, d)
        _set_linear(layer.ffn.linear_0, _zeros(8, d))
        _set_linear(layer.ffn.linear_1, _zeros(d, 8))
    cross = dec.layer[0].attention
    _set_norm(cross.layer_norm, d)
    idx_p, idx_v = np.arange(2 * digits), np.arange(size)
    query = _zeros(d, d)
    query[pos + idx_p, pos + idx_p] = 60.0  # sharp: step t attends to source position t only
    _set_linear(cross.linear[0], query)
    key_value = _zeros(2 * d, d)
    key_value[pos + idx_p, pos + idx_p] = 1.0  # keys: the source position
    key_value[d + tok_b + idx_v, tok_a + idx_v] = 1.0  # values: the source token → copied
    _set_linear(cross.linear[1], key_value)
    out = _zeros(d, d)
    out[tok_b + idx_v, tok_b + idx_v] = 40.0
    _set_linear(cross.linear[2], out)
    mapping = np.arange(size)
    if transform == "upper":
        where = {piece: i for i, piece in enumerate(vocab)}
        mapping = np.array([where.get(p.upper(), i) for i, p in enumerate(vocab)])
    elif transform != "copy":
        raise ValueError(f"unknown transform {transform!r}")
    projection = _zeros(size, d)
    projection[mapping, tok_b + idx_v] = 1.0
    _set_linear(dec.projection, projection)
    spec.config.add_source_eos = True
    return spec


def random_spec(vocab: list[str], *, layers: int = 6, d_model: int = 512, heads: int = 8,
                ffn: int = 2048, seed: int = 0, eos_bias: float = -1e4,
                logit_scale: float = 1.0):
    """A Transformer of the given size with seeded random weights. *eos_bias* is added
    to the ``</s>`` logit: by default ``</s>`` is unreachable, so decoding always runs to
    ``max_decoding_length``; a positive bias makes outputs end early, at varied lengths.
    *logit_scale* sharpens the output distribution like a trained model's: with flat
    random logits, near-ties let last-bit float differences (batch padding) flip a beam."""
    from ctranslate2.specs import transformer_spec

    rng = np.random.default_rng(seed)
    size, d = len(vocab), d_model

    def rand(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) / np.sqrt(shape[-1])).astype(np.float32)

    def linear(layer, out_dim: int, in_dim: int) -> None:
        layer.weight = rand(out_dim, in_dim)
        layer.bias = (rng.standard_normal(out_dim) * 0.02).astype(np.float32)

    spec = transformer_spec.TransformerSpec.from_config((layers, layers), heads)
    enc, dec = spec.encoder, spec.decoder
    enc.embeddings[0].weight = rand(size, d)
    dec.embeddings.weight = rand(size, d)
    _set_norm(enc.layer_norm, d)
    _set_norm(dec.layer_norm, d)
    for layer in [*enc.layer, *dec.layer]:
        _set_norm(layer.self_attention.layer_norm, d)
        linear(layer.self_attention.linear[0], 3 * d, d)
        linear(layer.self_attention.linear[1], d, d)
        _set_norm(layer.ffn.layer_norm, d)
        linear(layer.ffn.linear_0, ffn, d)
        linear(layer.ffn.linear_1, d, ffn)
    for layer in dec.layer:
        _set_norm(layer.attention.layer_norm, d)
        linear(layer.attention.linear[0], d, d)
        linear(layer.attention.linear[1], 2 * d, d)
        linear(layer.attention.linear[2], d, d)
    linear(dec.projection, size, d)
    dec.projection.weight *= logit_scale
    dec.projection.bias[vocab.index("</s>")] = eos_bias
    return spec


def build_package(
    dest: str | Path,
    src: str,
    tgt: str,
    *,
    kind: str = "copy",
    version: str = "1.0",
    text: Iterable[str] = (),
    vocab_size: int = 8000,
    model_type: str = "char",
    quantization: str | None = None,
    spec_args: dict | None = None,
) -> Path:
    """Write ``translate-<src>_<tgt>-<version>.argosmodel`` into *dest*; return its path."""
    lines = [*SAMPLE_TEXT, *text, *ALPHABETS]
    sp_model = train_sentencepiece(lines, vocab_size=vocab_size, model_type=model_type)
    vocab = _vocab(sp_model)
    if kind in ("copy", "upper"):
        spec = copy_spec(vocab, transform=kind, **(spec_args or {}))
    elif kind == "random":
        spec = random_spec(vocab, **(spec_args or {}))
    else:
        raise ValueError(f"unknown kind {kind!r}")
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.validate()
    spec.optimize(quantization=quantization)
    name = f"translate-{src}_{tgt}-{version.replace('.', '_')}"
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / name
        (root / "model").mkdir(parents=True)
        spec.save(str(root / "model"))
        (root / "sentencepiece.model").write_bytes(sp_model)
        metadata = {
            "package_version": version,
            "argos_version": "1.9",
            "type": "translate",
            "from_code": src,
            "from_name": NAMES.get(src, src),
            "to_code": tgt,
            "to_name": NAMES.get(tgt, tgt),
            "links": [],
        }
        (root / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
        (root / "README.md").write_text(f"Test package ({kind}), built by tests/argos_fixture.py\n")
        archive = dest / f"{name}.argosmodel"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(root.rglob("*")):
                zf.write(path, path.relative_to(tmp).as_posix())
    return archive


def install(archive: str | Path, models_dir: str | Path) -> None:
    """Install through the real ``argostranslate.package.install_from_path``."""
    from corpus.stages.translate.models import ModelStore

    ModelStore(models_dir).install_file(archive)


def expected(text: str, sp_model: str | Path, kind: str) -> str:
    """What a ``copy`` / ``upper`` package gives for *text*, computed without the model:
    map the pieces, then decode as argostranslate does."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(sp_model))
    vocab = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    pieces = sp.encode(text, out_type=str)
    if kind == "upper":
        known = set(vocab)
        pieces = [p.upper() if p in known and p.upper() in known else p for p in pieces]
    out = sp.decode_pieces(pieces).replace("▁", " ").replace("_", " ")
    return out[1:] if out.startswith(" ") else out
