//===- Passes.h - attnc's lowering passes -----------------------*- C++ -*-===//

#ifndef ATTNC_PASSES_PASSES_H
#define ATTNC_PASSES_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
class TypeConverter;

namespace attn {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

/// The pattern fusing score -> softmax -> context into attn.attention.
/// attn-report-costs writing to `os` instead of stdout (attnc --report).
std::unique_ptr<Pass> createAttnReportCosts(llvm::raw_ostream &os);

void populateAttnFusePatterns(RewritePatternSet &patterns);

/// Patterns lowering attn ops to linalg/tensor/arith/math on tensors.
void populateAttnToLinalgConversionPatterns(RewritePatternSet &patterns);

/// Patterns rewriting f32 matmuls on memrefs into calls of attnrt_sgemm;
/// products under `minFlops` (2*m*n*k) stay as they are.
void populateMatmulToBlasPatterns(RewritePatternSet &patterns,
                                  int64_t minFlops);

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace attn
} // namespace mlir

#endif // ATTNC_PASSES_PASSES_H
