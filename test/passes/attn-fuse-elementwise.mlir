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
