// RUN: attn-opt %s --split-input-file --attn-emit-c-interface | FileCheck %s
// RUN: attn-opt %s --split-input-file --attn-emit-c-interface | FileCheck %s --check-prefix=DECL
// The result verifies and reads back.
// RUN: attn-opt %s --split-input-file --attn-emit-c-interface | attn-opt --split-input-file > /dev/null

// A model with a parameter, a bounded dim S and an unbounded dim T, and an
// entry that takes S only, with range-checked i32 inputs (an id bounded by
// an integer, a length bounded by S) and an output using S. The kernel
// takes one descriptor per param, input and output.
// CHECK-DAG: llvm.mlir.global internal constant @[[NULLOUT:__attnc_str_[0-9]+]]("m_create: the pointer to store the model in is null\00")
// A model with params and no embedded weights refuses a NULL path itself.
// CHECK-DAG: llvm.mlir.global internal constant @{{__attnc_str_[0-9]+}}("m_create: weights_path is NULL, and no weights are embedded in the object (attnc --embed-weights)\00")
// CHECK-DAG: llvm.mlir.global internal constant @[[WNAME:__attnc_str_[0-9]+]]("w\00")
// CHECK-DAG: llvm.mlir.global internal constant @[[WSHAPE:__attnc_shape_[0-9]+]](dense<[4, 2]> : tensor<2xi64>) {{.*}} : !llvm.array<2 x i64>
// CHECK-DAG: llvm.mlir.global internal constant @[[NULLH:__attnc_str_[0-9]+]]("m_step: the model handle is null\00")
// CHECK-DAG: llvm.mlir.global internal constant @[[SMIN:__attnc_str_[0-9]+]]("m_step: dim S must be at least 1, got %lld\00")
// CHECK-DAG: llvm.mlir.global internal constant @[[SMAX:__attnc_str_[0-9]+]]("m_step: dim S = %lld is above its bound 8\00")
// CHECK-DAG: llvm.mlir.global internal constant @[[NULLIDS:__attnc_str_[0-9]+]]("m_step: input 'ids' is null\00")
// CHECK-DAG: llvm.mlir.global internal constant @[[NULLLEN:__attnc_str_[0-9]+]]("m_step: input 'len' is null\00")
// CHECK-DAG: llvm.mlir.global internal constant @[[NULLY:__attnc_str_[0-9]+]]("m_step: output 'y' is null\00")
// CHECK-DAG: llvm.mlir.global internal constant @[[IDS:__attnc_str_[0-9]+]]("m_step: ids\00")
// CHECK-DAG: llvm.mlir.global internal constant @[[ANID:__attnc_str_[0-9]+]]("an id of the embedding table 'w'\00")
// CHECK-DAG: llvm.mlir.global internal constant @[[LEN:__attnc_str_[0-9]+]]("m_step: len = %d is not a padding length (0 to %lld)\00")
// No check or argument for T, which no buffer of the entry uses.
// CHECK-NOT: dim T

// The kernel is internal now: only the C interface is exported. It is
// always inlined into its wrapper, so that LLVM's interprocedural passes
// never see its 5 arguments per memref (quadratic in them).
// CHECK-LABEL: llvm.func internal @__attnc_m_step(
// CHECK-SAME: attributes {always_inline}

