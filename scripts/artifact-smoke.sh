# Packs every npm package and the worker wheel, lints the tarballs, and installs them in an
# empty folder as README.md's "Install in your project" says (scripts/artifacts/smoke.mjs).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec node "$ROOT/scripts/artifacts/smoke.mjs" "$@"
