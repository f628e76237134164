// attn-emit-c-interface in the lowering pipeline: the last pass when the
// pipeline stops at the LLVM dialect with c-interface set (as attnc runs
// it, and by default); c-interface=0 for modules without a model description.
// RUN: attn-opt %s --attnc-lower="c-interface=1" | FileCheck %s
// RUN: attn-opt %s --attnc-lower="c-interface=1" --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=PIPELINE
// RUN: attn-opt %s --attnc-lower="c-interface=0" | FileCheck %s --check-prefix=OFF
// RUN: attn-opt %s --attnc-lower="stop=bufferized c-interface=1" | FileCheck %s --check-prefix=OFF

// CHECK-LABEL: llvm.func internal @__attnc_tiny_f(
// CHECK-LABEL: llvm.func @tiny_create(%{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr) -> i32
// CHECK: llvm.call @attnrt_model_bind(
// CHECK-LABEL: llvm.func @tiny_destroy(%{{.+}}: !llvm.ptr)
// CHECK-LABEL: llvm.func @tiny_f(%{{.+}}: !llvm.ptr, %{{.+}}: i64, %{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr) -> i32
// CHECK: llvm.call @__attnc_tiny_f(

// PIPELINE: reconcile-unrealized-casts,canonicalize{{.*}},attn-emit-c-interface)

// OFF-NOT: tiny_create
// OFF-NOT: internal @__attnc_tiny_f
// OFF: @__attnc_tiny_f(
// OFF-NOT: tiny_create

// The frontend's output for
//   model tiny { dim S <= 16  param b : f32[4]
//                fn f(x: f32[S, 4]) -> (y: f32[S, 4]) { y = tanh(x) + b } }
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>
module attributes {attn.model = #attn.model<"tiny",
    dims = [#attn.dim<"S", max = 16>], params = [#attn.arg<"b" : f32[4]>],
    entries = [#attn.entry<"f", kernel = @__attnc_tiny_f,
                           inputs = [#attn.arg<"x" : f32[S, 4]>],
                           outputs = [#attn.arg<"y" : f32[S, 4]>]>]>} {
  func.func @__attnc_tiny_f(%b: tensor<4xf32> {bufferization.writable = false},
                            %x: tensor<?x4xf32> {bufferization.writable = false},
                            %y: tensor<?x4xf32> {bufferization.writable = true})
      -> tensor<?x4xf32> {
    %c0 = arith.constant 0 : index
    %s = tensor.dim %x, %c0 : tensor<?x4xf32>
    %empty = tensor.empty(%s) : tensor<?x4xf32>
    %tanh = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
        ins(%x : tensor<?x4xf32>) outs(%empty : tensor<?x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %t = math.tanh %in : f32
      linalg.yield %t : f32
    } -> tensor<?x4xf32>
    %empty2 = tensor.empty(%s) : tensor<?x4xf32>
    %sum = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]}
        ins(%tanh, %b : tensor<?x4xf32>, tensor<4xf32>) outs(%empty2 : tensor<?x4xf32>) {
    ^bb0(%in: f32, %in_0: f32, %out: f32):
      %a = arith.addf %in, %in_0 : f32
      linalg.yield %a : f32
    } -> tensor<?x4xf32>
    %r = bufferization.materialize_in_destination %sum in %y : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    return %r : tensor<?x4xf32>
  }
}
