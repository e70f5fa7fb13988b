"""Installed Argos Translate packages: where they live, list, install, remove.

``argostranslate.settings`` reads ``ARGOS_PACKAGES_DIR`` (and creates directories) when it
is *imported*, so this module never imports argostranslate at module level: ``_argos``
sets the environment first. Listing goes through the models directory we resolved, not
through argostranslate's global, so one process can work with several directories.

Only ``ModelStore.install_by_name`` touches the network, and every network call in it has
a hard deadline: argostranslate's own index lookups have no timeout and, offline, recurse
until ``RecursionError`` (see /work/shared/notes/argos-offline.md), so they are never used.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any

from corpus.errors import ModelError

ENV_MODELS_DIR = "CORPUS_MODELS_DIR"
INDEX_PAGE = "https://www.argosopentech.com/argospm/index/"
DEFAULT_INDEX = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/"
INDEX_DEADLINE_S = 8.0  # offline, `models install FROM TO` must fail well within 10 s
DOWNLOAD_TIMEOUT_S = 30.0  # per socket operation once the index answered

_install_lock = threading.Lock()


def resolve_models_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--models-dir`` > ``$CORPUS_MODELS_DIR`` > ``$ARGOS_PACKAGES_DIR`` > Argos' default."""
    if explicit:
        return Path(explicit).expanduser()
    for var in (ENV_MODELS_DIR, "ARGOS_PACKAGES_DIR"):
        if os.environ.get(var):
            return Path(os.environ[var]).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "argos-translate" / "packages"


def _argos(models_dir: Path) -> ModuleType:
    """Import ``argostranslate.package`` with its settings pointing at *models_dir*.

    The environment is set only if argostranslate has not been imported yet; later calls
    with another directory pass that directory explicitly instead of relying on settings.
    """
    os.environ.setdefault("ARGOS_PACKAGES_DIR", str(models_dir))
    import argostranslate.package

    return argostranslate.package


def install_commands(src: str, tgt: str) -> list[str]:
    """What a user runs to get a model for *src* → *tgt* (online, then offline)."""
    return [
        f"corpus models install {src} {tgt}",
        f"corpus models install translate-{src}_{tgt}.argosmodel  "
        f"(offline: the file from {INDEX_PAGE})",
    ]


@dataclass
class InstalledModel:
    """One installed translation package (a directory holding metadata.json)."""

    from_code: str
    to_code: str
    version: str
    path: Path
    from_name: str = ""
    to_name: str = ""
    target_prefix: str = ""
    _fingerprint: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def id(self) -> str:
        """Stable, human-readable name recorded with every translation."""
        return f"translate-{self.from_code}_{self.to_code}-{self.version}"

    @property
    def pair(self) -> str:
        return f"{self.from_code}-{self.to_code}"

    @property
    def model_dir(self) -> Path:
        return self.path / "model"

    @property
    def sp_model(self) -> Path:
        return self.path / "sentencepiece.model"

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())

    def fingerprint(self) -> str:
        """Hash of the files that decide the output, so a cache never mixes two models
        that happen to share a pair and version (e.g. a retrained package)."""
        if self._fingerprint is None:
            h = hashlib.blake2b(digest_size=8)
            files = [self.path / "metadata.json", self.sp_model]
            files += sorted(p for p in self.model_dir.iterdir() if p.is_file())
            for f in files:
                if not f.is_file():
                    continue
                h.update(f.name.encode() + b"\0")
                with f.open("rb") as fh:
                    for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                        h.update(chunk)
            self._fingerprint = h.hexdigest()
        return self._fingerprint

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "pair": self.pair,
            "from": self.from_code,
            "to": self.to_code,
            "version": self.version,
            "path": str(self.path),
            "size": self.size_bytes(),
        }


def _version_key(version: str) -> tuple[int, Any]:
    from packaging.version import InvalidVersion, Version

    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


