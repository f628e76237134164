//===- DotLabels.h - What the nodes of the dataflow graph say ---*- C++ -*-===//
//
// For the dataflow graph (interface/DotGraph.cpp): DOT quoting, node labels
// and looks, the name a call has in the .attn source, and the lines that
// describe an attention or a recurrent layer.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_INTERFACE_DOTLABELS_H
#define ATTNC_INTERFACE_DOTLABELS_H

#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"
#include "llvm/Support/SourceMgr.h"

#include <string>

namespace mlir::attn::dot {

/// `text` as a DOT string, quotes included.
std::string quote(StringRef text);

/// `text` inside an HTML-like label `<...>`.
std::string escapeHtml(StringRef text);

/// A bold title over smaller lines of detail.
std::string getLabel(StringRef title, ArrayRef<std::string> details = {});

/// What a node stands for, which its look says.
enum class NodeKind {
  Input,
  Output,
  Params,
  Op,
  Operator,
  Attention,
  Recurrent
};

/// The DOT attributes of a node of `kind`: inputs blue, outputs green,
/// params yellow notes, attention orange and bold, recurrent layers violet,
/// operators (`@`, `+`) small circles.
std::string getStyle(NodeKind kind);

/// The builtin or operator written at `loc` (`linear`, `score.additive`,
/// `@`), or "" when there is no source to read it from.
std::string getWrittenName(Location loc, const llvm::SourceMgr *sourceMgr);

/// The lines that say how an attention scores, masks and splits into heads;
/// the ops of one call (score, softmax and context unfused, or one
/// attn.attention) contribute each their part.
SmallVector<std::string> describeAttention(ArrayRef<Operation *> ops);

/// Direction and hidden size of a recurrent layer (one op per direction)
/// or a cell.
SmallVector<std::string> describeRecurrent(ArrayRef<Operation *> ops);

} // namespace mlir::attn::dot

#endif // ATTNC_INTERFACE_DOTLABELS_H
