"""Benchmark: argostranslate.translate() per sentence vs the corpus engine.

Both sides run the same synthetic Argos package - the architecture of Argos' ru→en
model (Transformer base: 6+6 layers, d_model 512, 8 heads, FFN 2048, one SentencePiece
vocabulary shared by source and target, int8 weights as Argos ships them) with seeded
random weights - on the same generated Russian sentences at the same beam size.
Random weights never pick ``</s>`` (the fixture makes it unreachable), so each sentence
decodes exactly ``--max-decoding-length`` steps on both sides: argostranslate gets that
bound through a thin wrapper around its ``ctranslate2.Translator`` (it does not expose the
option), the engine through its own option.

Each side runs in a fresh process so its model load time and peak RSS are its own.
Timings are noisy on a shared machine; the ratio is what to read.

    .venv/bin/python bench/translate.py            # 500 sentences
    .venv/bin/python bench/translate.py --quick    # 100 sentences
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]



def _words(text: str) -> list[str]:
    return text.split()


WORDS = _words(
    "и в не на я быть он с что а по это она этот к но они мы как из у который то за свой "
    "весь год от так о для ты же все тот мочь вы человек такой его сказать только или ещё "
    "бы себя один как уже до время если сам когда другой вот говорить наш мой знать стать "
    "при чтобы дело жизнь кто первый очень два день её новый рука даже во со раз где там "
    "под можно ну какой после их работа без самый потом надо хотеть ли слово идти большой "
    "должен место иметь ничто город страна правительство президент закон рынок компания "
    "новости сегодня вчера завтра москва россия украина власти экономика рубль доллар "
    "вопрос ответ проблема решение развитие система программа проект школа университет "
    "история культура музей театр погода дождь солнце зима лето весна осень улица дом"
)
SYLLABLES = _words(
    "ба ва га да жа за ка ла ма на па ра са та фа ха ца ча ша бе ве ге де же зе ке ле ме не "
    "пе ре се те бо во го до жо зо ко ло мо но по ро со то бу ву гу ду зу ку лу му ну пу ру "
    "су ту ны ры сы ты ль ст тр пр кр ск зд вл ск ия ие ость ение ский ная ное ого ему ами"
)


def pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def sentence(rng: random.Random, words: int) -> str:
    picked = [rng.choice(WORDS) if rng.random() < 0.7 else pseudo_word(rng) for _ in range(words)]
    if words > 6:
        picked[rng.randrange(2, words - 1)] += ","
    text = " ".join(picked)
    return text[0].upper() + text[1:] + rng.choice(".....?!")


def make_sentences(n: int, seed: int) -> list[str]:
    """Mixed lengths: short headlines to long sentences (3-45 words)."""
    rng = random.Random(seed)
    lengths = [rng.choice((3, 4, 5, 6, 8, 10, 12, 15, 18, 22, 28, 35, 45)) for _ in range(n)]
    return [sentence(rng, k) for k in lengths]


def build(work: Path, vocab_size: int, logit_scale: float) -> Path:
    import argos_fixture as af

    models = work / "models"
    if not any(models.glob("translate-ru_en-*")):
        start = time.perf_counter()
        text = make_sentences(30000, seed=1)
        archive = af.build_package(work / "pkg", "ru", "en", kind="random", text=text,
                                   vocab_size=vocab_size, model_type="unigram",
                                   quantization="int8",
                                   spec_args={"seed": 7, "logit_scale": logit_scale})
        af.install(archive, models)
        print(f"built and installed {archive.name} in {time.perf_counter() - start:.1f} s "
              f"({archive.stat().st_size / 2**20:.1f} MB)", file=sys.stderr)
    return models


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_argos(models: str, sentences: list[str], beam: int, max_len: int) -> dict:
    """argostranslate.translate.translate(), one call per sentence, as a user would."""
    import ctranslate2
    from argostranslate import settings
    from argostranslate import translate as argos

    settings.beam_size = beam
    load = {}

    class Bounded:
        """argostranslate's own Translator, with the decoding bound the bench needs."""

        def __init__(self, **kwargs):
            start = time.perf_counter()
            self._t = ctranslate2.Translator(**kwargs)
            load["seconds"] = time.perf_counter() - start

        def translate_batch(self, *args, **kwargs):
            return self._t.translate_batch(*args, max_decoding_length=max_len, **kwargs)

    class WholeSentence:  # MiniSBD would download a model: sentences are split already
        def split_sentences(self, text):
            return [text]

    argos.ctranslate2 = type("ct2", (), {"Translator": Bounded})
    argos.get_translation_from_codes("ru", "en").underlying.sentencizer = WholeSentence()
    start = time.perf_counter()
    outputs = [argos.translate(s, "ru", "en") for s in sentences]
    elapsed = time.perf_counter() - start - load["seconds"]  # load happens in the first call
    return {"outputs": outputs, "seconds": elapsed, "load_seconds": load["seconds"],
            "peak_rss_mb": peak_rss_mb()}


