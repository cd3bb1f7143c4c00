# Runs the benchmarks; each prints its figures beside a same-run baseline (see docs/benchmarks.md).
#   ./dev bench [name ...]   names: unary pool-startup first-call lm-failure recovery concurrency local-lm local-lm-server local-lm-accuracy stream tools composer telemetry gc memory web-latency tls (default: all)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
pnpm exec turbo run build --output-logs=errors-only >&2
for name in "${@:-unary pool-startup first-call lm-failure recovery concurrency local-lm local-lm-server local-lm-accuracy stream tools composer telemetry gc memory web-latency tls}"; do
  for bench in $name; do
    echo "== bench/$bench.ts"
    node --expose-gc "bench/$bench.ts"
  done
done
