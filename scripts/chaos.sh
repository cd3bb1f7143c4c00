# The chaos and fuzz suite with more rounds than `./dev test` runs (docs/reliability.md).
#   ./dev chaos [rounds]   kill storms, deadline storms, slow readers, parent death, busy
#                          workers, runtime-folder attacks and the worker fuzzer (default 200)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
export DSPY_CONNECT_CHAOS_ROUNDS="${1:-${DSPY_CONNECT_CHAOS_ROUNDS:-200}}"
# One fuzz round is ~2,100 generated inputs: a round per 20 kill rounds, at least one.
export DSPY_CONNECT_FUZZ_ROUNDS="${DSPY_CONNECT_FUZZ_ROUNDS:-$(( DSPY_CONNECT_CHAOS_ROUNDS / 20 > 0 ? DSPY_CONNECT_CHAOS_ROUNDS / 20 : 1 ))}"
step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }
pnpm exec turbo run build --output-logs=errors-only >&2

step "streams: kill -9 storm, deadline storm, slow readers ($DSPY_CONNECT_CHAOS_ROUNDS rounds)"
(cd packages/streaming && pnpm exec vitest run test/chaos.spec.ts test/slow-reader.spec.ts)
(cd packages/tools && pnpm exec vitest run test/slow-reader.spec.ts)

step "pool: parent death, busy workers, abandoned calls, runtime-folder attacks"
(cd packages/client && pnpm exec vitest run test/parent-death.spec.ts test/busy-worker.spec.ts test/abandoned-calls.spec.ts test/runtime-dir.spec.ts)

step "worker: fuzzing every RPC ($DSPY_CONNECT_FUZZ_ROUNDS rounds of ~2,100 inputs)"
(cd python && .venv/bin/python -m pytest -q -s tests/test_fuzz.py)
