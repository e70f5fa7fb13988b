"""Main-content fidelity: corpus next to trafilatura & co on the shared harness, one run.

Runs ``../shared/bench-data/boilerplate/harness/bench.py`` (real HTML pages and
line-labelled scraped text, scored the harness's way) with corpus's public functions as
plug-ins (``bench/boilerplate_plugins.py``) beside the peers the harness measures:

* task ``html``: ``corpus.clean_html`` (what ``corpus build`` keeps of a page, headline
  included) and ``clean_html_body`` (the same without the headline, like the gold and the
  peers), next to trafilatura, readability, newspaper4k, jusText, …;
* task ``text``: ``corpus.keep_lines`` (and ``keep_lines_body``) next to jusText,
  boilerpy3, goose3 and the length baselines.

Speed is pages per second relative to trafilatura measured in the same run (the harness's
``--speed-ref``); quality is deterministic.

The harness needs its peers installed: ``--setup`` makes a virtual environment under
``bench/_data/bp-venv`` with the harness's pinned requirements and this checkout
(``pip install -e .``), once; later runs reuse it.

    python bench/boilerplate.py --setup            # once (PyPI needed)
    python bench/boilerplate.py                    # both tasks, with speed
    python bench/boilerplate.py --task text --no-speed --by-lang
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HARNESS = ROOT.parent / "shared" / "bench-data" / "boilerplate" / "harness"
VENV = ROOT / "bench" / "_data" / "bp-venv"
PLUGINS = ROOT / "bench" / "boilerplate_plugins.py"
SYSTEMS = {
    "html": ("clean_html", "clean_html_body"),
    "text": ("keep_lines", "keep_lines_body"),
}


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def setup(harness: Path, venv: Path) -> None:
    """A virtual environment with the harness's peers and this checkout."""
    if not venv_python(venv).exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv_python(venv)), "-m", "pip", "-q", "--disable-pip-version-check", "install"]
    subprocess.run([*pip, "-U", "pip"], check=True)
    subprocess.run([*pip, "-r", str(harness / "requirements.txt")], check=True)
    subprocess.run([*pip, "-e", str(ROOT)], check=True)


def run_task(python: Path, harness: Path, task: str, extra: list[str]) -> int:
    plugins = []
    for name in SYSTEMS[task]:
        label = "corpus" if name in ("clean_html", "keep_lines") else "corpus_body"
        plugins += ["--system-module", f"{label}={PLUGINS}:{name}"]
    command = [str(python), str(harness / "bench.py"), "--task", task, *plugins, *extra]
    print(f"# {' '.join(command)}", flush=True)
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    return subprocess.run(command, cwd=harness, env=env, check=False).returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--harness", type=Path, default=DEFAULT_HARNESS)
    ap.add_argument("--venv", type=Path, default=VENV)
    ap.add_argument("--setup", action="store_true", help="create or update the venv, then run")
    ap.add_argument("--task", choices=("html", "text", "both"), default="both")
    ap.add_argument("--no-speed", action="store_true", help="quality only")
    ap.add_argument("--rounds", type=int, default=3, help="timing rounds (with speed)")
    ap.add_argument("--by-lang", action="store_true", help="also per language")
    ap.add_argument("--systems", help="peers to run (harness names; default: its defaults)")
    args = ap.parse_args()
    if not (args.harness / "bench.py").is_file():
        sys.exit(f"no harness at {args.harness} (see ../shared/bench-data/boilerplate/)")
    if args.setup:
        setup(args.harness, args.venv)
    python = venv_python(args.venv)
    if not python.exists():
        sys.exit(f"no benchmark environment at {args.venv}: run with --setup first")
    extra = ["--no-speed"] if args.no_speed else ["--rounds", str(args.rounds)]
    if args.by_lang:
        extra.append("--by-lang")
    if args.systems:
        extra += ["--systems", args.systems]
    tasks = ("html", "text") if args.task == "both" else (args.task,)
    codes = [run_task(python, args.harness, task, extra) for task in tasks]
    sys.exit(max(codes))


if __name__ == "__main__":
    main()
