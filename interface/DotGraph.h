//===- DotGraph.h - The dataflow graph of a model, for Graphviz -*- C++ -*-===//
//
// `attnc model.attn --emit=dot`: the model as a picture. Drawn from the IR
// of the fused stage, where an attention is one op, and read back into the
// model's terms: the inputs, params and outputs of the `attn.model`, one
// node per builtin call, edges labelled with .attn types (`f32[S, 64]`).
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_INTERFACE_DOTGRAPH_H
#define ATTNC_INTERFACE_DOTGRAPH_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::attn {

/// Writes `module`'s dataflow graph in Graphviz's DOT language: one
/// `digraph` per model, one cluster per entry point. The module must carry
/// its `attn.model` (an error otherwise). The ops that came from one
/// builtin call (one source location) become one node; attention and
/// recurrent ops are marked with their score kind, mask, window, heads,
/// direction and hidden size; constants, empty tensors and reshapes are
/// left out. With `sourceMgr` (the .attn source the locations point into),
/// a node is named by the builtin or operator written at its location
/// (`linear`, `@`); without it, by its last op.
LogicalResult printDataflowGraph(ModuleOp module, llvm::raw_ostream &os,
                                 const llvm::SourceMgr *sourceMgr = nullptr);

} // namespace mlir::attn

#endif // ATTNC_INTERFACE_DOTGRAPH_H
