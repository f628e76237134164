// RUN: attn-opt %s --split-input-file | FileCheck %s
// Round trip: what attn-opt prints, it parses again to the same text.
// RUN: attn-opt %s --split-input-file | attn-opt --split-input-file | FileCheck %s
// RUN: attn-opt %s --split-input-file > %t.once && attn-opt %t.once --split-input-file > %t.twice && diff %t.once %t.twice

// A seq2seq-like model: a bounded and an unbounded dim, params, scalars,
// shapes with run-time dims, range checks bounded by an integer and by a
// dim, and an entry without inputs.
// CHECK-LABEL: module attributes {attn.model = #attn.model<"s2s",
// CHECK-SAME: dims = [#attn.dim<"S", max = 20>, #attn.dim<"T">],
// CHECK-SAME: params = [#attn.arg<"emb" : f32[10, 4]>, #attn.arg<"table" : i32[3]>, #attn.arg<"bias" : f32>],
// CHECK-SAME: entries = [#attn.entry<"step", kernel = @__attnc_s2s_step,
// CHECK-SAME: inputs = [#attn.arg<"y" : i32, checks = [#attn.range<max = 9, what = "an id of the embedding table 'emb'">]>,
// CHECK-SAME: #attn.arg<"keys" : f32[S, 6]>,
// CHECK-SAME: #attn.arg<"len" : i32, checks = [#attn.range<max = S, what = "a padding length">]>,
// CHECK-SAME: #attn.arg<"ids" : i32[T], checks = [#attn.range<max = 9, what = "a\22">, #attn.range<max = 0, what = "b">]>],
// CHECK-SAME: outputs = [#attn.arg<"out" : f32[T, 2]>]>,
// CHECK-SAME: #attn.entry<"init", kernel = @__attnc_s2s_init, inputs = [], outputs = [#attn.arg<"s0" : f32[3]>]>]>}
module attributes {attn.model = #attn.model<"s2s",
    dims = [#attn.dim<"S", max = 20>, #attn.dim<"T">],
    params = [#attn.arg<"emb" : f32[10, 4]>, #attn.arg<"table" : i32[3]>,
              #attn.arg<"bias" : f32[]>],
    entries = [
      #attn.entry<"step", kernel = @__attnc_s2s_step,
        inputs = [
          #attn.arg<"y" : i32, checks = [#attn.range<max = 9, what = "an id of the embedding table 'emb'">]>,
          #attn.arg<"keys" : f32[S, 6]>,
          #attn.arg<"len" : i32, checks = [#attn.range<max = "S", what = "a padding length">]>,
          // The stripped form of a nested attribute reads too.
          #attn.arg<"ids" : i32["T"], checks = [<max = 9, what = "a\"">, #attn.range<max = 0, what = "b">]>],
        outputs = [#attn.arg<"out" : f32[T, 2]>]>,
      #attn.entry<"init", kernel = @__attnc_s2s_init, inputs = [],
        outputs = [#attn.arg<"s0" : f32[3]>]>]>} {
}

// -----

// A model without dims, params or entries.
// CHECK-LABEL: module attributes {attn.model = #attn.model<"empty", dims = [], params = [], entries = []>}
module attributes {attn.model = #attn.model<"empty", dims = [], params = [], entries = []>} {
}

// -----

// The attribute needs no particular op inside the module, and other attn.*
// attributes of single passes stay unverified.
// CHECK-LABEL: module attributes {attn.model = #attn.model<"m"
// CHECK: llvm.func @f() attributes {attn.other = 1 : i64}
module attributes {attn.model = #attn.model<"m", dims = [], params = [],
    entries = [#attn.entry<"f", kernel = @f, inputs = [], outputs = []>]>} {
  llvm.func @f() attributes {attn.other = 1} {
    llvm.return
  }
}
