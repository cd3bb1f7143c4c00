#!/usr/bin/env bash
# Setup from nothing, timed: a fresh clone of this repository's HEAD, a temporary HOME with
# empty uv, pip, npm and pnpm caches, and every compiler on PATH replaced by a stub that
# fails (and logs), then `./dev demo` up to its answer. Prints each line with its second.
#   bash bench/fresh-setup.sh        (docs/benchmarks.md, "Setup from nothing")
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d /tmp/dspy-connect-fresh-XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
git clone -q "$ROOT" "$WORK/repo"
export HOME="$WORK/home" XDG_CACHE_HOME="$WORK/home/.cache" XDG_DATA_HOME="$WORK/home/.local/share"
export UV_CACHE_DIR="$WORK/home/.cache/uv" PIP_CACHE_DIR="$WORK/home/.cache/pip"
export npm_config_cache="$WORK/home/.npm" npm_config_store_dir="$WORK/home/.local/share/pnpm/store"
unset CI DSPY_CONNECT_PYTHON
mkdir -p "$HOME" "$WORK/no-compiler"
for tool in cc c++ gcc g++ clang clang++ cmake make ninja; do
  printf '#!/bin/sh\necho "%s $*" >> "%s/compiler-calls.log"\nexit 127\n' "$tool" "$WORK" >"$WORK/no-compiler/$tool"
  chmod +x "$WORK/no-compiler/$tool"
done
export PATH="$WORK/no-compiler:$PATH"
cd "$WORK/repo"
start=$(date +%s.%N)
./dev demo "What is the capital of France?" 2>&1 | while IFS= read -r line; do
  printf '%7.1f %s\n' "$(echo "$(date +%s.%N) - $start" | bc)" "$line"
done
echo "total: $(echo "$(date +%s.%N) - $start" | bc) s"
echo "compiler calls: $(cat "$WORK/compiler-calls.log" 2>/dev/null | wc -l)"
