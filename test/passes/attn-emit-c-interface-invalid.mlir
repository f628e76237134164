// RUN: attn-opt %s --split-input-file --attn-emit-c-interface --verify-diagnostics

// Without the frontend's description there is no interface to emit.
// expected-error @+1 {{the module has no 'attn.model' attribute describing the model's C interface; attnc's frontend puts it on the modules it emits}}
module {
  llvm.func @__attnc_m_f() {
    llvm.return
  }
}

// -----

// Every entry's kernel must be in the module.
// expected-error @+1 {{the module has no kernel '__attnc_m_g' for entry point 'g'}}
module attributes {attn.model = #attn.model<"m", dims = [], params = [], entries = [
    #attn.entry<"f", kernel = @__attnc_m_f, inputs = [], outputs = []>,
    #attn.entry<"g", kernel = @__attnc_m_g, inputs = [], outputs = []>]>} {
  llvm.func @__attnc_m_f() {
    llvm.return
  }
}

// -----

// The pass runs at the end of the lowering, on the LLVM dialect.
module attributes {attn.model = #attn.model<"m", dims = [], params = [], entries = [
    #attn.entry<"f", kernel = @__attnc_m_f, inputs = [], outputs = [#attn.arg<"y" : f32[2]>]>]>} {
  // expected-error @+1 {{kernel '__attnc_m_f' is not an llvm.func: the C interface is emitted on the LLVM dialect, at the end of the lowering}}
  func.func @__attnc_m_f(%y: memref<2xf32>) {
    return
  }
}

// -----

// Outputs go into the caller's buffers: a kernel returns nothing.
module attributes {attn.model = #attn.model<"m", dims = [], params = [], entries = [
    #attn.entry<"f", kernel = @__attnc_m_f, inputs = [], outputs = [#attn.arg<"y" : f32>]>]>} {
  // expected-error @+1 {{kernel '__attnc_m_f' returns values: its outputs were not written in place}}
  llvm.func @__attnc_m_f(%y0: !llvm.ptr, %y1: !llvm.ptr, %y2: i64) -> f32 {
    %0 = llvm.mlir.constant(0.0 : f32) : f32
    llvm.return %0 : f32
  }
}

// -----

// One descriptor per param, input and output: here the param w (7
// arguments) and the input x (5) make 12, not 5.
module attributes {attn.model = #attn.model<"m", dims = [#attn.dim<"S">],
    params = [#attn.arg<"w" : f32[4, 4]>], entries = [
    #attn.entry<"f", kernel = @__attnc_m_f, inputs = [#attn.arg<"x" : f32[S]>], outputs = []>]>} {
  // expected-error @+1 {{kernel '__attnc_m_f' takes 5 arguments after lowering, but its interface describes 12}}
  llvm.func @__attnc_m_f(%x0: !llvm.ptr, %x1: !llvm.ptr, %x2: i64, %x3: i64, %x4: i64) {
    llvm.return
  }
}

// -----

// The wrappers are added once.
module attributes {attn.model = #attn.model<"m", dims = [], params = [], entries = [
    #attn.entry<"f", kernel = @__attnc_m_f, inputs = [], outputs = []>]>} {
  llvm.func @__attnc_m_f() {
    llvm.return
  }
  // expected-error @+1 {{'m_f' is defined already: the C interface would redefine it (did attn-emit-c-interface run twice?)}}
  llvm.func @m_f(%model: !llvm.ptr) -> i32 {
    %0 = llvm.mlir.constant(0 : i32) : i32
    llvm.return %0 : i32
  }
}

// -----

// A runtime function is called with the type attnrt.h gives it.
module attributes {attn.model = #attn.model<"m", dims = [], params = [], entries = [
    #attn.entry<"f", kernel = @__attnc_m_f, inputs = [], outputs = []>]>} {
  llvm.func @__attnc_m_f() {
    llvm.return
  }
  // expected-error @+1 {{'attnrt_set_error' is not libattnrt's function of type '!llvm.func<i32 (i32, ptr, ...)>'}}
  llvm.func @attnrt_set_error(i32, !llvm.ptr) -> i32
}
