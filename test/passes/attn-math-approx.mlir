// RUN: attn-opt %s --split-input-file --attn-math-approx | FileCheck %s

// f32 exp, tanh and log, scalar or vector, become polynomials (fma chains)
// with no math call left.
// CHECK-LABEL: func.func @approximated
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK-NOT: math.log
// CHECK: math.fma
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK-NOT: math.log
// CHECK: return
func.func @approximated(%x: f32, %v: vector<8xf32>) -> (f32, vector<8xf32>, f32) {
  %0 = math.exp %x : f32
  %1 = math.tanh %v : vector<8xf32>
  %2 = math.log %x : f32
  return %0, %1, %2 : f32, vector<8xf32>, f32
}

// -----

// What the patterns do not cover stays: f64, and f32 sqrt (a hardware
// instruction anyway).
// CHECK-LABEL: func.func @kept
// CHECK-SAME: (%[[X:.+]]: f32, %[[D:.+]]: f64)
// CHECK: %[[E:.+]] = math.exp %[[D]] : f64
// CHECK: %[[S:.+]] = math.sqrt %[[X]] : f32
// CHECK: return %[[E]], %[[S]]
func.func @kept(%x: f32, %d: f64) -> (f64, f32) {
  %0 = math.exp %d : f64
  %1 = math.sqrt %x : f32
  return %0, %1 : f64, f32
}
