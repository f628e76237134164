//===- AttnDialect.td - The attn dialect definition -------*- tablegen -*-===//

#ifndef ATTN_DIALECT_TD
#define ATTN_DIALECT_TD

include "mlir/IR/OpBase.td"

def Attn_Dialect : Dialect {
  let name = "attn";
  let cppNamespace = "::mlir::attn";
  let summary = "Attention semantics: scores, masked softmax, context and the fused attention op";
  let description = [{
    The `attn` dialect carries attention through the attnc pipeline. It has
    the ops of the unfused chain (`attn.score`, `attn.softmax`,
    `attn.context`) that the frontend emits, and the fused `attn.attention`
    op that the fusion pass forms and the tiling pass lowers to loops.
    Everything generic (elementwise math, matmul, reshapes) stays in upstream
    dialects.

    Shapes follow one convention. Keys are `[B..., Nk, dk]` (rank >= 2, any
    number of leading batch dims `B...`). A query is either a block of
    queries `[B..., Nq, dq]` (same rank as the keys) or a single query
    `[B..., dq]` (one rank less), as in one decoder step of a seq2seq model.
    Scores and weights are then `[B..., Nq, Nk]` or `[B..., Nk]`.
    Dimensions may be dynamic (`?`); verifiers check what is known.
  }];
  let useDefaultAttributePrinterParser = 1;
  // Checks `attn.model` (AttnModelAttrs.td) where it sits.
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// The module attribute holding the model's C interface (a ModelAttr).
    static constexpr ::llvm::StringLiteral getModelAttrName() {
      return ::llvm::StringLiteral("attn.model");
    }
  }];
}

// Base class of every attn op.
class Attn_Op<string mnemonic, list<Trait> traits = []>
    : Op<Attn_Dialect, mnemonic, traits>;

#endif // ATTN_DIALECT_TD
