// RUN: attn-opt %s --split-input-file --attn-fuse-elementwise | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>

// A named elementwise op feeding a generic fuses into one generic; the
// matmul after it, and the reshape after the matmul, stay as they are
// (upstream's linalg-fuse-elementwise-ops would turn the matmul into a
// generic to propagate the expand_shape).
// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[A:.+]]: tensor<?x16xf32>, %[[B:.+]]: tensor<?x16xf32>, %[[W:.+]]: tensor<16x16xf32>)
// CHECK: %[[T:.+]] = linalg.generic {{.*}} ins(%[[A]], %[[B]] : tensor<?x16xf32>, tensor<?x16xf32>)
// CHECK: %[[S:.+]] = arith.addf
// CHECK: math.tanh %[[S]]
// CHECK: %[[P:.+]] = linalg.matmul ins(%[[T]], %[[W]] :
// CHECK: %[[X:.+]] = tensor.expand_shape %[[P]]
// CHECK: linalg.generic {{.*}} ins(%[[X]] : tensor<?x2x8xf32>)
// CHECK: arith.mulf
// CHECK-NOT: linalg.add
// CHECK-NOT: linalg.mul
func.func @chain(%a: tensor<?x16xf32>, %b: tensor<?x16xf32>, %w: tensor<16x16xf32>) -> tensor<?x16xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %a, %c0 : tensor<?x16xf32>
  %e = tensor.empty(%n) : tensor<?x16xf32>
  %sum = linalg.add ins(%a, %b : tensor<?x16xf32>, tensor<?x16xf32>) outs(%e : tensor<?x16xf32>) -> tensor<?x16xf32>
  %t = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%sum : tensor<?x16xf32>) outs(%e : tensor<?x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %y = math.tanh %in : f32
    linalg.yield %y : f32
  } -> tensor<?x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x16xf32>) -> tensor<?x16xf32>
  %p = linalg.matmul ins(%t, %w : tensor<?x16xf32>, tensor<16x16xf32>) outs(%f : tensor<?x16xf32>) -> tensor<?x16xf32>
  %x = tensor.expand_shape %p [[0], [1, 2]] output_shape [%n, 2, 8] : tensor<?x16xf32> into tensor<?x2x8xf32>
  %e3 = tensor.empty(%n) : tensor<?x2x8xf32>
  %s = linalg.mul ins(%x, %x : tensor<?x2x8xf32>, tensor<?x2x8xf32>) outs(%e3 : tensor<?x2x8xf32>) -> tensor<?x2x8xf32>
  %c = tensor.collapse_shape %s [[0], [1, 2]] : tensor<?x2x8xf32> into tensor<?x16xf32>
  return %c : tensor<?x16xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// A producer with two uses is not fused (it would be computed twice).
// CHECK-LABEL: func.func @two_uses
// CHECK: %[[E:.+]] = linalg.generic
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} ins(%[[E]] :
// CHECK: linalg.generic {{.*}} ins(%[[E]] :
func.func @two_uses(%a: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %e = tensor.empty() : tensor<4x4xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %y = math.exp %in : f32
    linalg.yield %y : f32
  } -> tensor<4x4xf32>
  %1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%0 : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %y = arith.negf %in : f32
    linalg.yield %y : f32
  } -> tensor<4x4xf32>
  %2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%0 : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %y = arith.mulf %in, %in : f32
    linalg.yield %y : f32
  } -> tensor<4x4xf32>
  return %1, %2 : tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// A relu feeding a product written as a generic contraction (the second
// linear of a feed-forward block over [B, S, F]) stays its own loop: fused,
// the product would no longer be a contraction that attn-matmul-to-blas
// sends to BLAS.
#rows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#wt = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
#out = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @spares_contraction
// CHECK: %[[R:.+]] = linalg.generic
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[R]], %{{.+}} :
// CHECK-NOT: arith.maximumf
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @spares_contraction(%x: tensor<2x3x8xf32>, %w: tensor<4x8xf32>) -> tensor<2x3x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3x8xf32>
  %relu = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<2x3x8xf32>) outs(%e : tensor<2x3x8xf32>) {
  ^bb0(%in: f32, %o: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x3x8xf32>
  %e2 = tensor.empty() : tensor<2x3x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %y = linalg.generic {indexing_maps = [#rows, #wt, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%relu, %w : tensor<2x3x8xf32>, tensor<4x8xf32>) outs(%init : tensor<2x3x4xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}
