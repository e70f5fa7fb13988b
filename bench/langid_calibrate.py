"""Fit language ID's temperatures (one per text length) on text the benchmark never holds.

Calibration data: the translated strings of this machine's gettext catalogues
(``/usr/share/locale/<lang>/LC_MESSAGES/*.mo``) of packages that
:mod:`corpus.stages.langid.build` does not read (apt, dpkg, coreutils, git, ...), cut into
single words, word pairs and sentences of five words or more, up to ``--per`` of each per
language. For each length class the temperature is the one whose probabilities have the
lowest expected calibration error (0.99 should mean right 99 times in 100), and ``MIN_PROB``
the threshold that answers ``und`` as often as 0.2 did with temperature 1; the detector's
``TEMPERATURES`` hold the result (the probabilities are measured with temperatures
in place of ``temperature(n)``)::

    .venv/bin/python bench/langid_calibrate.py            # prints the table to paste
"""

from __future__ import annotations

import argparse
import gettext
import itertools
import random
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# catalogues of the packages the profiles are built from: never used to calibrate
BUILT_FROM = ("iso_", "gtk", "gdk-pixbuf", "glib20", "at-spi2", "Linux-PAM", "xkeyboard")
GRID = np.round(np.arange(0.5, 6.01, 0.25), 2)
BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.99, 1.0001)


def strings(root: Path, lang: str) -> list[str]:
    out: list[str] = []
    for path in sorted((root / lang / "LC_MESSAGES").glob("*.mo")):
        if path.name.startswith(BUILT_FROM):
            continue
        with path.open("rb") as fh:
            try:
                catalog = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
            except (OSError, UnicodeDecodeError, ValueError):
                continue
        for key, value in sorted(catalog.items(), key=lambda kv: str(kv[0])):
            msgid = key[0] if isinstance(key, tuple) else key
            if msgid and value and value != msgid:
                out.append(value)
    return out




def ece(probs: np.ndarray, ok: np.ndarray) -> float:
    total = 0.0
    for lo, hi in itertools.pairwise(BINS):
        sel = (probs >= lo) & (probs < hi)
        if sel.any():
            total += abs(ok[sel].mean() - probs[sel].mean()) * sel.sum() / len(probs)
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--locale", type=Path, default=Path("/usr/share/locale"))
    ap.add_argument("--per", type=int, default=60)
    args = ap.parse_args()
    from corpus.stages.langid import detector as langid
    from corpus.stages.langid.model import words_of

    rng = random.Random(0)
    known = set(langid.supported_languages())
    rows: list[tuple[str, str, str]] = []  # (lang, class, text)
    for lang in sorted(known):
        texts = strings(args.locale, lang)
        if len(texts) < 50:
            continue
        split = [words_of(t) for t in texts]
        sents = [t for t, w in zip(texts, split, strict=True) if 5 <= len(w) <= 40]
        words = sorted({w for ws in split for w in ws if len(w) >= 3})
        pairs = [" ".join(ws[i:i + 2]) for ws in split for i in range(0, len(ws) - 1, 2)]
        for cls, pool in (("1", words), ("2", pairs), ("5+", sents)):
            pool = sorted(set(pool))
            for text in rng.sample(pool, min(args.per, len(pool))):
                rows.append((lang, cls, text))
    keys = [" ".join(t.split()) for _, _, t in rows]
    analyses = langid._analyse(keys, None)
    print(f"{len(rows)} calibration texts, {len({r[0] for r in rows})} languages")
    fitted: dict[str, float] = {}
    tops: dict[str, list] = {}
    print("| words | texts | temperature | ECE at 1.0 | ECE fitted |")
    print("|---|---|---|---|---|")
    for cls in ("1", "2", "5+"):
        items = [(lang, a) for (lang, c, _), a in zip(rows, analyses, strict=True)
                 if c == cls and a.logits is not None]
        best = None
        for temp in GRID:
            probs, ok = [], []
            for lang, a in items:
                logits = a.logits / temp
                n_words = int(a.parts[2][0])
                if n_words <= langid.PRIOR_WORDS and a.script != "Han":
                    logits = logits + langid._frequent_prior(a.cands)
                post = np.exp(logits - logits.max())
                post /= post.sum()
                k = int(np.argmax(post))
                probs.append(post[k])
                ok.append(a.cands[k] == lang)
            e = ece(np.array(probs), np.array(ok, dtype=float))
            if temp == 1.0:
                base = e
            if best is None or e < best[1]:
                best = (temp, e)
        assert best is not None
        print(f"| {cls} | {len(items)} | {best[0]} | {base:.3f} | {best[1]:.3f} |")
        fitted[cls] = best[0]
        tops[cls] = [(lang, a) for lang, a in items]
    # the und threshold that answers und as often as 0.2 did before calibration (T = 1)
    old, new = [], []
    for cls, items in tops.items():
        for _lang, a in items:
            for temp, out in ((1.0, old), (fitted[cls], new)):
                logits = a.logits / temp
                if int(a.parts[2][0]) <= langid.PRIOR_WORDS and a.script != "Han":
                    logits = logits + langid._frequent_prior(a.cands)
                post = np.exp(logits - logits.max())
                out.append(float((post / post.sum()).max()))
    und = float(np.mean(np.array(old) < 0.2))
    print(f"und below 0.2 at temperature 1: {100 * und:.1f} % of texts; the same share "
          f"with the fitted temperatures: below {np.quantile(np.array(new), und):.3f}")


if __name__ == "__main__":
    main()
