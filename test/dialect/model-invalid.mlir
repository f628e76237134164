// RUN: attn-opt %s --split-input-file --verify-diagnostics

// attn.model holds an #attn.model, not the old string-keyed form.
// expected-error @+1 {{'builtin.module' op 'attn.model' must be an #attn.model attribute, got "m"}}
module attributes {attn.model = "m"} {
}

// -----

// The interface describes a whole module.
module {
  // expected-error @+1 {{'func.func' op cannot carry 'attn.model': it describes a whole compiled module}}
  func.func @f() attributes {attn.model = #attn.model<"m", dims = [], params = [], entries = []>} {
    return
  }
}

// -----

// The model name prefixes every C symbol.
// expected-error @+1 {{attn.model: the model name 'my-model' is not usable as a C identifier}}
module attributes {attn.model = #attn.model<"my-model", dims = [], params = [], entries = []>} {
}

// -----

// Names become C (and C++) names in the header: keywords are out.
// expected-error @+1 {{attn.model: dim 'class' is not usable as a C identifier}}
module attributes {attn.model = #attn.model<"m", dims = [#attn.dim<"class">], params = [], entries = []>} {
}

// -----

// Reserved names (`__x`, `_X`) are the compiler's and the C library's.
// expected-error @+1 {{attn.model: dim '_Len' is not usable as a C identifier}}
module attributes {attn.model = #attn.model<"m", dims = [#attn.dim<"_Len">], params = [], entries = []>} {
}

// -----

// expected-error @+1 {{attn.model: dim 'S' is declared twice}}
module attributes {attn.model = #attn.model<"m", dims = [#attn.dim<"S">, #attn.dim<"S", max = 4>], params = [], entries = []>} {
}

// -----

// A dim is at least 1, so its bound must be too.
// expected-error @+1 {{attn.model: dim 'S' has max 0; a bound must be at least 1}}
module attributes {attn.model = #attn.model<"m", dims = [#attn.dim<"S", max = 0>], params = [], entries = []>} {
}

// -----

// expected-error @+1 {{attn.model: param 'w' is declared twice}}
module attributes {attn.model = #attn.model<"m", dims = [], params = [#attn.arg<"w" : f32[2]>, #attn.arg<"w" : f32[3]>], entries = []>} {
}

// -----

// Parameters are bound once, when the model is created: no run-time dims.
// expected-error @+1 {{attn.model: param 'w' uses the run-time dim 'S'; parameters have static shapes}}
module attributes {attn.model = #attn.model<"m", dims = [#attn.dim<"S">], params = [#attn.arg<"w" : f32[S, 2]>], entries = []>} {
}

// -----

// expected-error @+1 {{attn.model: param '1w' is not a parameter name (parts of letters, digits and '_' joined by '.')}}
module attributes {attn.model = #attn.model<"m", dims = [], params = [#attn.arg<"1w" : f32[2]>], entries = []>} {
}

// -----

// expected-error @+1 {{attn.model: param 'w' has element type 'f16'; the C interface has f32 and i32 buffers only}}
module attributes {attn.model = #attn.model<"m", dims = [], params = [#attn.arg<"w" : f16[2]>], entries = []>} {
}

// -----

// expected-error @+1 {{attn.model: param 'w' has a negative size -2}}
module attributes {attn.model = #attn.model<"m", dims = [], params = [#attn.arg<"w" : f32[-2]>], entries = []>} {
}

// -----

// Every dim a shape names is declared.
// expected-error @+1 {{attn.model: input 'x' of entry 'f' uses the dim 'T', which the model does not declare}}
module attributes {attn.model = #attn.model<"m", dims = [#attn.dim<"S">], params = [], entries = [
    #attn.entry<"f", kernel = @k, inputs = [#attn.arg<"x" : f32[T]>], outputs = []>]>} {
}

// -----

// attnrt_check_range reads int32_t values.
// expected-error @+1 {{attn.model: input 'x' of entry 'f' has range checks; only i32 inputs can have them}}
module attributes {attn.model = #attn.model<"m", dims = [], params = [], entries = [
    #attn.entry<"f", kernel = @k, inputs = [#attn.arg<"x" : f32[2], checks = [#attn.range<max = 1, what = "w">]>], outputs = []>]>} {
}

