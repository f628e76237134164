// RUN: attn-opt %s --split-input-file --attn-sink-output-reshapes | FileCheck %s

// An output computed on collapsed batch dims: the destination is collapsed
// instead (right at the function entry), the value is materialized into it,
// and the expanded result is what the function returns.
// CHECK-LABEL: func.func @expanded_output
// CHECK-SAME: (%[[X:.+]]: tensor<6x?x5xf32>, %[[OUT:.+]]: tensor<2x3x?x5xf32> {bufferization.writable = true})
// CHECK: %[[DEST:.+]] = tensor.collapse_shape %[[OUT]] {{\[}}[0, 1], [2], [3]] : tensor<2x3x?x5xf32> into tensor<6x?x5xf32>
// CHECK: %[[M:.+]] = bufferization.materialize_in_destination %[[X]] in %[[DEST]] : (tensor<6x?x5xf32>, tensor<6x?x5xf32>) -> tensor<6x?x5xf32>
// CHECK-NEXT: %[[R:.+]] = tensor.expand_shape %[[M]] {{\[}}[0, 1], [2], [3]] output_shape [2, 3, %{{.+}}, 5]
// CHECK-NEXT: return %[[R]]
func.func @expanded_output(%x: tensor<6x?x5xf32>, %out: tensor<2x3x?x5xf32> {bufferization.writable = true}) -> tensor<2x3x?x5xf32> {
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c1 : tensor<6x?x5xf32>
  %e = tensor.expand_shape %x [[0, 1], [2], [3]] output_shape [2, 3, %n, 5] : tensor<6x?x5xf32> into tensor<2x3x?x5xf32>
  %r = bufferization.materialize_in_destination %e in %out : (tensor<2x3x?x5xf32>, tensor<2x3x?x5xf32>) -> tensor<2x3x?x5xf32>
  return %r : tensor<2x3x?x5xf32>
}

// -----

// A decoder step computed as a block of one, then collapsed: the
// destination is expanded to [1, 12] instead.
// CHECK-LABEL: func.func @collapsed_output
// CHECK-SAME: (%[[X:.+]]: tensor<1x12xf32>, %[[OUT:.+]]: tensor<12xf32>)
// CHECK-NEXT: %[[DEST:.+]] = tensor.expand_shape %[[OUT]] {{\[}}[0, 1]] output_shape [1, 12] : tensor<12xf32> into tensor<1x12xf32>
// CHECK-NEXT: %[[M:.+]] = bufferization.materialize_in_destination %[[X]] in %[[DEST]]
// CHECK-NEXT: %[[R:.+]] = tensor.collapse_shape %[[M]] {{\[}}[0, 1]] : tensor<1x12xf32> into tensor<12xf32>
// CHECK-NEXT: return %[[R]]
func.func @collapsed_output(%x: tensor<1x12xf32>, %out: tensor<12xf32>) -> tensor<12xf32> {
  %c = tensor.collapse_shape %x [[0, 1]] : tensor<1x12xf32> into tensor<12xf32>
  %r = bufferization.materialize_in_destination %c in %out : (tensor<12xf32>, tensor<12xf32>) -> tensor<12xf32>
  return %r : tensor<12xf32>
}

// -----

// Left alone: a destination that is not a function argument, and a
// collapse whose expansion cannot be inferred (two dynamic dims in a group).
// CHECK-LABEL: func.func @kept
// CHECK: %[[C1:.+]] = tensor.collapse_shape
// CHECK-NEXT: bufferization.materialize_in_destination %[[C1]] in %{{.+}} :
// CHECK: %[[C2:.+]] = tensor.collapse_shape
// CHECK-NEXT: bufferization.materialize_in_destination %[[C2]] in %{{.+}} :
func.func @kept(%x: tensor<1x12xf32>, %y: tensor<?x?xf32>, %out: tensor<?xf32>) -> (tensor<12xf32>, tensor<?xf32>) {
  %d = tensor.empty() : tensor<12xf32>
  %c1 = tensor.collapse_shape %x [[0, 1]] : tensor<1x12xf32> into tensor<12xf32>
  %r1 = bufferization.materialize_in_destination %c1 in %d : (tensor<12xf32>, tensor<12xf32>) -> tensor<12xf32>
  %c2 = tensor.collapse_shape %y [[0, 1]] : tensor<?x?xf32> into tensor<?xf32>
  %r2 = bufferization.materialize_in_destination %c2 in %out : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %r1, %r2 : tensor<12xf32>, tensor<?xf32>
}
