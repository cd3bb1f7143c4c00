# Smoke test of the worker on a second CPython, besides the venv's: the newest other minor
# version >= the floor (requires-python) that the machine has (pyenv's, or Debian's
# /usr/bin/python3), else another build of the same minor. It gets a venv of its own from
# uv's cache (python/.venv-X.Y, kept between runs) and runs a few real-worker test files.
# Prints what it chose; with no second interpreter it says so and passes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT/python"

FLOOR="$(sed -n 's/^requires-python = ">=\([0-9.]*\)".*/\1/p' pyproject.toml)"
venv_exe="$(.venv/bin/python -c 'import os, sys; print(os.path.realpath(sys.executable))')"
venv_minor="$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')"

candidates=(/usr/bin/python3)
if command -v pyenv >/dev/null; then
  candidates+=("$(pyenv root)"/versions/*/bin/python3)
fi

chosen="" chosen_key=""
for candidate in "${candidates[@]}"; do
  [ -x "$candidate" ] || continue
  exe="$(realpath "$candidate")"
  [ "$exe" = "$venv_exe" ] && continue
  version="$("$candidate" -c "import sys; floor = tuple(map(int, '$FLOOR'.split('.'))); print('%d.%d.%d' % sys.version_info[:3]) if sys.version_info[:2] >= floor else sys.exit(1)" 2>/dev/null)" || continue
  minor="${version%.*}"
  # Another minor version first, then the newest.
  key="$([ "$minor" != "$venv_minor" ] && echo 1 || echo 0) $(printf '%03d%03d%03d' ${version//./ })"
  if [ -z "$chosen" ] || [[ "$key" > "$chosen_key" ]]; then
    chosen="$exe" chosen_key="$key" chosen_version="$version"
  fi
done

if [ -z "$chosen" ]; then
  echo "no second Python >= $FLOOR on this machine: smoke test skipped" >&2
  exit 0
fi
echo "second interpreter: $chosen (Python $chosen_version; the venv has $venv_minor)" >&2
export UV_PROJECT_ENVIRONMENT="$ROOT/python/.venv-${chosen_version%.*}"
uv sync --frozen --quiet --compile-bytecode --python "$chosen" >&2
"$UV_PROJECT_ENVIRONMENT/bin/python" -m pytest -q -p no:cacheprovider \
  tests/test_worker.py tests/test_pipeline.py tests/test_registry.py tests/test_session.py tests/test_garbage.py
