#!/bin/sh
# Installs the dspy-connect worker into a new virtual environment:
#   install-worker.sh SOURCE VENV
# SOURCE is the repository's python/ folder. The dependencies are the versions its uv.lock
# pins, checked against their hashes, from wheels only (nothing compiles). The worker is a
# wheel built from SOURCE, as scripts/release.sh builds it, or, with $WORKER_VERSION set,
# that version from PyPI. The image's build stage runs this (deploy/docker/Dockerfile), and
# so does python/tests/test_deploy_image.py, on this machine, with the same files.
set -eu
source_dir=$1
venv=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$source_dir" && uv export --frozen --no-dev --no-emit-project --no-header --quiet --output-file "$work/requirements.txt")
uv venv --quiet "$venv"
# Bytecode now: the image's root filesystem is read-only, and without it every start would
# compile LiteLLM again (~4 s).
uv pip install --quiet --python "$venv/bin/python" --compile-bytecode --require-hashes --no-build \
  --requirements "$work/requirements.txt"
if [ -n "${WORKER_VERSION:-}" ]; then
  uv pip install --quiet --python "$venv/bin/python" --compile-bytecode "dspy-connect-worker==$WORKER_VERSION"
else
  (cd "$source_dir" && uv build --wheel --quiet --out-dir "$work/dist")
  uv pip install --quiet --python "$venv/bin/python" --compile-bytecode --no-deps "$work"/dist/dspy_connect_worker-*.whl
fi
# Both console scripts are there and import (the worker's --help loads no DSPy).
"$venv/bin/dspy-connect-worker" --help >/dev/null
"$venv/bin/dspy-connect-worker-health" --help >/dev/null
