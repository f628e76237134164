// RUN: attn-opt %s --split-input-file --attn-split-shared-inits | FileCheck %s

// One zero fill shared by three products (as CSE leaves it) becomes one
// empty + fill per product, each right before its product.
// CHECK-LABEL: func.func @shared_fill
// CHECK-SAME: (%[[X:.+]]: tensor<?x8xf32>, %[[W:.+]]: tensor<8x8xf32>)
// CHECK: tensor.dim
// CHECK-NEXT: %[[E1:.+]] = tensor.empty(%{{.+}}) : tensor<?x8xf32>
// CHECK-NEXT: %[[F1:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E1]] :
// CHECK-NEXT: %[[P1:.+]] = linalg.matmul ins(%[[X]], %[[W]] : {{.*}}) outs(%[[F1]] :
// CHECK-NEXT: %[[E2:.+]] = tensor.empty(%{{.+}}) : tensor<?x8xf32>
// CHECK-NEXT: %[[F2:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E2]] :
// CHECK-NEXT: %[[P2:.+]] = linalg.matmul ins(%[[P1]], %[[W]] : {{.*}}) outs(%[[F2]] :
// CHECK-NEXT: %[[E3:.+]] = tensor.empty(%{{.+}}) : tensor<?x8xf32>
// CHECK-NEXT: %[[F3:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E3]] :
// CHECK-NEXT: linalg.matmul ins(%[[P2]], %[[W]] : {{.*}}) outs(%[[F3]] :
// CHECK-NOT: tensor.empty
func.func @shared_fill(%x: tensor<?x8xf32>, %w: tensor<8x8xf32>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %0 = linalg.matmul ins(%x, %w : tensor<?x8xf32>, tensor<8x8xf32>) outs(%f : tensor<?x8xf32>) -> tensor<?x8xf32>
  %1 = linalg.matmul ins(%0, %w : tensor<?x8xf32>, tensor<8x8xf32>) outs(%f : tensor<?x8xf32>) -> tensor<?x8xf32>
  %2 = linalg.matmul ins(%1, %w : tensor<?x8xf32>, tensor<8x8xf32>) outs(%f : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %2 : tensor<?x8xf32>
}

// -----

// A shared tensor.empty gets one clone per user; a user inside a loop gets
// its clone where the original was, not one per iteration.
// CHECK-LABEL: func.func @shared_empty
// CHECK-NEXT: %[[E2:.+]] = tensor.empty() : tensor<4xf32>
// CHECK-NEXT: %[[E1:.+]] = tensor.empty() : tensor<4xf32>
// CHECK-NEXT: linalg.transpose ins(%{{.+}} : tensor<4xf32>) outs(%[[E1]] :
// CHECK-NEXT: scf.for
// CHECK-NEXT: linalg.transpose ins(%{{.+}} : tensor<4xf32>) outs(%[[E2]] :
// CHECK-NOT: tensor.empty
func.func @shared_empty(%a: tensor<4xf32>, %lb: index, %ub: index, %step: index) -> (tensor<4xf32>, tensor<4xf32>) {
  %e = tensor.empty() : tensor<4xf32>
  %0 = linalg.transpose ins(%a : tensor<4xf32>) outs(%e : tensor<4xf32>) permutation = [0]
  %1 = scf.for %i = %lb to %ub step %step iter_args(%acc = %a) -> tensor<4xf32> {
    %t = linalg.transpose ins(%acc : tensor<4xf32>) outs(%e : tensor<4xf32>) permutation = [0]
    scf.yield %t : tensor<4xf32>
  }
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}
