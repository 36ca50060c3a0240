#!/usr/bin/env bash
# Builds onyx and runs ALL tests (ctest), then the AddressSanitizer + UndefinedBehaviorSanitizer build's tests.
#   scripts/test.sh              everything (what CI runs)
#   scripts/test.sh -L fast      only ctest's `fast` label (seconds), release build only
# Needs scripts/setup.sh to have run once.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="$(nproc)"

echo "== release build (build/)"
BUILD_DIR=build scripts/build.sh
echo "== tests (release)"
(cd build && ctest --output-on-failure -j"$jobs" "$@")

if [ $# -eq 0 ]; then
  echo "== sanitizer build (build-asan/, ONYX_SANITIZE=address,undefined)"
  BUILD_DIR=build-asan BUILD_TYPE=RelWithDebInfo scripts/build.sh -DONYX_SANITIZE=address,undefined
  echo "== tests (address + undefined sanitizers)"
  # detect_leaks=0: LeakSanitizer needs ptrace, which some sandboxes forbid; leaks are not what this run checks.
  (cd build-asan && ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     ctest --output-on-failure -j"$jobs" -LE slow)
fi
