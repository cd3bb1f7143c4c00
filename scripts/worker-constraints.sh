# The worker's dependency versions this release is tested with (python/uv.lock), shipped in
# @dspy-connect/client for `dspy-connect setup`. --check: fail if the file is out of date.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET="$ROOT/packages/client/worker-constraints.txt"
fresh="$(cd "$ROOT/python" && uv export --frozen --no-dev --no-emit-project --no-hashes --no-header --no-annotate)"
if [ "${1:-}" = "--check" ]; then
  diff -u "$TARGET" <(printf '%s\n' "$fresh") || { echo "worker-constraints.txt is stale: run bash scripts/worker-constraints.sh" >&2; exit 1; }
else
  printf '%s\n' "$fresh" > "$TARGET"
fi
