//===- AttnOps.td - Ops of the attn dialect ----------------*- tablegen -*-===//

#ifndef ATTN_OPS_TD
#define ATTN_OPS_TD

include "dialect/AttnDialect.td"
include "dialect/AttnEnums.td"
include "dialect/AttnInterfaces.td"
include "dialect/AttnModelAttrs.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Attn_F32Tensor : RankedTensorOf<[F32]>;
def Attn_LengthsTensor : RankedTensorOf<[I32, I64, Index]>;

// Operands and attributes that choose and parameterize a score function;
// shared by attn.score and attn.attention.
defvar ScoreArgs = (ins
  Attn_ScoreKind:$kind,
  Optional<Attn_F32Tensor>:$w,
  Optional<Attn_F32Tensor>:$u,
  Optional<Attn_F32Tensor>:$v,
  OptionalAttr<F32Attr>:$scale
);

// Operands and attributes of a mask; shared by attn.softmax and attn.attention.
defvar MaskArgs = (ins
  DefaultValuedAttr<Attn_MaskKindAttr, "::mlir::attn::MaskKind::none">:$mask,
  OptionalAttr<I64Attr>:$window,
  Optional<Attn_LengthsTensor>:$lengths,
  Optional<Attn_F32Tensor>:$positions,
  UnitAttr:$gaussian
);

defvar ScoreFormat = [{
  (`W` `(` $w^ `)`)? (`U` `(` $u^ `)`)? (`v` `(` $v^ `)`)?
  (`scale` `(` $scale^ `)`)?
}];
defvar MaskFormat = [{
  (`mask` `` $mask^)? (`window` `(` $window^ `)`)?
  (`lengths` `(` $lengths^ `)`)? (`positions` `(` $positions^ `)`)?
  (`gaussian` $gaussian^)?
}];

defvar ScoreDescription = [{
    Score kinds and their parameters (`d` is the feature size):

    | kind         | score of query s against key h_j | parameters |
    |--------------|----------------------------------|------------|
    | `dot`        | s . h_j                          | none |
    | `scaled_dot` | s . h_j * scale                  | optional `scale` (default 1/sqrt(d)) |
    | `general`    | s^T W h_j                        | W: [dq, dk] |
    | `additive`   | v^T tanh(W s + U h_j)            | W: [A, dq], U: [A, dk], v: [A] |
    | `cosine`     | s . h_j / (\|s\| \|h_j\|)        | none |
    | `location`   | (W s)_j, position only           | W: [L, dq] with L >= Nk |

    `dot`, `scaled_dot` and `cosine` need dq == dk. `additive` may omit U:
    the keys are then already projected (U h_j, with dk == A), so that a
    decoder step does not recompute the projection of every source state.
}];

