//===- Version.h - The version attnc records in what it makes ---*- C++ -*-===//

#ifndef ATTNC_INTERFACE_VERSION_H
#define ATTNC_INTERFACE_VERSION_H

#include "llvm/ADT/StringRef.h"

namespace mlir::attn {

/// attnc's version and, when it was built from a git checkout, the commit:
/// "0.1.0 (git 17407a7c1b2e)". Shown by --version and written into headers.
llvm::StringRef getCompilerVersion();

} // namespace mlir::attn

#endif // ATTNC_INTERFACE_VERSION_H
