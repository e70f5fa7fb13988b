#!/usr/bin/env bash
# Fuzz the decoders, read_input and the HTML path with atheris (libFuzzer), each for a
# bounded time. Installs atheris into the venv when it is missing.
#
#   fuzz/run.sh                 # every harness, 60 s each
#   FUZZ_SECONDS=600 fuzz/run.sh fuzz_html
#
# Exit status 0 when no harness found anything; 1 otherwise, with the failing inputs in
# $FUZZ_WORK/artifacts/ (re-run one with: .venv/bin/python fuzz/<harness>.py FILE).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${FUZZ_PYTHON:-$ROOT/.venv/bin/python}"
SECONDS_EACH="${FUZZ_SECONDS:-60}"
WORK="${FUZZ_WORK:-${TMPDIR:-/tmp}/corpus-fuzz}"
HARNESSES=("$@")
if [ ${#HARNESSES[@]} -eq 0 ]; then
    HARNESSES=(fuzz_decode fuzz_read_input fuzz_html)
fi

if ! "$PY" -c "import atheris" 2>/dev/null; then
    echo "installing atheris into $("$PY" -c 'import sys; print(sys.prefix)')"
    "$PY" -m pip install -q --disable-pip-version-check "atheris>=2.3"
fi

mkdir -p "$WORK/artifacts"
"$PY" "$ROOT/fuzz/make_seeds.py" "$WORK/seeds"

status=0
for name in "${HARNESSES[@]}"; do
    corpus="$WORK/corpus/$name"
    mkdir -p "$corpus"
    echo "== $name: ${SECONDS_EACH}s"
    if ! (cd "$WORK" && "$PY" "$ROOT/fuzz/$name.py" \
            -max_total_time="$SECONDS_EACH" -timeout=60 -rss_limit_mb=4096 \
            -max_len=65536 -print_final_stats=1 \
            -artifact_prefix="$WORK/artifacts/$name-" \
            "$corpus" "$WORK/seeds"); then
        echo "!! $name found a failing input: see $WORK/artifacts/"
        status=1
    fi
done
exit $status