defvar MaskDescription = [{
    Masks (combine them with `|`): `causal` keeps key j for query i only when
    j <= i (aligned at the top left, as PyTorch's `is_causal`); `padding`
    keeps key j only when j < `lengths`, whose shape is a leading part of the
    scores' batch and query dims (one length per sequence, or per query);
    `window` keeps key j only when |j - c| <= `window`, where the center c
    is the query index (local-m) or, with `positions` (one f32 per query),
    the predicted position (local-p). `gaussian` then multiplies each weight
    by exp(-(j - c)^2 / (2 (window/2)^2)), as in Luong et al.'s local-p.
    A query whose keys are all masked gets weights of zero, never NaN.
}];

//===----------------------------------------------------------------------===//
// The unfused chain: score -> softmax -> context
//===----------------------------------------------------------------------===//

def Attn_ScoreOp : Attn_Op<"score", [Pure, AttrSizedOperandSegments,
    Attn_ScoreOpInterface, Attn_QueryShapeOpInterface]> {
  let summary = "scores of queries against keys";
  let description = !strconcat([{
    Computes the unnormalized score e of each query against each key. Keys
    are `[B..., Nk, dk]`; the query is `[B..., Nq, dq]` (result
    `[B..., Nq, Nk]`) or a single query `[B..., dq]` (result `[B..., Nk]`).

  }], ScoreDescription, [{

    Example (one Bahdanau decoder step over S encoder states):

    ```mlir
    %e = attn.score additive %s, %keys W(%Wa) U(%Ua) v(%va)
        : (tensor<64xf32>, tensor<?x128xf32>, tensor<32x64xf32>,
           tensor<32x128xf32>, tensor<32xf32>) -> tensor<?xf32>
    ```
  }]);

  let arguments = !con((ins Attn_F32Tensor:$query, Attn_F32Tensor:$keys),
                       ScoreArgs);
  let results = (outs Attn_F32Tensor:$result);
  let assemblyFormat = !strconcat("$kind $query `,` $keys ", ScoreFormat,
      "attr-dict `:` functional-type(operands, results)");
  let hasVerifier = 1;

  let builders = [
    // Infers the result type from the query and keys.
    OpBuilder<(ins "::mlir::attn::ScoreKind":$kind, "::mlir::Value":$query,
                   "::mlir::Value":$keys, CArg<"::mlir::Value", "{}">:$w,
                   CArg<"::mlir::Value", "{}">:$u,
                   CArg<"::mlir::Value", "{}">:$v,
                   CArg<"::mlir::FloatAttr", "{}">:$scale)>
  ];
}

def Attn_SoftmaxOp : Attn_Op<"softmax",
    [Pure, AttrSizedOperandSegments, AllTypesMatch<["input", "result"]>,
     Attn_MaskOpInterface,
     DeclareOpInterfaceMethods<Attn_QueryShapeOpInterface, ["isSingleQuery"]>]> {
  let summary = "masked, max-subtracted softmax over the key dimension";
  let description = !strconcat([{
    Normalizes scores `[B..., Nq, Nk]` (or `[B..., Nk]` for a single query)
    into weights along the last dimension: softmax(e)_j =
    exp(e_j - max e) / sum_k exp(e_k - max e), over the keys the mask keeps.
    The second-last dimension, when there is one, is the query index.

  }], MaskDescription, [{

    Example:

    ```mlir
    %a = attn.softmax %e mask<causal|padding> lengths(%len)
        : tensor<4x?x?xf32>, tensor<4xi32> -> tensor<4x?x?xf32>
    ```
  }]);

  let arguments = !con((ins Attn_F32Tensor:$input), MaskArgs);
  let results = (outs Attn_F32Tensor:$result);
  let assemblyFormat = !strconcat("$input ", MaskFormat,
      "attr-dict `:` functional-type(operands, results)");
  let hasVerifier = 1;
}

def Attn_ContextOp : Attn_Op<"context", [Pure,
    DeclareOpInterfaceMethods<Attn_QueryShapeOpInterface, ["isSingleQuery"]>]> {
  let summary = "weighted sum of values";
  let description = [{
    The context of each query: z = sum_j a_j v_j. Weights are
    `[B..., Nq, Nk]` (result `[B..., Nq, dv]`) or `[B..., Nk]` for a single
    query (result `[B..., dv]`); values are `[B..., Nk, dv]`.

    Example:

    ```mlir
    %z = attn.context %a, %keys
        : (tensor<?xf32>, tensor<?x128xf32>) -> tensor<128xf32>
    ```
  }];

  let arguments = (ins Attn_F32Tensor:$weights, Attn_F32Tensor:$values);
  let results = (outs Attn_F32Tensor:$result);
  let assemblyFormat = "$weights `,` $values attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;

  let builders = [
    // Infers the result type from the weights and values.
    OpBuilder<(ins "::mlir::Value":$weights, "::mlir::Value":$values)>
  ];
}

//===----------------------------------------------------------------------===//
// The fused op
//===----------------------------------------------------------------------===//

def Attn_AttentionOp : Attn_Op<"attention",
    [Pure, AttrSizedOperandSegments, Attn_ScoreOpInterface, Attn_MaskOpInterface,
     Attn_QueryShapeOpInterface]> {
  let summary = "fused score, mask, softmax and context, optionally multi-head";
  let description = !strconcat([{
    One op for the whole chain `context(softmax(score(q, k), mask), values)`,
    so that later passes can tile it without materializing the scores.
    Query `[B..., Nq, dq]` (or a single query `[B..., dq]`), keys
    `[B..., Nk, dk]`, values `[B..., Nk, dv]`; the output is
    `[B..., Nq, dv]` (or `[B..., dv]`).

    With `heads(h)` (default 1) dq, dk and dv are split into h heads of
    d/h features; each head attends alone with the same score parameters
    (whose shapes refer to the per-head sizes) and the same mask, and the
    head outputs are concatenated. When the op has a second result it also
    returns the normalized weights, `[B..., Nq, Nk]`, or `[B..., h, Nq, Nk]`
    with more than one head.

  }], ScoreDescription, "\n", MaskDescription, [{

    Example (causal multi-head self-attention that also returns weights):

    ```mlir
    %o, %w = attn.attention scaled_dot %q, %k, %v heads(8) mask<causal>
        : (tensor<?x512xf32>, tensor<?x512xf32>, tensor<?x512xf32>)
        -> (tensor<?x512xf32>, tensor<8x?x?xf32>)
    ```
  }]);

  let arguments = !con(
    (ins Attn_F32Tensor:$query, Attn_F32Tensor:$keys, Attn_F32Tensor:$values),
    ScoreArgs,
    (ins DefaultValuedAttr<I64Attr, "1">:$heads),
    MaskArgs);
  let results = (outs Attn_F32Tensor:$output, Optional<Attn_F32Tensor>:$weights);
  let assemblyFormat = !strconcat("$kind $query `,` $keys `,` $values ",
      ScoreFormat, "(`heads` `(` $heads^ `)`)? ", MaskFormat,
      "attr-dict `:` functional-type(operands, results)");
  let hasVerifier = 1;

  let builders = [
    // From the specs of a score and a mask; no weights result when `weights`
    // is null.
    OpBuilder<(ins "::mlir::Type":$output, "::mlir::Type":$weights,
                   "::mlir::Value":$query, "::mlir::Value":$keys,
                   "::mlir::Value":$values,
                   "const ::mlir::attn::ScoreSpec &":$score,
                   "int64_t":$heads,
                   "const ::mlir::attn::MaskSpec &":$mask)>
  ];
}

include "dialect/AttnRecurrentOps.td"

#endif // ATTN_OPS_TD
