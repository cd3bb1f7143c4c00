# Runs the benchmarks; each prints its figures beside a same-run baseline.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
pnpm exec turbo run build --output-logs=errors-only
for script in bench/*.ts; do
  [ -e "$script" ] || continue
  echo "== $script"
  node "$script" "$@"
done