// <model>_create: checks where to store the handle, opens the weights with
// one parameter slot, binds w as f32 (dtype 0) of shape [4, 2], and frees
// the model when binding fails.
// CHECK-LABEL: llvm.func @m_create(
// CHECK-SAME: %[[PATH:.+]]: !llvm.ptr, %[[OUT:.+]]: !llvm.ptr) -> i32
// CHECK: %[[NULL:.+]] = llvm.mlir.zero : !llvm.ptr
// CHECK: %[[OUTNULL:.+]] = llvm.icmp "eq" %[[OUT]], %[[NULL]]
// CHECK: llvm.cond_br %[[OUTNULL]], ^[[ERR:.+]], ^[[OK:[a-z0-9]+]]
// CHECK: ^[[ERR]]:
// CHECK: %[[INVALID:.+]] = llvm.mlir.constant(1 : i32) : i32
// CHECK: llvm.mlir.addressof @[[NULLOUT]]
// CHECK: %[[E:.+]] = llvm.call @attnrt_set_error(%[[INVALID]], %{{.+}}) vararg(!llvm.func<i32 (i32, ptr, ...)>)
// CHECK: llvm.return %[[E]] : i32
// CHECK: ^[[OK]]:
// CHECK: llvm.store %{{.+}}, %[[OUT]]
// CHECK: %[[SLOT:.+]] = llvm.alloca
// CHECK: %[[ONE:.+]] = llvm.mlir.constant(1 : i64) : i64
// CHECK: %[[OPEN:.+]] = llvm.call @attnrt_model_open(%[[PATH]], %[[ONE]], %[[SLOT]])
// CHECK: %[[OPENFAILED:.+]] = llvm.icmp "ne" %[[OPEN]], %{{.+}} : i32
// CHECK: llvm.cond_br %[[OPENFAILED]]
// CHECK: llvm.return %[[OPEN]] : i32
// CHECK: %[[HANDLE:.+]] = llvm.load %[[SLOT]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[INDEX:.+]] = llvm.mlir.constant(0 : i64) : i64
// CHECK: llvm.mlir.addressof @[[WNAME]]
// CHECK: %[[F32:.+]] = llvm.mlir.constant(0 : i32) : i32
// CHECK: %[[RANK:.+]] = llvm.mlir.constant(2 : i64) : i64
// CHECK: %[[SHAPE:.+]] = llvm.mlir.addressof @[[WSHAPE]]
// CHECK: %[[BOUND:.+]] = llvm.call @attnrt_model_bind(%[[HANDLE]], %[[INDEX]], %{{.+}}, %[[F32]], %[[RANK]], %[[SHAPE]])
// CHECK: llvm.cond_br
// CHECK: llvm.call @attnrt_model_destroy(%[[HANDLE]])
// CHECK-NEXT: llvm.return %[[BOUND]] : i32
// CHECK: llvm.store %[[HANDLE]], %[[OUT]]
// CHECK: %[[OK0:.+]] = llvm.mlir.constant(0 : i32) : i32
// CHECK-NEXT: llvm.return %[[OK0]] : i32

// <model>_destroy frees the handle.
// CHECK-LABEL: llvm.func @m_destroy(
// CHECK-SAME: %[[H:.+]]: !llvm.ptr)
// CHECK-NEXT: llvm.call @attnrt_model_destroy(%[[H]])

