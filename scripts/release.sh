# `pnpm release [--dry-run]`: publishes the version that `pnpm version-packages` wrote and
# that is committed. docs/releasing.md has the whole procedure.
#   1. checks: versions agree, no changeset left, build and typecheck, the artifact smoke test;
#   2. the worker wheel, built into python/dist;
#   3. npm: `changeset publish` (every package of the fixed group not yet on npm; git tags);
#   4. PyPI: `uv publish` of the wheel, only with $UV_PUBLISH_TOKEN set; else the command is printed.
# --dry-run does 1 and 2, shows what 3 would publish, and publishes nothing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/bootstrap.sh
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

dry_run=false
case "${1:-}" in
  --dry-run) dry_run=true ;;
  "") ;;
  *) echo "usage: pnpm release [--dry-run]" >&2; exit 2 ;;
esac

step "the npm packages and the worker are at one version"
node scripts/sync-python-version.mjs --check
version="$(node -p 'require("./packages/client/package.json").version')"
worker_version="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' python/src/dspy_connect/__init__.py)"
# Not releasable yet; a dry run only says so.
refuse() {
  if $dry_run; then echo "(dry run, a release would stop here) $*" >&2; else echo "$*" >&2; exit 1; fi
}
pending="$(find .changeset -name '*.md' ! -name README.md | sort)"
[ -z "$pending" ] || refuse "changesets not yet versioned (run pnpm version-packages and commit):"$'\n'"$pending"
[ -z "$(git status --porcelain --untracked-files=no)" ] || refuse "uncommitted changes: a release is built from committed files"
bash scripts/worker-constraints.sh --check

step "build and typecheck"
pnpm exec turbo run build typecheck --output-logs=errors-only

step "artifact smoke test: the packed packages and the wheel, installed as a user would"
bash scripts/artifact-smoke.sh

step "the worker wheel"
wheel="python/dist/dspy_connect_worker-$worker_version-py3-none-any.whl"
(cd python && uv build --wheel --quiet --out-dir dist)
[ -f "$wheel" ] || { echo "expected $wheel" >&2; exit 1; }
echo "$wheel" >&2

if $dry_run; then
  step "dry run: what changeset publish would publish to npm"
  pnpm exec changeset publish-plan
  echo "dry run: nothing published. The wheel would go to PyPI with: uv publish $wheel" >&2
  exit 0
fi

step "npm: changeset publish $version"
pnpm exec changeset publish

step "PyPI: dspy-connect-worker $worker_version"
if [ -n "${UV_PUBLISH_TOKEN:-}" ]; then
  uv publish "$wheel"
else
  cat >&2 <<EOF
Not uploaded: UV_PUBLISH_TOKEN is not set. Upload the wheel with a PyPI API token:
  UV_PUBLISH_TOKEN=pypi-... uv publish $wheel
(or: TWINE_USERNAME=__token__ TWINE_PASSWORD=pypi-... twine upload $wheel)
EOF
fi
echo "Then push the release commit and the tags changeset publish made: git push && git push --tags" >&2
