"""Turn input specs (files, directories, globs, ``-``) into a sorted list of ``InputRef``.

Expansion never fails on a bad *file*: a symlink loop, an unreadable directory or a
special file becomes an ``InputRef`` carrying a ``problem`` status, so the reader can
account for it in the manifest. Only a spec that matches nothing at all is a
``ConfigError`` (the user mistyped something; nothing has been done yet).
"""

from __future__ import annotations

import errno
import glob
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass

from corpus.errors import ConfigError

STDIN_PATH = "<stdin>"


def display_path(path: str) -> str:
    """A JSON-safe rendering of a file name: undecodable bytes become ``\\xNN``.

    Python hands non-UTF-8 names to us as surrogate escapes; those cannot be written as
    UTF-8 JSON, so they are shown backslash-escaped (the real name stays in ``fspath``).
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


@dataclass(frozen=True, slots=True)
class InputRef:
    """One input to read: a file, stdin, or a problem found while expanding specs."""

    path: str
    """The path as shown in records and the manifest (as given; relative stays relative)."""
    fspath: str | None = None
    """The name to open (may hold surrogate escapes); ``None`` for stdin."""
    problem: str | None = None
    """``dropped:<reason>`` / ``error:<message>`` found while expanding, else ``None``."""

    @property
    def is_stdin(self) -> bool:
        return self.fspath is None and self.problem is None

    @classmethod
    def file(cls, path: str, problem: str | None = None) -> InputRef:
        return cls(path=display_path(path), fspath=path, problem=problem)


STDIN = InputRef(path=STDIN_PATH)


def expand_inputs(specs: Sequence[str], *, follow_symlinks: bool = True) -> list[InputRef]:
    """Expand *specs* in order; each spec's files are sorted, and repeats are dropped.

    Raises ``ConfigError`` naming the first spec that matches nothing.
    """
    refs: list[InputRef] = []
    seen: set[str] = set()
    for spec in specs:
        found = _expand_one(spec, follow_symlinks)
        if not found:
            raise ConfigError(f"input {display_path(spec)!r} matches no file")
        for ref in found:
            key = ref.fspath if ref.fspath is not None else ref.path
            if key not in seen:
                seen.add(key)
                refs.append(ref)
    return refs


def _expand_one(spec: str, follow_symlinks: bool) -> list[InputRef]:
    if spec == "-":
        return [STDIN]
    if os.path.lexists(spec):
        refs = _walk(spec, follow_symlinks) if os.path.isdir(spec) else [InputRef.file(spec)]
    elif glob.has_magic(spec):
        refs = []
        for match in glob.glob(spec, recursive=True):
            if os.path.isdir(match):
                refs.extend(_walk(match, follow_symlinks))
            else:
                refs.append(InputRef.file(match))
    else:
        raise ConfigError(f"input not found: {display_path(spec)!r}")
    return sorted(refs, key=lambda r: os.fsencode(r.fspath or r.path))


def _walk(top: str, follow_symlinks: bool) -> list[InputRef]:
    """Every file below *top*, iteratively (no recursion limit), with loop detection.

    A directory is a loop when it is one of its own ancestors (same device and inode);
    visiting the same directory through two different, non-looping links is allowed.
    """
    try:
        st = os.stat(top)
    except OSError as exc:
        return [InputRef.file(top, _os_problem(exc))]
    out: list[InputRef] = []
    stack: list[tuple[str, frozenset[tuple[int, int]]]] = [
        (top, frozenset({(st.st_dev, st.st_ino)}))
    ]
    while stack:
        directory, ancestors = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = list(it)
        except OSError as exc:
            out.append(InputRef.file(directory, f"error:unreadable directory: {exc.strerror}"))
            continue
        for entry in entries:
            path = entry.path
            try:
                if entry.is_symlink() and not follow_symlinks:
                    out.append(InputRef.file(path, "dropped:symlink_not_followed"))
                elif entry.is_dir(follow_symlinks=True):
                    est = entry.stat(follow_symlinks=True)
                    key = (est.st_dev, est.st_ino)
                    if key in ancestors:
                        out.append(InputRef.file(path, "dropped:symlink_loop"))
                    else:
                        stack.append((path, ancestors | {key}))
                elif entry.is_file(follow_symlinks=True) or entry.is_symlink():
                    # Broken and looping links land here too; the reader says which.
                    out.append(InputRef.file(path))
                else:
                    out.append(InputRef.file(path, "dropped:not_a_regular_file"))
            except OSError as exc:
                out.append(InputRef.file(path, _os_problem(exc)))
    return out


def _os_problem(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "dropped:symlink_loop"
    if exc.errno == errno.ENOENT:
        return "error:vanished: the file disappeared before it was read"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"error:unreadable: {exc.strerror}"
    return f"error:unreadable: {exc.strerror or exc}"


def is_regular(mode: int) -> bool:
    return stat.S_ISREG(mode)
