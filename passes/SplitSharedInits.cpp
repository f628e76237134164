//===- SplitSharedInits.cpp - One init tensor per destination-passing op --===//

#include "passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNSPLITSHAREDINITS
#include "passes/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;

namespace {

/// Gives every use of `op` its own clone made by `cloneFor`, right before the
/// user when it is in the same block (a user nested in a loop gets its clone
/// next to `op`, not once per iteration), and erases `op` (also when it had
/// no use: both kinds of ops are pure).
void splitUses(Operation *op,
               function_ref<Value(OpBuilder &, Operation *)> cloneFor) {
  SmallVector<OpOperand *> uses;
  for (OpOperand &use : op->getResult(0).getUses())
    uses.push_back(&use);
  for (OpOperand *use : uses) {
    Operation *user = use->getOwner();
    OpBuilder b(op->getContext());
    if (user->getBlock() == op->getBlock())
      b.setInsertionPoint(user);
    else
      b.setInsertionPointAfter(op);
    use->set(cloneFor(b, op));
  }
  op->erase();
}

struct AttnSplitSharedInitsPass
    : attn::impl::AttnSplitSharedInitsBase<AttnSplitSharedInitsPass> {
  void runOnOperation() override {
    SmallVector<linalg::FillOp> fills;
    getOperation()->walk([&](linalg::FillOp fill) {
      if (fill.hasPureTensorSemantics())
        fills.push_back(fill);
    });
    // Fills first, each clone with its own empty; then the empties, whose
    // uses now include those clones.
    for (linalg::FillOp fill : fills) {
      Value init = fill.getOutputs()[0];
      splitUses(fill, [&](OpBuilder &b, Operation *op) -> Value {
        IRMapping mapping;
        if (auto empty = init.getDefiningOp<tensor::EmptyOp>())
          mapping.map(init, b.clone(*empty)->getResult(0));
        return b.clone(*op, mapping)->getResult(0);
      });
    }
    SmallVector<tensor::EmptyOp> empties;
    getOperation()->walk(
        [&](tensor::EmptyOp empty) { empties.push_back(empty); });
    for (tensor::EmptyOp empty : empties)
      splitUses(empty, [](OpBuilder &b, Operation *op) -> Value {
        return b.clone(*op)->getResult(0);
      });
  }
};

} // namespace
