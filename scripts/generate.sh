# Regenerates TypeScript and Python code from packages/core-proto/proto.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/python/.venv/bin/python"
rm -rf packages/core-proto/src/gen
find python/src/dspy_connect/v1 -name '*_pb2*.py*' -delete 2>/dev/null || true
pnpm exec buf generate
# grpc service stubs: buf has no builtin for grpc_python.
"$PY" -m grpc_tools.protoc -I packages/core-proto/proto --grpc_python_out=python/src \
  dspy_connect/v1/worker.proto
