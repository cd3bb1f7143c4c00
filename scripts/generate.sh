# Regenerates TypeScript and Python code from packages/core-proto/proto.
#   generate.sh          write the generated code into the tree
#   generate.sh --check  fail if the committed code differs from a fresh generation
# Generation happens in a temp dir first, so an interrupted run never leaves the tree half-empty.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/python/.venv/bin/python"
TS_OUT=packages/core-proto/src/gen
PY_OUT=python/src/dspy_connect/v1
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

pnpm exec buf generate -o "$tmp"
# grpc service stubs: buf has no builtin for grpc_python.
"$PY" -m grpc_tools.protoc -I packages/core-proto/proto --grpc_python_out="$tmp/python/src" dspy_connect/v1/worker.proto

if [ "${1:-}" = "--check" ]; then
  status=0
  diff -r "$tmp/$TS_OUT" "$TS_OUT" >&2 || status=1
  diff -r -x '__init__.py' -x '__pycache__' "$tmp/$PY_OUT" "$PY_OUT" >&2 || status=1
  [ $status -eq 0 ] || echo "generated code is stale: run ./dev generate and commit the result" >&2
  exit $status
fi
rm -rf "$TS_OUT" && mkdir -p "$(dirname "$TS_OUT")" && cp -r "$tmp/$TS_OUT" "$TS_OUT"
find "$PY_OUT" -name '*_pb2*.py*' -delete
cp "$tmp/$PY_OUT"/*_pb2* "$PY_OUT"/
