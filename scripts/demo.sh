#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main demo.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${ATTNC_BUILD_DIR:-$ROOT/build}"
bash "$ROOT/scripts/setup.sh"
OPT="$BUILD/bin/attn-opt"

echo
echo "== attn-opt parses, verifies and prints two attention models =="
echo "   (examples/dialect/attention.mlir: a Bahdanau decoder step and"
echo "    causal multi-head self-attention)"
echo
"$OPT" "$ROOT/examples/dialect/attention.mlir"

echo
echo "== a shape error is caught by the verifier, with its location =="
echo
# W of a general (Luong) score must be [query features, key features].
if "$OPT" - <<'MLIR'
func.func @luong(%s: tensor<64xf32>, %keys: tensor<?x32xf32>, %W: tensor<32x64xf32>) -> tensor<?xf32> {
  %e = attn.score general %s, %keys W(%W) : (tensor<64xf32>, tensor<?x32xf32>, tensor<32x64xf32>) -> tensor<?xf32>
  return %e : tensor<?xf32>
}
MLIR
then
  echo "demo: expected a verifier error" >&2
  exit 1
fi
echo
echo "(attn-opt exited with status 1, as it should.)"
