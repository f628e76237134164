//===- AttnEnums.td - Score and mask kinds of the attn dialect -*- tablegen -*-===//

#ifndef ATTN_ENUMS_TD
#define ATTN_ENUMS_TD

include "dialect/AttnDialect.td"
include "mlir/IR/EnumAttr.td"

def Attn_ScoreKind : I32EnumAttr<"ScoreKind", "how a query is scored against each key", [
    I32EnumAttrCase<"dot", 0>,        // e_j = s . h_j
    I32EnumAttrCase<"scaled_dot", 1>, // e_j = s . h_j * scale (default 1/sqrt(d))
    I32EnumAttrCase<"general", 2>,    // e_j = s^T W h_j (Luong bilinear)
    I32EnumAttrCase<"additive", 3>,   // e_j = v^T tanh(W s + U h_j) (Bahdanau)
    I32EnumAttrCase<"cosine", 4>,     // e_j = s . h_j / (|s| |h_j|)
    I32EnumAttrCase<"location", 5>    // e = W s (Luong; position only)
  ]> {
  let cppNamespace = "::mlir::attn";
}

// Masks combine: `causal|padding` is a causal decoder over padded batches,
// `causal|window` is sliding-window attention.
def Attn_MaskKind : I32BitEnumAttr<"MaskKind", "which keys a query may attend to", [
    I32BitEnumAttrCaseNone<"none">,
    I32BitEnumAttrCaseBit<"causal", 0>,  // key j only for j <= query i
    I32BitEnumAttrCaseBit<"padding", 1>, // key j only for j < lengths[...]
    I32BitEnumAttrCaseBit<"window", 2>   // key j only for |j - center| <= window
  ]> {
  let cppNamespace = "::mlir::attn";
  let genSpecializedAttr = 0;
  let separator = "|";
}

// Printed as `mask<causal|window>`, like arith's `fastmath<nnan|ninf>`.
def Attn_MaskKindAttr : EnumAttr<Attn_Dialect, Attn_MaskKind, "mask"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // ATTN_ENUMS_TD
