//===- Source.h - Locations and diagnostics of one source file --*- C++ -*-===//

#ifndef ATTNC_FRONTEND_SOURCE_H
#define ATTNC_FRONTEND_SOURCE_H

#include "frontend/Lexer.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"

namespace attnc {

/// Turns SourceLocs into MLIR locations whose file name is the buffer name,
/// so errors print as `file:line:col: error: ...` with the source line.
struct Source {
  mlir::MLIRContext *context;
  std::string filename;

  mlir::Location loc(SourceLoc at) const {
    return mlir::FileLineColLoc::get(context, filename, at.line, at.col);
  }
  mlir::InFlightDiagnostic error(SourceLoc at) const {
    return mlir::emitError(loc(at));
  }
};

} // namespace attnc

#endif // ATTNC_FRONTEND_SOURCE_H
