//===- AttnInterfaces.td - Op interfaces of the attn dialect -*- tablegen -*-===//
//
// What the attention ops have in common, read once: the score function, the
// mask and whether the query is a block or a single one. The verifiers and
// every lowering (convert-attn-to-linalg, attn-tile) read the operands
// through these, as a ScoreSpec or a MaskSpec (dialect/AttnOps.h).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_INTERFACES_TD
#define ATTN_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Attn_ScoreOpInterface : OpInterface<"ScoreOpInterface"> {
  let cppNamespace = "::mlir::attn";
  let description = [{
    An op that scores queries against keys: the score kind with its
    parameters W, U, v and scale, which the op declares as `$kind`, `$w`,
    `$u`, `$v` and `$scale` (attn.score, attn.attention).
  }];
  let methods = [
    InterfaceMethod<
      "The score kind and its parameters.",
      "::mlir::attn::ScoreSpec", "getScoreSpec", (ins), [{}], [{
        return {$_op.getKind(), $_op.getW(), $_op.getU(), $_op.getV(),
                $_op.getScaleAttr()};
      }]>,
  ];
}

def Attn_MaskOpInterface : OpInterface<"MaskOpInterface"> {
  let cppNamespace = "::mlir::attn";
  let description = [{
    An op that masks keys out of a softmax: the mask bits, the window size,
    the padding lengths, the window centers and the Gaussian weighting,
    which the op declares as `$mask`, `$window`, `$lengths`, `$positions`
    and `$gaussian` (attn.softmax, attn.attention).
  }];
  let methods = [
    InterfaceMethod<
      "The mask and its operands.",
      "::mlir::attn::MaskSpec", "getMaskSpec", (ins), [{}], [{
        ::mlir::attn::MaskSpec spec;
        spec.kind = $_op.getMask();
        if (::mlir::IntegerAttr window = $_op.getWindowAttr())
          spec.window = window.getInt();
        spec.lengths = $_op.getLengths();
        spec.positions = $_op.getPositions();
        spec.gaussian = $_op.getGaussian();
        return spec;
      }]>,
  ];
}

def Attn_QueryShapeOpInterface : OpInterface<"QueryShapeOpInterface"> {
  let cppNamespace = "::mlir::attn";
  let description = [{
    An op whose queries come as a block, `[B..., Nq, d]` (scores and weights
    `[B..., Nq, Nk]`), or as a single query without the Nq axis, `[B..., d]`
    (scores and weights `[B..., Nk]`), as in one decoder step. A single query
    has no query index: no causal mask, and a window needs `positions`.
    The default compares the ranks of `$query` and `$keys`; attn.softmax
    and attn.context, which have neither, implement their own: attn.context
    compares its weights with its values, attn.softmax sees only its scores,
    whose second-last dim, when there is one, is the query index.
  }];
  let methods = [
    InterfaceMethod<
      "Whether the op works on a single query (no Nq axis).",
      "bool", "isSingleQuery", (ins), [{}], [{
        return $_op.getQuery().getType().getRank() <
               $_op.getKeys().getType().getRank();
      }]>,
  ];
}

#endif // ATTN_INTERFACES_TD