class ModelStore:
    """The packages in one models directory."""

    def __init__(self, models_dir: str | os.PathLike[str] | None = None) -> None:
        self.dir = resolve_models_dir(models_dir)
        self.problems: list[str] = []  # directories that are not readable packages

    # -- reading ---------------------------------------------------------------------
    def list(self) -> list[InstalledModel]:
        """Installed translation packages, sorted by pair then version (no network)."""
        self.problems = []
        if not self.dir.is_dir():
            return []
        pkg_mod = _argos(self.dir)
        found: list[InstalledModel] = []
        for sub in sorted(self.dir.iterdir()):
            if not sub.is_dir():
                continue
            try:
                pkg = pkg_mod.Package(sub)
            except Exception as exc:  # a stray or half-extracted directory
                self.problems.append(f"{sub}: {exc}")
                continue
            if pkg.type != "translate" or not pkg.from_code or not pkg.to_code:
                continue
            if not (sub / "model").is_dir() or not (sub / "sentencepiece.model").is_file():
                self.problems.append(f"{sub}: needs model/ and sentencepiece.model")
                continue
            found.append(
                InstalledModel(
                    from_code=pkg.from_code,
                    to_code=pkg.to_code,
                    version=str(pkg.package_version or "0"),
                    path=sub,
                    from_name=pkg.from_name or "",
                    to_name=pkg.to_name or "",
                    target_prefix=pkg.target_prefix or "",
                )
            )
        found.sort(key=lambda m: (m.pair, _version_key(m.version), str(m.path)))
        return found

    def best(self) -> dict[tuple[str, str], InstalledModel]:
        """The newest installed package for each (from, to) pair."""
        out: dict[tuple[str, str], InstalledModel] = {}
        for model in self.list():  # sorted by version: later wins
            out[(model.from_code, model.to_code)] = model
        return out

    def find(self, src: str, tgt: str) -> InstalledModel | None:
        return self.best().get((src, tgt))

    # -- installing ------------------------------------------------------------------
    def install_file(self, path: str | os.PathLike[str]) -> list[InstalledModel]:
        """Install a downloaded ``.argosmodel`` (``argostranslate.package.install_from_path``)."""
        path = Path(path)
        if not path.is_file():
            raise ModelError(f"{path}: no such file")
        if not zipfile.is_zipfile(path):
            raise ModelError(f"{path}: not an Argos package (.argosmodel files are zip archives)")
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
        tops = {PurePosixPath(n).parts[0] for n in names if PurePosixPath(n).parts}
        if len(tops) != 1 or not any(n.endswith("/metadata.json") for n in names):
            raise ModelError(
                f"{path}: not an Argos package (expected one top directory with metadata.json)"
            )
        top = tops.pop()
        if top in ("..", "/") or top.startswith("/"):
            raise ModelError(f"{path}: unsafe path {top!r} in archive")
        self.dir.mkdir(parents=True, exist_ok=True)
        pkg_mod = _argos(self.dir)
        from argostranslate import settings

        with _install_lock:  # install_from_path extracts into settings.package_data_dir
            saved = settings.package_data_dir
            settings.package_data_dir = self.dir
            try:
                pkg_mod.install_from_path(path)
            finally:
                settings.package_data_dir = saved
        installed = [m for m in self.list() if m.path.name == top]
        if not installed:
            raise ModelError(f"{path}: extracted to {self.dir / top} but it is not a translation "
                             "package (metadata.json needs from_code and to_code)")
        return installed

    def install_by_name(self, src: str, tgt: str) -> list[InstalledModel]:
        """Download *src* → *tgt* from the Argos package index and install it.

        The only network access of the whole tool. Offline it fails within
        ``INDEX_DEADLINE_S`` with a message that says how to install from a file.
        """
        _argos(self.dir)
        from argostranslate import settings

        url = settings.remote_package_index
        try:
            index = json.loads(_fetch(url, INDEX_DEADLINE_S))
        except (OSError, ValueError, TimeoutError) as exc:
            raise ModelError(
                f"cannot install {src}→{tgt} by name: the Argos package index ({url}) is not "
                f"reachable ({_reason(exc)}). Installing by name needs the internet.\n"
                f"Offline: on a connected machine download translate-{src}_{tgt}-*.argosmodel "
                f"(listed at {INDEX_PAGE}), copy it here and run\n"
                f"  corpus models install translate-{src}_{tgt}.argosmodel"
            ) from None
        entry = next(
            (e for e in index if e.get("type", "translate") == "translate"
             and e.get("from_code") == src and e.get("to_code") == tgt),
            None,
        )
        if entry is None:
            froms = sorted({e.get("to_code") for e in index if e.get("from_code") == src})
            hint = f" From {src} the index has: {', '.join(froms)}." if froms else ""
            raise ModelError(
                f"the Argos index has no {src}→{tgt} package.{hint} Translation pivots "
                f"through English: install `{src} en` and `en {tgt}` instead."
            )
        links = list(entry.get("links") or [])
        if not links:
            raise ModelError(f"the Argos index lists {src}→{tgt} without a download link")
        with tempfile.TemporaryDirectory(prefix="corpus-model-") as tmp:
            target = Path(tmp) / f"translate-{src}_{tgt}.argosmodel"
            errors = []
            for link in links:
                try:
                    _download(link, target)
                    break
                except OSError as exc:
                    errors.append(f"{link}: {_reason(exc)}")
            else:
                raise ModelError(
                    f"download of {src}→{tgt} failed ({'; '.join(errors)}). Download the file "
                    f"by hand and run `corpus models install FILE.argosmodel`."
                )
            return self.install_file(target)

    def remove(self, src: str, tgt: str) -> list[InstalledModel]:
        """Uninstall every installed version of *src* → *tgt*."""
        doomed = [m for m in self.list() if (m.from_code, m.to_code) == (src, tgt)]
        if not doomed:
            raise ModelError(f"no {src}→{tgt} package is installed in {self.dir}")
        pkg_mod = _argos(self.dir)
        for model in doomed:
            pkg_mod.uninstall(pkg_mod.Package(model.path))
        return doomed


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason or exc) or type(exc).__name__


def _fetch(url: str, deadline_s: float) -> bytes:
    """GET *url* within *deadline_s* seconds overall, DNS included.

    ``urlopen``'s timeout does not bound name resolution, so the request runs in a
    daemon thread and we stop waiting at the deadline.
    """
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            req = urllib.request.Request(url, headers={"User-Agent": "corpus"})
            with urllib.request.urlopen(req, timeout=deadline_s) as resp:
                box["data"] = resp.read()
        except BaseException as exc:  # handed to the waiting thread
            box["error"] = exc

    thread = threading.Thread(target=work, name="corpus-fetch", daemon=True)
    thread.start()
    thread.join(deadline_s)
    if thread.is_alive():
        raise TimeoutError(f"no answer within {deadline_s:.0f} s")
    if "error" in box:
        raise box["error"]
    return box["data"]


def _download(url: str, dest: Path) -> None:
    req = urllib.request.Request(url, headers={"User-Agent": "corpus"})
    with urllib.request.urlopen(req, timeout=DOWNLOAD_TIMEOUT_S) as resp, dest.open("wb") as out:
        shutil.copyfileobj(resp, out, 1 << 20)