// <model>_<fn>: the handle, then S, then one pointer per input and output.
// CHECK-LABEL: llvm.func @m_step(
// CHECK-SAME: %[[H:[a-z0-9]+]]: !llvm.ptr, %[[S:[a-z0-9]+]]: i64, %[[PIDS:[a-z0-9]+]]: !llvm.ptr, %[[PLEN:[a-z0-9]+]]: !llvm.ptr, %[[PY:[a-z0-9]+]]: !llvm.ptr) -> i32
// The handle is not null.
// CHECK: llvm.icmp "eq" %[[H]], %{{.+}} : !llvm.ptr
// CHECK: llvm.mlir.addressof @[[NULLH]]
// CHECK: llvm.call @attnrt_set_error(
// S is in [1, 8]; the message shows its value.
// CHECK: %[[C1:.+]] = llvm.mlir.constant(1 : i64) : i64
// CHECK: llvm.icmp "slt" %[[S]], %[[C1]] : i64
// CHECK: llvm.mlir.addressof @[[SMIN]]
// CHECK: llvm.call @attnrt_set_error(%{{.+}}, %{{.+}}, %[[S]])
// CHECK: %[[C8:.+]] = llvm.mlir.constant(8 : i64) : i64
// CHECK: llvm.icmp "sgt" %[[S]], %[[C8]] : i64
// CHECK: llvm.mlir.addressof @[[SMAX]]
// CHECK: llvm.call @attnrt_set_error(%{{.+}}, %{{.+}}, %[[S]])
// Every pointer is not null.
// CHECK: llvm.icmp "eq" %[[PIDS]], %{{.+}} : !llvm.ptr
// CHECK: llvm.mlir.addressof @[[NULLIDS]]
// CHECK: llvm.icmp "eq" %[[PLEN]], %{{.+}} : !llvm.ptr
// CHECK: llvm.mlir.addressof @[[NULLLEN]]
// CHECK: llvm.icmp "eq" %[[PY]], %{{.+}} : !llvm.ptr
// CHECK: llvm.mlir.addressof @[[NULLY]]
// The S ids are in [0, 3], the length in [0, S]; a failing check returns
// its status before the kernel runs. The scalar length is checked inline, so
// that its message has no index.
// CHECK: %[[COUNT:.+]] = llvm.mul %{{.+}}, %[[S]] : i64
// CHECK: %[[C3:.+]] = llvm.mlir.constant(3 : i64) : i64
// CHECK: llvm.mlir.addressof @[[IDS]]
// CHECK: llvm.mlir.addressof @[[ANID]]
// CHECK: %[[R1:.+]] = llvm.call @attnrt_check_range(%[[PIDS]], %[[COUNT]], %[[C3]], %{{.+}}, %{{.+}})
// CHECK: %[[R1BAD:.+]] = llvm.icmp "ne" %[[R1]], %{{.+}} : i32
// CHECK: llvm.cond_br %[[R1BAD]]
// CHECK: llvm.return %[[R1]] : i32
// CHECK: %[[LENVALUE:.+]] = llvm.load %[[PLEN]] : !llvm.ptr -> i32
// CHECK: %[[WIDE:.+]] = llvm.sext %[[LENVALUE]] : i32 to i64
// CHECK: %[[NEGATIVE:.+]] = llvm.icmp "slt" %[[WIDE]], %{{.+}} : i64
// CHECK: %[[ABOVE:.+]] = llvm.icmp "sgt" %[[WIDE]], %[[S]] : i64
// CHECK: %[[LENBAD:.+]] = llvm.or %[[NEGATIVE]], %[[ABOVE]] : i1
// CHECK: llvm.cond_br %[[LENBAD]]
// CHECK: %[[RANGE:.+]] = llvm.mlir.constant(2 : i32) : i32
// CHECK: llvm.mlir.addressof @[[LEN]]
// CHECK: %[[R2:.+]] = llvm.call @attnrt_set_error(%[[RANGE]], %{{.+}}, %[[LENVALUE]], %[[S]])
// CHECK: llvm.return %[[R2]] : i32
// CHECK-NOT: attnrt_check_range
// The kernel call: w from the handle as a 4x2 descriptor, the ids as [S],
// the length as a scalar, y as [S, 2] with strides [2, 1].
// CHECK: %[[W:.+]] = llvm.call @attnrt_model_param(%[[H]], %{{.+}}) : (!llvm.ptr, i64) -> !llvm.ptr
// The kernel runs between attnrt_call_begin and attnrt_call_end, which keep
// concurrent callers from each starting a thread team.
// CHECK: %[[TOKEN:.+]] = llvm.call @attnrt_call_begin() : () -> i32
// CHECK: llvm.call @__attnc_m_step(%[[W]], %[[W]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[PIDS]], %[[PIDS]], %{{.+}}, %[[S]], %{{.+}}, %[[PLEN]], %[[PLEN]], %{{.+}}, %[[PY]], %[[PY]], %{{.+}}, %[[S]], %{{.+}}, %{{.+}}, %{{.+}})
// CHECK-NEXT: llvm.call @attnrt_call_end(%[[TOKEN]]) : (i32) -> ()
// CHECK: %[[DONE:.+]] = llvm.mlir.constant(0 : i32) : i32
// CHECK-NEXT: llvm.return %[[DONE]] : i32

