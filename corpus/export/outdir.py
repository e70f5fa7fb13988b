"""Reading a build OUT folder and updating its manifest without ever half-writing it."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from corpus.errors import ConfigError


def check_out(out: Path) -> Path:
    """*out* must be a build output: a folder with ``sentences.jsonl`` or ``mono/``."""
    if not out.is_dir():
        raise ConfigError(f"{out} is not a folder; give the OUT folder of `corpus build`")
    if not (out / "sentences.jsonl").is_file() and not (out / "mono").is_dir():
        raise ConfigError(f"{out} has no sentences.jsonl or mono/: is it a `corpus build` OUT?")
    return out


def iter_sentences(out: Path) -> Iterator[dict[str, Any]]:
    """The rows of OUT/sentences.jsonl, one at a time (the file is never read whole)."""
    return _rows(out / "sentences.jsonl")


def iter_documents(out: Path) -> Iterator[dict[str, Any]]:
    """The rows of OUT/documents.jsonl, one at a time; none when the file is missing
    (an OUT assembled by hand: rows then carry no source or url)."""
    if not (out / "documents.jsonl").is_file():
        return iter(())
    return _rows(out / "documents.jsonl")


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    if not path.is_file():
        raise ConfigError(f"{path} not found; export needs a `corpus build` OUT folder")
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ConfigError(f"{path}:{number}: not JSON ({exc.msg})") from None


def update_manifest(out: Path, key: str, name: str, value: dict[str, Any]) -> None:
    """Set ``manifest[key][name] = value`` atomically (temp file + ``os.replace``).

    A reader sees the old manifest or the new one, never a torn file; a missing manifest
    starts empty (OUT folders assembled by hand have none).
    """
    path = out / "manifest.json"
    manifest: dict[str, Any] = {}
    if path.is_file():
        manifest = json.loads(path.read_text(encoding="utf-8"))
    section = manifest.setdefault(key, {})
    section[name] = value
    manifest[key] = dict(sorted(section.items()))
    fd, tmp = tempfile.mkstemp(prefix=".manifest-", suffix=".json", dir=out)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            json.dump(manifest, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def replacing_dir(final: Path) -> Iterator[Path]:
    """Yield a temporary folder beside *final* that replaces it when the block succeeds."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if final.exists():
        old = final.parent / f".{final.name}-old-{os.getpid()}"
        os.replace(final, old)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, final)
