// RUN: attn-opt %s --split-input-file --verify-diagnostics --attn-approximate-local="window=4 min-keys=16" | FileCheck %s
// RUN: attn-opt %s --split-input-file --attn-approximate-local | FileCheck %s --check-prefix=OFF
// RUN: not attn-opt %s --split-input-file --attn-approximate-local="window=-1" 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// NEGATIVE: error: attn-approximate-local: window and min-keys must be at least 0

// Global attention over more than min-keys keys (static or known only at
// run time) gets window(4) on top of its masks, with a remark; 16 keys or
// fewer, an existing window and a single query are left alone.
// CHECK-LABEL: func @global
// CHECK: attn.attention dot %{{.*}} mask<window> window(4) : (tensor<32x8xf32>
// CHECK: attn.attention dot %{{.*}} mask<causal|window> window(4) : (tensor<?x8xf32>
// CHECK: attn.attention dot %{{.*}} : (tensor<16x8xf32>
// CHECK: attn.attention dot %{{.*}} mask<window> window(2) : (tensor<32x8xf32>
// OFF-LABEL: func @global
// OFF-NOT: window(4)
func.func @global(%x: tensor<32x8xf32>, %d: tensor<?x8xf32>, %s: tensor<16x8xf32>)
    -> (tensor<32x8xf32>, tensor<?x8xf32>, tensor<16x8xf32>, tensor<32x8xf32>) {
  // expected-remark @below {{global attention over 32 keys approximated by local attention: keys within 4 of the query (--local-window); exact up to 5 keys}}
  %0 = attn.attention dot %x, %x, %x : (tensor<32x8xf32>, tensor<32x8xf32>, tensor<32x8xf32>) -> tensor<32x8xf32>
  // expected-remark @below {{global attention over a run-time number of keys approximated by local attention}}
  %1 = attn.attention dot %d, %d, %d mask<causal> : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  %2 = attn.attention dot %s, %s, %s : (tensor<16x8xf32>, tensor<16x8xf32>, tensor<16x8xf32>) -> tensor<16x8xf32>
  %3 = attn.attention dot %x, %x, %x mask<window> window(2) : (tensor<32x8xf32>, tensor<32x8xf32>, tensor<32x8xf32>) -> tensor<32x8xf32>
  return %0, %1, %2, %3 : tensor<32x8xf32>, tensor<?x8xf32>, tensor<16x8xf32>, tensor<32x8xf32>
}

// -----

// The unfused chain: the softmax gets the window (its scores' last dim is
// the number of keys), with padding kept.
// CHECK-LABEL: func @chain
// CHECK: attn.softmax %{{.*}} mask<padding|window> window(4) lengths(%{{.*}}) : (tensor<2x20x20xf32>, tensor<2xi32>)
func.func @chain(%e: tensor<2x20x20xf32>, %len: tensor<2xi32>) -> tensor<2x20x20xf32> {
  // expected-remark @below {{global attention over 20 keys approximated by local attention}}
  %0 = attn.softmax %e mask<padding> lengths(%len) : (tensor<2x20x20xf32>, tensor<2xi32>) -> tensor<2x20x20xf32>
  return %0 : tensor<2x20x20xf32>
}

// -----

// A decoder step (one query) has no index to center a window on: kept, and
// said so.
// CHECK-LABEL: func @step
// CHECK: attn.attention dot %{{.*}} : (tensor<8xf32>, tensor<?x8xf32>
func.func @step(%q: tensor<8xf32>, %k: tensor<?x8xf32>) -> tensor<8xf32> {
  // expected-remark @below {{global attention kept (--local-window): a single query has no position to center a window on}}
  %0 = attn.attention dot %q, %k, %k : (tensor<8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}
