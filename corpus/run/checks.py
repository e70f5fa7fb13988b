"""What ``--resume`` and ``--append`` build on, checked before anything is touched.

``--append`` used to trust what it found: with ``mono/`` deleted it exited 0 and
``mono/`` held one line against 46 sentences; a garbled ``state.pkl`` or
``manifest.json`` was a traceback; ``--resume`` with other inputs than the checkpoint's
silently started a fresh build and threw the checkpoint away. Now:

* ``--resume``: the checkpoint must be this version's and intact (its checksum), of the
  same pipeline and the same inputs, and its staging folder must still hold at least
  the bytes it counted. Otherwise the run stops (exit 2) saying why, unless
  ``--restart`` says to discard the checkpoint and start over.
* ``--append``: the final state must be this version's and intact, of the same
  pipeline; ``manifest.json`` must parse and list the inputs the state counted; every
  file the state continues (``sentences.jsonl``, ``mono/``, ``parallel/`` …) must be in
  OUT with the size, line count and sha256 the build recorded. The files are checked
  while they are copied into the staging folder, so OUT is read once; on a mismatch the
  staging folder goes and OUT is as it was. The message names the file and says to
  rebuild without ``--append``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from corpus.errors import MismatchError

CHUNK = 1 << 20


def differences(old: Any, new: Any, where: str = "") -> list[str]:
    """Where two resolved pipelines differ, as ``key: old → new`` (first few only)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in sorted(set(old) | set(new)):
            name = f"{where}.{key}" if where else str(key)
            if key not in old:
                out.append(f"{name} added")
            elif key not in new:
                out.append(f"{name} removed")
            else:
                out += differences(old[key], new[key], name)
        return out
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return [f"{where}: {len(old)} → {len(new)} entries"]
        return [d for n, (a, b) in enumerate(zip(old, new, strict=True))
                for d in differences(a, b, f"{where}[{n}]")]
    return [] if old == new else [f"{where}: {json.dumps(old)} → {json.dumps(new)}"]


def pipeline_changes(saved: dict[str, Any], current: dict[str, Any]) -> str | None:
    """None if the pipelines are the same, else a short list of what changed."""
    changed = differences(saved, current)
    if not changed:
        return None
    more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
    return "; ".join(changed[:3]) + more


# ---- --resume ---------------------------------------------------------------------
def checkpoint_problem(
    state: dict[str, Any], staging_dir: Path, pipeline: dict[str, Any], inputs: str
) -> str | None:
    """Why the checkpoint *state* cannot be continued by this run, or None."""
    changed = pipeline_changes(state["pipeline"], pipeline)
    if changed is not None:
        return f"its run had another pipeline ({changed})"
    if state["inputs"] != inputs:
        return ("its run read other inputs (a file was added, removed or changed since it "
                "was interrupted)")
    if not staging_dir.is_dir():
        return f"the files it staged ({staging_dir}) are gone"
    for rel, size in sorted(state["writer"]["sizes"].items()):
        path = staging_dir / rel
        have = path.stat().st_size if path.is_file() else -1
        if have < size:
            what = "is missing" if have < 0 else f"holds {have} bytes, fewer than {size}"
            return f"its staged {path} {what}"
    return None


# ---- --append ---------------------------------------------------------------------
def manifest_inputs(out: Path, state: dict[str, Any]) -> list[dict[str, Any]]:
    """The manifest's ``inputs``, checked against the number the state counted."""
    path = out / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MismatchError(_cannot_append(out, f"{path} is missing")) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MismatchError(_cannot_append(out, f"{path} is damaged ({exc})")) from None
    inputs = manifest.get("inputs") if isinstance(manifest, dict) else None
    if not isinstance(inputs, list) or not all(
        isinstance(e, dict) and isinstance(e.get("path"), str) for e in inputs
    ):
        raise MismatchError(_cannot_append(out, f"{path} has no valid list of inputs"))
    expected = state["writer"]["n_inputs"]
    if len(inputs) != expected:
        raise MismatchError(_cannot_append(
            out, f"{path} lists {len(inputs)} inputs, the build that wrote it {expected}"))
    return inputs


def copy_checked(out: Path, rel: str, dest: Path, facts: dict[str, Any]) -> None:
    """Copy ``OUT/rel`` to *dest*, checking it is the file the build wrote (*facts*)."""
    src = out / rel
    sha = hashlib.sha256()
    size = lines = 0
    try:
        with open(src, "rb") as fin, open(dest, "wb") as fout:
            for chunk in iter(lambda: fin.read(CHUNK), b""):
                sha.update(chunk)
                size += len(chunk)
                lines += chunk.count(b"\n")
                fout.write(chunk)
    except FileNotFoundError:
        if not src.exists():
            raise MismatchError(_cannot_append(
                out, f"{src} is missing (the build wrote {_describe(facts)})")) from None
        raise
    check_written(out, src, {"size": size, "lines": lines, "sha256": sha.hexdigest()}, facts)


def check_written(out: Path, path: Path, have: dict[str, Any], facts: dict[str, Any]) -> None:
    """*have* (size, lines, sha256 of *path*) must be what the build recorded."""
    if have != {k: facts[k] for k in ("size", "lines", "sha256")}:
        raise MismatchError(_cannot_append(
            out, f"{path} has changed since the build that wrote it ({_describe(have)}; "
                 f"the build wrote {_describe(facts)})"))


def _describe(facts: dict[str, Any]) -> str:
    lines = facts["lines"]
    return f"{lines} line{'s' if lines != 1 else ''}, {facts['size']} bytes"


def _cannot_append(out: Path, why: str) -> str:
    return f"cannot append to {out}: {why}; rebuild {out} without --append"


def cannot_append(out: Path, why: str) -> MismatchError:
    return MismatchError(_cannot_append(out, why))
