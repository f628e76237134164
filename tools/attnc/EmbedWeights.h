//===- EmbedWeights.h - Checking weights to embed in an object --*- C++ -*-===//

#ifndef ATTNC_TOOLS_ATTNC_EMBEDWEIGHTS_H
#define ATTNC_TOOLS_ATTNC_EMBEDWEIGHTS_H

#include "dialect/AttnOps.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace attnc {

/// Checks the safetensors image `image`, read from `path`, as the model's
/// <model>_create would check it at run time (it runs the same libattnrt
/// code): the whole file, then each param of `model` by name, dtype and
/// shape. A bad file is reported as `attnc: error: <path>: ...` (it has no
/// line to point at), a param it does not match at its declaration,
/// `paramLocs[i]` for the i-th param.
mlir::LogicalResult checkWeights(mlir::attn::ModelAttr model,
                                 llvm::ArrayRef<mlir::Location> paramLocs,
                                 llvm::StringRef image, llvm::StringRef path);

/// The SHA-256 of `bytes` in lowercase hex.
std::string sha256Hex(llvm::StringRef bytes);

} // namespace attnc

#endif // ATTNC_TOOLS_ATTNC_EMBEDWEIGHTS_H