// -----

// Outputs are written by the kernel, not checked before it.
// expected-error @+1 {{attn.model: output 'y' of entry 'f' has range checks; only i32 inputs can have them}}
module attributes {attn.model = #attn.model<"m", dims = [], params = [], entries = [
    #attn.entry<"f", kernel = @k, inputs = [], outputs = [#attn.arg<"y" : i32[2], checks = [#attn.range<max = 1, what = "w">]>]>]>} {
}

// -----

// expected-error @+1 {{attn.model: a range check of input 'x' of entry 'f' has max -1; it must be at least 0}}
module attributes {attn.model = #attn.model<"m", dims = [], params = [], entries = [
    #attn.entry<"f", kernel = @k, inputs = [#attn.arg<"x" : i32, checks = [#attn.range<max = -1, what = "w">]>], outputs = []>]>} {
}

// -----

// A bound that is a dim must be one the entry's C function takes.
// expected-error @+1 {{attn.model: a range check of input 'len' of entry 'f' is bounded by 'S', which is not a dim of the entry's buffers}}
module attributes {attn.model = #attn.model<"m", dims = [#attn.dim<"S">], params = [], entries = [
    #attn.entry<"f", kernel = @k, inputs = [#attn.arg<"len" : i32, checks = [#attn.range<max = S, what = "a padding length">]>], outputs = []>]>} {
}

// -----

// expected-error @+1 {{attn.model: entry 'f' is declared twice}}
module attributes {attn.model = #attn.model<"m", dims = [], params = [], entries = [
    #attn.entry<"f", kernel = @k, inputs = [], outputs = []>,
    #attn.entry<"f", kernel = @k2, inputs = [], outputs = []>]>} {
}

// -----

// expected-error @+1 {{attn.model: entry 'destroy' would clash with m_destroy}}
module attributes {attn.model = #attn.model<"m", dims = [], params = [], entries = [
    #attn.entry<"destroy", kernel = @k, inputs = [], outputs = []>]>} {
}

// -----

// expected-error @+1 {{attn.model: entry 'f g' is not usable as a C identifier}}
module attributes {attn.model = #attn.model<"m", dims = [], params = [], entries = [
    #attn.entry<"f g", kernel = @k, inputs = [], outputs = []>]>} {
}

// -----

// expected-error @+1 {{attn.model: output 'x' of entry 'f' has the name of another argument of m_f}}
module attributes {attn.model = #attn.model<"m", dims = [], params = [], entries = [
    #attn.entry<"f", kernel = @k, inputs = [#attn.arg<"x" : f32[2]>], outputs = [#attn.arg<"x" : f32[2]>]>]>} {
}

// -----

// The C function takes the dims its buffers use as arguments too.
// expected-error @+1 {{attn.model: input 'S' of entry 'f' has the name of another argument of m_f}}
module attributes {attn.model = #attn.model<"m", dims = [#attn.dim<"S">], params = [], entries = [
    #attn.entry<"f", kernel = @k, inputs = [#attn.arg<"S" : f32[S]>], outputs = []>]>} {
}

// -----

// ... and the model handle, called `model` in the header.
// expected-error @+1 {{attn.model: input 'model' of entry 'f' has the name of another argument of m_f}}
module attributes {attn.model = #attn.model<"m", dims = [], params = [], entries = [
    #attn.entry<"f", kernel = @k, inputs = [#attn.arg<"model" : f32[2]>], outputs = []>]>} {
}

// -----

// expected-error @+1 {{attn.model: input 'x.y' of entry 'f' is not usable as a C identifier}}
module attributes {attn.model = #attn.model<"m", dims = [], params = [], entries = [
    #attn.entry<"f", kernel = @k, inputs = [#attn.arg<"x.y" : f32[2]>], outputs = []>]>} {
}

// -----

// A malformed attribute is a parse error.
// expected-error @+2 {{expected ']'}}
// expected-error @+1 {{failed to parse Attn_ModelAttr parameter 'dims'}}
module attributes {attn.model = #attn.model<"m", dims = [#attn.dim<"S"> #attn.dim<"T">], params = [], entries = []>} {
}
