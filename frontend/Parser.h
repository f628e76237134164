//===- Parser.h - Syntax of the .attn language ------------------*- C++ -*-===//

#ifndef ATTNC_FRONTEND_PARSER_H
#define ATTNC_FRONTEND_PARSER_H

#include "frontend/AST.h"
#include "frontend/Source.h"

namespace attnc {

/// Parses one `model { ... }` from `buffer`. Syntax only: names and shapes
/// are Sema's. Returns null after reporting the first syntax error.
std::unique_ptr<ModelDecl> parseModel(llvm::StringRef buffer,
                                      const Source &source);

} // namespace attnc

#endif // ATTNC_FRONTEND_PARSER_H
