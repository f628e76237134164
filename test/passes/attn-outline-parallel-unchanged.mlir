// RUN: attn-opt %s --attn-outline-parallel | FileCheck %s
// The loops attn-outline-parallel leaves alone (the pipeline runs them on one
// thread with scf-forall-to-for); no runtime declaration appears either.
// CHECK-NOT: attnrt_parallel_for

// Left alone: two dims, a non-zero lower bound, a loop on tensors (with
// outputs), a body using a value of another type (a vector).
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: attnrt_parallel_for
// CHECK: scf.forall (%{{.+}}, %{{.+}}) in (%{{.+}}, %{{.+}})
// CHECK: scf.forall (%{{.+}}) = (%c1) to (%{{.+}}) step (%c1)
// CHECK: scf.forall (%{{.+}}) in (%{{.+}}) shared_outs
// CHECK: scf.forall (%{{.+}}) in (%{{.+}})
// CHECK-NOT: attnrt_parallel_for
// CHECK: return
func.func @left_alone(%a: memref<?x?xf32>, %n: index, %t: tensor<?xf32>, %v: vector<4xf32>, %m: memref<?x4xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  scf.forall (%i, %j) in (%n, %n) {
    memref.store %zero, %a[%i, %j] : memref<?x?xf32>
  }
  scf.forall (%i) = (%c1) to (%n) step (%c1) {
    memref.store %zero, %a[%i, %i] : memref<?x?xf32>
  }
  %r = scf.forall (%i) in (%n) shared_outs(%o = %t) -> (tensor<?xf32>) {
    %s = tensor.extract_slice %o[%i] [1] [1] : tensor<?xf32> to tensor<1xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i] [1] [1] : tensor<1xf32> into tensor<?xf32>
    }
  }
  scf.forall (%i) in (%n) {
    vector.store %v, %m[%i, %c0] : memref<?x4xf32>, vector<4xf32>
  }
  return %r : tensor<?xf32>
}
