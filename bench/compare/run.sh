#!/usr/bin/env bash
# bench/compare/run.sh: the side-by-side benchmark of issues #6 and #7 (fp32, bf16, INT8) in one command (see
# docs/benchmarks.md).
#
#   bench/compare/run.sh                       # full protocol: 3 rounds, 50 warm-up + 1000 timed runs, 2 threads
#   bench/compare/run.sh --quick               # check the harness end to end in a few minutes (not a measurement)
#   ONYX_BUILD_DIR=build-bench bench/compare/run.sh --threads 2 --rounds 5
#
# Builds onyx and onyx_peak (Release, -DONYX_BUILD_BENCH=ON) in $ONYX_BUILD_DIR (default: build), makes the
# DistilBERT-base-shaped model when missing (make_model.py), then runs compare.py, which quantizes it for the INT8
# rows (onyx quantize) and writes bench/results/compare.md, compare.json and compare.png. Extra arguments go to
# compare.py (--help lists them).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${ONYX_BUILD_DIR:-build}"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

if [[ "${ONYX_SKIP_BUILD:-0}" != 1 ]]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DONYX_BUILD_BENCH=ON >/dev/null
  cmake --build "$BUILD" -j"$(nproc)" --target onyx_cli onyx_peak
fi
exec /usr/bin/python3 "$ROOT/bench/compare/compare.py" --onyx "$BUILD/onyx" --peak "$BUILD/onyx_peak" "$@"
