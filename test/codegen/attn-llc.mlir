// attn-llc (AttnCodegen): LLVM-dialect MLIR to LLVM IR, assembly or objects.
// RUN: attn-opt %s --attnc-lower="c-interface=0" -o %t.mlir
// RUN: %attn-llc %t.mlir --emit=llvm -o - | FileCheck %s --check-prefix=IR
// RUN: %attn-llc %t.mlir --emit=asm --mcpu=x86-64 -o - | FileCheck %s --check-prefix=ASM
// RUN: %attn-llc %t.mlir -O0 --mcpu=x86-64-v3 -o %t.o && llvm-nm %t.o | FileCheck %s --check-prefix=OBJ
//
// Errors are diagnostics, with exit code 1 and no output file.
// RUN: not %attn-llc %t.mlir --mcpu=no-such-cpu -o %t.bad.o 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not ls %t.bad.o
// RUN: not %attn-llc %t.mlir -O4 -o %t.bad.o 2>&1 | FileCheck %s --check-prefix=OPT
// RUN: not %attn-llc %s -o %t.bad.o 2>&1 | FileCheck %s --check-prefix=NOTLLVM
// RUN: not ls %t.bad.o

// The module gets the host triple and a data layout; the C interface
// wrapper takes one pointer per memref descriptor.
// IR: target datalayout =
// IR: target triple =
// IR: define void @_mlir_ciface_scale(ptr {{.*}}, ptr {{.*}})
// ASM: _mlir_ciface_scale:
// OBJ: T _mlir_ciface_scale
// OBJ: T scale
// CPU: error: unknown CPU 'no-such-cpu'
// OPT: error: optimization level must be 0 to 3, got -O4
// NOTLLVM: error: cannot translate the module to LLVM IR

// y = x * 0.5, in place.
func.func @scale(%x: tensor<?xf32> {bufferization.writable = false},
                 %y_out: tensor<?xf32> {bufferization.writable = true})
    -> tensor<?xf32> attributes {llvm.emit_c_interface} {
  %y = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                       iterator_types = ["parallel"]}
      ins(%x : tensor<?xf32>) outs(%y_out : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %half = arith.constant 0.5 : f32
    %r = arith.mulf %in, %half : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  %r = bufferization.materialize_in_destination %y in %y_out : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}
