"""The run summary printed after ``corpus build``: what came in, what was kept, why not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpus.records import TRANSLATION_FLAGS


def format_summary(manifest: dict[str, Any], out: str, seconds: float, missing: list[str]) -> str:
    counts = manifest["counts"]
    docs = counts["documents"]
    lines = [
        f"corpus build → {out}  ({seconds:.1f} s)",
        f"  documents: {docs['in']} in, {docs['kept']} kept, {docs['dropped']} dropped, "
        f"{docs['error']} errors",
    ]
    if docs["by_reason"]:
        reasons = ", ".join(f"{k} {v}" for k, v in docs["by_reason"].items())
        lines.append(f"    not kept: {reasons}")
    segs = counts["segments"]
    lines.append(f"  segments: {segs['total']} ({segs['kept']} kept)")
    if segs["dropped_by_reason"]:
        top = sorted(segs["dropped_by_reason"].items(), key=lambda kv: (-kv[1], kv[0]))[:8]
        lines.append("    dropped: " + ", ".join(f"{k} {v}" for k, v in top))
    by_lang = segs["by_lang"]
    if by_lang:
        lines.append(
            "    by language (kept/dropped): "
            + ", ".join(f"{lang} {n['kept']}/{n['dropped']}" for lang, n in by_lang.items())
        )
    sents = counts["sentences"]
    per_lang = ", ".join(f"{lang} {n}" for lang, n in sents["by_lang"].items())
    lines.append(f"  sentences: {sents['total']}" + (f" ({per_lang})" if per_lang else ""))
    kept_flagged = bool(manifest.get("pipeline", {}).get("output", {}).get("parallel_flagged"))
    for pair, n in counts.get("translation", {}).items():
        lines += ["  " + line for line in translation_lines(pair, n, kept_flagged)]
    if missing:
        lines.append("  missing translation models (sentences left pending):")
        for pair in missing:
            src, tgt = pair.split("-", 1)
            lines.append(
                f"    {pair}: corpus models install {src} {tgt}   "
                f"(offline: corpus models install FILE.argosmodel)"
            )
        lines.append(f"    then: corpus translate {out}")
    if manifest.get("pipeline", {}).get("output", {}).get("audit", True):
        # the one next step every build has: where to look at what it did
        report = Path(out) / "audit.html"
        lines.append(f"  audit report: {report}  (open it in a browser; "
                     f"`corpus audit {out} --foreign` at the terminal)")
    return "\n".join(lines)


def translation_lines(pair: str, n: dict[str, Any], kept_flagged: bool = False) -> list[str]:
    """One pair's translation counts, and why any were flagged (``corpus build`` and
    ``corpus translate`` print the same)."""
    lines = [f"translation {pair}: {n['translated']} translated ({n['new']} new, "
             f"{n['cached']} from cache), {n['pending']} pending"]
    if n.get("flagged"):
        where = "kept in parallel/" if kept_flagged else "left out of parallel/"
        why = ", ".join(f"{TRANSLATION_FLAGS.get(flag, flag)} {count}"
                        for flag, count in sorted(n.get("flags", {}).items(),
                                                  key=lambda kv: (-kv[1], kv[0])))
        lines.append(f"  {n['flagged']} flagged, {where}: {why}")
    return lines
