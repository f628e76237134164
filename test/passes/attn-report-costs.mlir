// RUN: attn-opt %s --split-input-file --verify-diagnostics --attn-report-costs -o /dev/null | FileCheck %s

// Flops: a matmul's iteration space times its body's two ops (2 * S * 4 *
// 4), and a loop over S of an elementwise body with a math function and an
// add (S * S * 4 * 2). Weights: only the params the kernel uses. Peak
// scratch: the loop carries a buffer whose ownership flag frees the previous
// iteration's (the form ownership-based deallocation gives): the first
// buffer (with its alignment of 64 bytes), the carried one and the new one.
// CHECK-LABEL: m_loop(S):
// CHECK-NEXT:   flops = 8 * S^2 + 32 * S   (S = 64: 34.8 kFLOP)
// CHECK-NEXT:   weights read = 64 B (1 of 2 params)
// CHECK-NEXT:   peak scratch = 48 B * S + 64 B   (S = 64, 1 thread: 3.062 KiB)
// The body of a parallel loop counts once per thread; its trip count (a
// division by a block size) multiplies its flops (an add and a mul).
// CHECK-LABEL: m_blocks(S):
// CHECK-NEXT:   flops = 0.25 * S   (S = 64: 16 FLOP)
// CHECK-NEXT:   weights read = 0 B (0 of 2 params)
// CHECK-NEXT:   peak scratch = 16 B * S + 16 KiB * threads + 64 B   (S = 64, 1 thread: 17.06 KiB)
#map = affine_map<(d0, d1) -> (d0, d1)>
module attributes {attn.model = #attn.model<"m", dims = [#attn.dim<"S", max = 64>],
    params = [#attn.arg<"w" : f32[4, 4]>, #attn.arg<"unused" : f32[8]>],
    entries = [#attn.entry<"loop", kernel = @loop, inputs = [#attn.arg<"x" : f32[S, 4]>], outputs = [#attn.arg<"y" : f32[S, 4]>]>,
               #attn.entry<"blocks", kernel = @blocks, inputs = [#attn.arg<"x" : f32[S, 4]>], outputs = [#attn.arg<"y" : f32[S, 4]>]>]>} {
  func.func @loop(%w: memref<4x4xf32>, %unused: memref<8xf32>, %x: memref<?x4xf32>, %y: memref<?x4xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %false = arith.constant false
    %true = arith.constant true
    %s = memref.dim %x, %c0 : memref<?x4xf32>
    %a = memref.alloc(%s) {alignment = 64 : i64} : memref<?x4xf32>
    linalg.matmul ins(%x, %w : memref<?x4xf32>, memref<4x4xf32>) outs(%a : memref<?x4xf32>)
    %r:2 = scf.for %j = %c0 to %s step %c1 iter_args(%carried = %a, %own = %false) -> (memref<?x4xf32>, i1) {
      %n = memref.alloc(%s) : memref<?x4xf32>
      linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%carried : memref<?x4xf32>) outs(%n : memref<?x4xf32>) {
      ^bb0(%in: f32, %out: f32):
        %e = math.exp %in : f32
        %p = arith.addf %e, %in : f32
        linalg.yield %p : f32
      }
      scf.if %own {
        memref.dealloc %carried : memref<?x4xf32>
      }
      scf.yield %n, %true : memref<?x4xf32>, i1
    }
    memref.copy %r#0, %y : memref<?x4xf32> to memref<?x4xf32>
    memref.dealloc %a : memref<?x4xf32>
    scf.if %r#1 {
      memref.dealloc %r#0 : memref<?x4xf32>
    }
    return
  }
  func.func @blocks(%w: memref<4x4xf32>, %unused: memref<8xf32>, %x: memref<?x4xf32>, %y: memref<?x4xf32>) {
    %c0 = arith.constant 0 : index
    %c8 = arith.constant 8 : index
    %cst = arith.constant 1.0 : f32
    %s = memref.dim %x, %c0 : memref<?x4xf32>
    %a = memref.alloc(%s) {alignment = 64 : i64} : memref<?x4xf32>
    %blocks = arith.ceildivui %s, %c8 : index
    scf.forall (%i) in (%blocks) {
      %t = memref.alloc() : memref<64x64xf32>
      %f = arith.addf %cst, %cst : f32
      %g = arith.mulf %f, %cst : f32
      memref.store %g, %t[%c0, %c0] : memref<64x64xf32>
      memref.dealloc %t : memref<64x64xf32>
    }
    memref.dealloc %a : memref<?x4xf32>
    return
  }
}

// -----

// A size the analysis cannot follow (here one read from memory) makes the
// figure unknown rather than wrong.
// CHECK-LABEL: u_f(S):
// CHECK: peak scratch = unknown (the IR has a size attn-report-costs cannot follow)
module attributes {attn.model = #attn.model<"u", dims = [#attn.dim<"S">], params = [],
    entries = [#attn.entry<"f", kernel = @f, inputs = [#attn.arg<"n" : i32[S]>], outputs = []>]>} {
  func.func @f(%n: memref<?xi32>) {
    %c0 = arith.constant 0 : index
    %v = memref.load %n[%c0] : memref<?xi32>
    %size = arith.index_cast %v : i32 to index
    %a = memref.alloc(%size) : memref<?xf32>
    memref.dealloc %a : memref<?xf32>
    return
  }
}

// -----

// A collapsed view's extent is the product of the sizes of its source's
// group (S * 4). ReportCosts once iterated over that group inside a
// temporary list of all groups, already destroyed: ASan's
// stack-use-after-scope, which this case shows in the sanitizer build
// (scripts/test-sanitized.sh).
// CHECK-LABEL: c_flat(S):
// CHECK-NEXT:   flops = 4 * S   (S = 64: 256 FLOP)
#id = affine_map<(d0) -> (d0)>
module attributes {attn.model = #attn.model<"c", dims = [#attn.dim<"S", max = 64>],
    params = [],
    entries = [#attn.entry<"flat", kernel = @flat, inputs = [#attn.arg<"x" : f32[S, 4]>], outputs = [#attn.arg<"y" : f32[S, 4]>]>]>} {
  func.func @flat(%x: memref<?x4xf32>, %y: memref<?x4xf32>) {
    %fx = memref.collapse_shape %x [[0, 1]] : memref<?x4xf32> into memref<?xf32>
    %fy = memref.collapse_shape %y [[0, 1]] : memref<?x4xf32> into memref<?xf32>
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%fx : memref<?xf32>) outs(%fy : memref<?xf32>) {
    ^bb0(%in: f32, %out: f32):
      %e = math.exp %in : f32
      linalg.yield %e : f32
    }
    return
  }
}

// -----

// expected-error @below {{attn-report-costs needs the module's attn.model}}
module {
}

// -----

// expected-error @below {{attn-report-costs: no kernel function for entry point 'f'}}
module attributes {attn.model = #attn.model<"k", dims = [], params = [],
    entries = [#attn.entry<"f", kernel = @missing, inputs = [], outputs = []>]>} {
}