// The runtime functions, declared once each, with attnrt.h's types.
// DECL-LABEL: module attributes {attn.model = #attn.model<"m"
// DECL-DAG: llvm.func @attnrt_set_error(i32, !llvm.ptr, ...) -> i32
// DECL-DAG: llvm.func @attnrt_model_open(!llvm.ptr, i64, !llvm.ptr) -> i32
// DECL-DAG: llvm.func @attnrt_model_bind(!llvm.ptr, i64, !llvm.ptr, i32, i64, !llvm.ptr) -> i32
// DECL-DAG: llvm.func @attnrt_model_destroy(!llvm.ptr)
// DECL-DAG: llvm.func @attnrt_check_range(!llvm.ptr, i64, i64, !llvm.ptr, !llvm.ptr) -> i32
// DECL-DAG: llvm.func @attnrt_model_param(!llvm.ptr, i64) -> !llvm.ptr
// DECL-DAG: llvm.func @attnrt_call_begin() -> i32
// DECL-DAG: llvm.func @attnrt_call_end(i32)
// DECL-NOT: llvm.func @attnrt_model_open_memory
// DECL-LABEL: module attributes {attn.model = #attn.model<"np"
// DECL-DAG: llvm.func @attnrt_model_open_memory(!llvm.ptr, i64, i64, !llvm.ptr) -> i32
module attributes {attn.model = #attn.model<"m",
    dims = [#attn.dim<"S", max = 8>, #attn.dim<"T">],
    params = [#attn.arg<"w" : f32[4, 2]>],
    entries = [
      #attn.entry<"step", kernel = @__attnc_m_step,
        inputs = [#attn.arg<"ids" : i32[S], checks = [#attn.range<max = 3, what = "an id of the embedding table 'w'">]>,
                  #attn.arg<"len" : i32, checks = [#attn.range<max = S, what = "a padding length">]>],
        outputs = [#attn.arg<"y" : f32[S, 2]>]>]>} {
  llvm.func @__attnc_m_step(
      %w0: !llvm.ptr, %w1: !llvm.ptr, %w2: i64, %w3: i64, %w4: i64, %w5: i64, %w6: i64,
      %i0: !llvm.ptr, %i1: !llvm.ptr, %i2: i64, %i3: i64, %i4: i64,
      %l0: !llvm.ptr, %l1: !llvm.ptr, %l2: i64,
      %y0: !llvm.ptr, %y1: !llvm.ptr, %y2: i64, %y3: i64, %y4: i64, %y5: i64, %y6: i64) {
    llvm.return
  }
}

// -----

// A model without parameters: a null weights path opens an empty
// safetensors image from memory instead of a file.
// CHECK-DAG: llvm.mlir.global internal constant @[[EMPTY:__attnc_str_[0-9]+]]("\08\00\00\00\00\00\00\00{}      \00")
// CHECK-LABEL: llvm.func @np_create(
// CHECK-SAME: %[[PATH:.+]]: !llvm.ptr, %{{.+}}: !llvm.ptr) -> i32
// CHECK: %[[NONE:.+]] = llvm.mlir.constant(0 : i64) : i64
// CHECK: %[[PATHNULL:.+]] = llvm.icmp "eq" %[[PATH]], %{{.+}} : !llvm.ptr
// CHECK: llvm.cond_br %[[PATHNULL]], ^[[MEMORY:.+]], ^[[FILE:[a-z0-9]+]]
// CHECK: ^[[MEMORY]]:
// CHECK: llvm.mlir.addressof @[[EMPTY]]
// CHECK: %[[SIZE:.+]] = llvm.mlir.constant(16 : i64) : i64
// CHECK: %[[M:.+]] = llvm.call @attnrt_model_open_memory(%{{.+}}, %[[SIZE]], %[[NONE]], %{{.+}})
// CHECK: llvm.br ^[[OPENED:.+]](%[[M]] : i32)
// CHECK: ^[[FILE]]:
// CHECK: %[[F:.+]] = llvm.call @attnrt_model_open(%[[PATH]], %{{.+}}, %{{.+}})
// CHECK: llvm.br ^[[OPENED]](%[[F]] : i32)
// CHECK-NOT: attnrt_model_bind
// An entry without run-time dims takes the handle and its pointers only.
// CHECK-LABEL: llvm.func @np_f(
// CHECK-SAME: %{{.+}}: !llvm.ptr, %[[X:.+]]: !llvm.ptr, %[[Y:.+]]: !llvm.ptr) -> i32
// CHECK-NOT: attnrt_check_range
// CHECK-NOT: attnrt_model_param
// CHECK: llvm.call @__attnc_np_f(%[[X]], %[[X]], %{{.+}}, %{{.+}}, %{{.+}}, %[[Y]], %[[Y]], %{{.+}})
module attributes {attn.model = #attn.model<"np", dims = [], params = [],
    entries = [#attn.entry<"f", kernel = @__attnc_np_f, inputs = [#attn.arg<"x" : f32[4]>], outputs = [#attn.arg<"y" : f32>]>]>} {
  llvm.func @__attnc_np_f(%x0: !llvm.ptr, %x1: !llvm.ptr, %x2: i64, %x3: i64, %x4: i64,
                          %y0: !llvm.ptr, %y1: !llvm.ptr, %y2: i64) {
    llvm.return
  }
}

// -----

// Weights embedded in the module (attnc --embed-weights: a global named
// __attnc_weights holding a safetensors image): a null path opens them from
// memory, with the model's one parameter slot; a path still opens the file.
// CHECK-LABEL: llvm.func @emb_create(
// CHECK-SAME: %[[PATH:.+]]: !llvm.ptr, %{{.+}}: !llvm.ptr) -> i32
// CHECK: llvm.alloca
// CHECK: %[[ONEPARAM:.+]] = llvm.mlir.constant(1 : i64) : i64
// CHECK: %[[PATHNULL:.+]] = llvm.icmp "eq" %[[PATH]], %{{.+}} : !llvm.ptr
// CHECK: llvm.cond_br %[[PATHNULL]], ^[[MEMORY:.+]], ^[[FILE:[a-z0-9]+]]
// CHECK: ^[[MEMORY]]:
// CHECK: %[[IMAGE:.+]] = llvm.mlir.addressof @__attnc_weights : !llvm.ptr
// CHECK: %[[SIZE:.+]] = llvm.mlir.constant(24 : i64) : i64
// CHECK: %[[M:.+]] = llvm.call @attnrt_model_open_memory(%[[IMAGE]], %[[SIZE]], %[[ONEPARAM]], %{{.+}})
// CHECK: llvm.br ^[[OPENED:.+]](%[[M]] : i32)
// CHECK: ^[[FILE]]:
// CHECK: %[[F:.+]] = llvm.call @attnrt_model_open(%[[PATH]], %[[ONEPARAM]], %{{.+}})
// CHECK: llvm.br ^[[OPENED]](%[[F]] : i32)
// CHECK: llvm.call @attnrt_model_bind(
module attributes {attn.model = #attn.model<"emb", dims = [], params = [#attn.arg<"w" : f32>],
    entries = [#attn.entry<"f", kernel = @__attnc_emb_f, inputs = [], outputs = [#attn.arg<"y" : f32>]>]>} {
  llvm.mlir.global internal constant @__attnc_weights("\10\00\00\00\00\00\00\00{}              ") {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<24 x i8>
  llvm.func @__attnc_emb_f(%w0: !llvm.ptr, %w1: !llvm.ptr, %w2: i64,
                           %y0: !llvm.ptr, %y1: !llvm.ptr, %y2: i64) {
    llvm.return
  }
}

// -----

// A runtime function the module declares already, with the runtime's type,
// is reused; each entry of a model gets its own wrapper.
// CHECK-LABEL: module attributes {attn.model = #attn.model<"two"
// CHECK-COUNT-1: llvm.func @attnrt_model_destroy(!llvm.ptr)
// CHECK-DAG: llvm.func @two_a(%{{.+}}: !llvm.ptr) -> i32
// CHECK-DAG: llvm.func @two_b(%{{.+}}: !llvm.ptr) -> i32
// CHECK-DAG: llvm.func internal @ka()
// CHECK-DAG: llvm.func internal @kb()
// CHECK-NOT: llvm.func @attnrt_model_destroy
module attributes {attn.model = #attn.model<"two", dims = [], params = [],
    entries = [#attn.entry<"a", kernel = @ka, inputs = [], outputs = []>,
               #attn.entry<"b", kernel = @kb, inputs = [], outputs = []>]>} {
  llvm.func @attnrt_model_destroy(!llvm.ptr)
  llvm.func @ka() {
    llvm.return
  }
  llvm.func @kb() {
    llvm.return
  }
}

// -----

// Only the C interface leaves the object: every other definition (the
// kernel, an outlined parallel body, upstream's dealloc_helper, a global)
// becomes internal, so that several models link into one program;
// declarations (malloc, the runtime) stay external.
// CHECK-LABEL: module attributes {attn.model = #attn.model<"loc"
// CHECK-DAG: llvm.mlir.global internal constant @table(dense<1.000000e+00> : tensor<2xf32>)
// CHECK-DAG: llvm.func internal @dealloc_helper(
// CHECK-DAG: llvm.func internal @__attnc_loc_f_parallel(
// CHECK-DAG: llvm.func internal @__attnc_loc_f(
// CHECK-DAG: llvm.func @_mlir_memref_to_llvm_free(!llvm.ptr)
// CHECK-DAG: llvm.func @loc_create(
// CHECK-DAG: llvm.func @loc_destroy(
// CHECK-DAG: llvm.func @loc_f(
module attributes {attn.model = #attn.model<"loc", dims = [], params = [],
    entries = [#attn.entry<"f", kernel = @__attnc_loc_f, inputs = [], outputs = [#attn.arg<"y" : f32>]>]>} {
  llvm.mlir.global external constant @table(dense<1.0> : tensor<2xf32>) : !llvm.array<2 x f32>
  llvm.func @_mlir_memref_to_llvm_free(!llvm.ptr)
  llvm.func @dealloc_helper(%p: !llvm.ptr) {
    llvm.call @_mlir_memref_to_llvm_free(%p) : (!llvm.ptr) -> ()
    llvm.return
  }
  llvm.func @__attnc_loc_f_parallel(%begin: i64, %end: i64, %context: !llvm.ptr) {
    llvm.return
  }
  llvm.func @__attnc_loc_f(%y0: !llvm.ptr, %y1: !llvm.ptr, %y2: i64) {
    llvm.return
  }
}
