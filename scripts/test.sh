# Every check and test, as CI runs them. Called by `./dev test` after setup.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }
step "codegen: regenerating must change nothing"
bash scripts/generate.sh --check

step "the worker's tested dependency versions (client's worker-constraints.txt) match python/uv.lock"
bash scripts/worker-constraints.sh --check

step "buf lint"
pnpm exec buf lint

if git rev-parse --verify -q main >/dev/null && git cat-file -e main:packages/core-proto/proto 2>/dev/null; then
  step "buf breaking (against main)"
  pnpm exec buf breaking --against ".git#branch=main"
fi

step "TypeScript lint and format (Biome)"
pnpm exec biome ci .

step "import cycles (madge)"
pnpm exec madge --circular --extensions ts --ts-config tsconfig.base.json packages/*/src

step "python checks: ruff lint and format, pyright (strict; import cycles fail), import layers"
python/.venv/bin/ruff check python bench
python/.venv/bin/ruff format --check python bench
pnpm exec pyright -p python
(cd python && .venv/bin/lint-imports --no-cache)

step "release: a version bump on a temporary copy moves every package and the worker together"
node --test scripts/version-bump.test.mjs

step "build and typecheck"
pnpm exec turbo run build typecheck --output-logs=errors-only
pnpm exec tsc -p bench/tsconfig.json

step "browser: Debian's chromium for apps/web's browser tests (installed in CI when missing)"
bash scripts/chromium.sh

step "dns: Debian's dnsmasq for the multi-host test (installed in CI when missing)"
bash scripts/dnsmasq.sh

step "vitest (TypeScript against real workers; apps/web in real Chromium; workers on network-namespace hosts)"
pnpm exec turbo run test --concurrency=1 --output-logs=full

step "pytest (the worker)"
(cd python && .venv/bin/python -m pytest -q)

step "pytest smoke on a second Python (another CPython >= the floor, if the machine has one)"
bash scripts/python-second.sh

step "artifacts: pack, publint --strict, attw, then README's install section from an empty folder (scripts/artifacts/smoke.mjs)"
bash scripts/artifact-smoke.sh