def run_engine(models: str, sentences: list[str], beam: int, max_len: int,
               max_batch_tokens: int) -> dict:
    from corpus.stages.translate.engine import Engine, EngineOptions, load_model, thread_plan
    from corpus.stages.translate.models import ModelStore

    options = EngineOptions(beam_size=beam, max_batch_tokens=max_batch_tokens,
                            max_decoding_length=max_len)
    engine = Engine(ModelStore(models), options, cache=None)
    route = engine.route("ru", "en")
    loaded = load_model(route.hops[0], options)
    start = time.perf_counter()
    outputs, _ = engine.translate(sentences, route)
    elapsed = time.perf_counter() - start
    return {"outputs": outputs, "seconds": elapsed, "load_seconds": loaded.load_seconds,
            "peak_rss_mb": peak_rss_mb(), "threads": thread_plan("cpu", 0, 0)}


def _child(env: dict[str, str], fn_name: str, args: tuple) -> dict:
    os.environ.update(env)
    return globals()[fn_name](*args)


def in_fresh_process(env: dict[str, str], fn_name: str, *args) -> dict:
    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(_child, (env, fn_name, args))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 sentences")
    parser.add_argument("--sentences", type=int, default=500)
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--max-decoding-length", type=int, default=32)
    parser.add_argument("--max-batch-tokens", type=int, default=256)
    parser.add_argument("--vocab-size", type=int, default=16000)
    parser.add_argument(
        "--logit-scale", type=float, default=8.0,
        help="how decisive the random output layer is (trained models are more so)",
    )
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "_out" / "translate")
    args = parser.parse_args()
    n = 100 if args.quick else args.sentences

    work = args.work.resolve() / f"vocab{args.vocab_size}-scale{args.logit_scale:g}"
    env = {f"XDG_{k}_HOME": str(work / "home" / k.lower()) for k in ("DATA", "CONFIG", "CACHE")}
    env["ARGOS_PACKAGES_DIR"] = str(work / "models")
    os.environ.update(env)  # before anything imports argostranslate
    models = build(work, args.vocab_size, args.logit_scale)
    sentences = make_sentences(n, seed=2)
    words = sum(len(s.split()) for s in sentences)

    a = in_fresh_process(env, "run_argos", str(models), sentences, args.beam,
                         args.max_decoding_length)
    b = in_fresh_process(env, "run_engine", str(models), sentences, args.beam,
                         args.max_decoding_length, args.max_batch_tokens)
    same = sum(x == y for x, y in zip(a["outputs"], b["outputs"], strict=True))
    differ = [{"source": s, "argos": x, "engine": y}
              for s, x, y in zip(sentences, a["outputs"], b["outputs"], strict=True) if x != y]
    (work / "mismatches.json").write_text(json.dumps(differ, ensure_ascii=False, indent=1))
    rate_a, rate_b = n / a["seconds"], n / b["seconds"]
    inter, intra = b["threads"]
    print(f"\n{n} Russian sentences ({words} words, 3-45 words each), beam {args.beam}, "
          f"{args.max_decoding_length} decoding steps each, int8, {os.cpu_count()} CPUs\n")
    print("| | sentences/s | model load | peak RSS |")
    print("|---|---:|---:|---:|")
    print(f"| (a) argostranslate.translate() per sentence | {rate_a:.1f} | "
          f"{a['load_seconds']:.2f} s | {a['peak_rss_mb']:.0f} MB |")
    print(f"| (b) corpus engine (batches of {args.max_batch_tokens} tokens, "
          f"inter {inter} × intra {intra} threads) | {rate_b:.1f} | "
          f"{b['load_seconds']:.2f} s | {b['peak_rss_mb']:.0f} MB |")
    print(f"\nratio b/a: **{rate_b / rate_a:.1f}×**; identical outputs: {same}/{n}")
    print(json.dumps({"sentences": n, "argos_per_s": round(rate_a, 2),
                      "engine_per_s": round(rate_b, 2), "ratio": round(rate_b / rate_a, 2),
                      "identical": same}), file=sys.stderr)
    if same != n:
        sys.exit(1)


if __name__ == "__main__":
    main()
