// RUN: attn-opt %s --attn-outline-parallel | FileCheck %s
// RUN: attn-opt %s --attn-outline-parallel --finalize-memref-to-llvm --convert-arith-to-llvm --convert-scf-to-cf --convert-cf-to-llvm --convert-func-to-llvm --reconcile-unrealized-casts | FileCheck %s --check-prefix=LLVM

// The runtime's entry point is declared once.
// CHECK: func.func private @attnrt_parallel_for(i64, !llvm.ptr, !llvm.ptr)
// CHECK-NOT: func.func private @attnrt_parallel_for

// At the loop: the values the body uses (a memref with the identity
// layout, a strided one, an index, an f32) go into a struct on the stack,
// allocated at the function's entry; constants are not passed.
// CHECK-LABEL: func.func @scale_rows
// CHECK-SAME: (%[[A:.+]]: memref<?x8xf32>, %[[B:.+]]: memref<?x8xf32, strided<[16, 1], offset: ?>>, %[[N:.+]]: index, %[[S:.+]]: f32, %[[COL:.+]]: index)
// CHECK: %[[CTX:.+]] = llvm.alloca %{{.+}} x !llvm.struct<(struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, i64, f32, struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>)>
// CHECK: %[[F0:.+]] = llvm.getelementptr %[[CTX]][0, 0]
// CHECK: %[[DA:.+]] = builtin.unrealized_conversion_cast %[[A]] : memref<?x8xf32> to !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK: llvm.store %[[DA]], %[[F0]]
// CHECK: %[[F1:.+]] = llvm.getelementptr %[[CTX]][0, 1]
// CHECK: %[[COL64:.+]] = arith.index_cast %[[COL]] : index to i64
// CHECK: llvm.store %[[COL64]], %[[F1]] : i64, !llvm.ptr
// CHECK: %[[F2:.+]] = llvm.getelementptr %[[CTX]][0, 2]
// CHECK: llvm.store %[[S]], %[[F2]] : f32, !llvm.ptr
// CHECK: %[[F3:.+]] = llvm.getelementptr %[[CTX]][0, 3]
// CHECK: builtin.unrealized_conversion_cast %[[B]] : memref<?x8xf32, strided<[16, 1], offset: ?>> to
// CHECK: %[[FN:.+]] = constant @scale_rows_parallel : (i64, i64, !llvm.ptr) -> ()
// CHECK: %[[FNPTR:.+]] = builtin.unrealized_conversion_cast %[[FN]] : (i64, i64, !llvm.ptr) -> () to !llvm.ptr
// CHECK: %[[COUNT:.+]] = arith.index_cast %[[N]] : index to i64
// CHECK: call @attnrt_parallel_for(%[[COUNT]], %[[FNPTR]], %[[CTX]])
// CHECK-NOT: scf.forall
// CHECK: return

// The body: unpack, then an scf.for over [begin, end) with the loop's ops.
// CHECK-LABEL: func.func private @scale_rows_parallel
// CHECK-SAME: (%[[BEGIN:.+]]: i64, %[[END:.+]]: i64, %[[C:.+]]: !llvm.ptr)
// CHECK: %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[G0:.+]] = llvm.getelementptr %[[C]][0, 0]
// CHECK: %[[L0:.+]] = llvm.load %[[G0]] : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK: %[[AA:.+]] = builtin.unrealized_conversion_cast %[[L0]] : {{.*}} to memref<?x8xf32>
// CHECK: %[[CC64:.+]] = llvm.load %{{.+}} : !llvm.ptr -> i64
// CHECK: %[[CC:.+]] = arith.index_cast %[[CC64]] : i64 to index
// CHECK: %[[SS:.+]] = llvm.load %{{.+}} : !llvm.ptr -> f32
// CHECK: %[[BB:.+]] = builtin.unrealized_conversion_cast %{{.+}} to memref<?x8xf32, strided<[16, 1], offset: ?>>
// CHECK: %[[LO:.+]] = arith.index_cast %[[BEGIN]] : i64 to index
// CHECK: %[[HI:.+]] = arith.index_cast %[[END]] : i64 to index
// CHECK: scf.for %[[I:.+]] = %[[LO]] to %[[HI]] step %{{.+}} {
// CHECK:   %[[X:.+]] = memref.load %[[AA]][%[[I]], %[[CC]]]
// CHECK:   %[[Y:.+]] = arith.mulf %[[X]], %[[SS]]
// CHECK:   %[[Z:.+]] = arith.addf %[[Y]], %[[ONE]]
// CHECK:   memref.store %[[Z]], %[[BB]][%[[I]], %[[CC]]]
// CHECK: }
// CHECK: return

// After the LLVM conversions the casts are gone: the body is a plain
// void(i64, i64, ptr) function and the loop a call with its address.
// LLVM-LABEL: llvm.func @scale_rows
// LLVM: %[[ADDR:.+]] = llvm.mlir.addressof @scale_rows_parallel : !llvm.ptr
// LLVM: llvm.call @attnrt_parallel_for(%{{.+}}, %[[ADDR]], %{{.+}}) : (i64, !llvm.ptr, !llvm.ptr) -> ()
// LLVM-LABEL: llvm.func @scale_rows_parallel(%{{.+}}: i64, %{{.+}}: i64, %{{.+}}: !llvm.ptr)
// LLVM-NOT: unrealized_conversion_cast
func.func @scale_rows(%a: memref<?x8xf32>, %b: memref<?x8xf32, strided<[16, 1], offset: ?>>,
                      %n: index, %s: f32, %col: index) {
  %one = arith.constant 1.0 : f32
  scf.forall (%i) in (%n) {
    %x = memref.load %a[%i, %col] : memref<?x8xf32>
    %y = arith.mulf %x, %s : f32
    %z = arith.addf %y, %one : f32
    memref.store %z, %b[%i, %col] : memref<?x8xf32, strided<[16, 1], offset: ?>>
  }
  return
}

// Two loops in one function: two body functions, one declaration.
// CHECK-LABEL: func.func @two_loops
// CHECK: call @attnrt_parallel_for
// CHECK: call @attnrt_parallel_for
// CHECK-DAG: func.func private @two_loops_parallel(
// CHECK-DAG: func.func private @two_loops_parallel_0(
func.func @two_loops(%a: memref<?xf32>, %n: index) {
  %zero = arith.constant 0.0 : f32
  scf.forall (%i) in (%n) {
    memref.store %zero, %a[%i] : memref<?xf32>
  }
  scf.forall (%i) in (%n) {
    %x = memref.load %a[%i] : memref<?xf32>
    %y = arith.addf %x, %x : f32
    memref.store %y, %a[%i] : memref<?xf32>
  }
  return
}
