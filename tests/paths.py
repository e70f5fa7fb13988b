"""Where the repository's own files are, for tests in any folder."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
PIPELINES = REPO / "pipelines"
