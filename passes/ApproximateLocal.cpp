//===- ApproximateLocal.cpp - Global attention made local, on request -----===//
//
// attn-approximate-local (passes/Passes.td): the window mask added to global
// attention and softmax ops, each change reported as a remark.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialect/AttnOps.h"

#include "mlir/IR/Builders.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNAPPROXIMATELOCAL
#include "passes/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

/// The number of keys `op` attends to: the second-last dim of attention's
/// keys, the last of softmax's scores (dynamic: ShapedType::kDynamic).
int64_t numKeys(Operation *op) {
  if (auto attention = dyn_cast<AttentionOp>(op)) {
    ArrayRef<int64_t> keys = attention.getKeys().getType().getShape();
    return keys[keys.size() - 2];
  }
  return cast<SoftmaxOp>(op).getInput().getType().getShape().back();
}

/// Adds `window(size)` to the mask of `op` (attn.attention or attn.softmax).
template <typename OpTy>
void addWindow(OpTy op, int64_t size) {
  op.setMask(op.getMask() | MaskKind::window);
  op.setWindowAttr(Builder(op.getContext()).getI64IntegerAttr(size));
}

struct AttnApproximateLocalPass
    : attn::impl::AttnApproximateLocalBase<AttnApproximateLocalPass> {
  using AttnApproximateLocalBase::AttnApproximateLocalBase;

  void runOnOperation() override {
    if (window < 0 || minKeys < 0) {
      getOperation()->emitError("attn-approximate-local: window and min-keys "
                                "must be at least 0");
      return signalPassFailure();
    }
    int64_t size = window;
    if (size == 0)
      return;
    getOperation()->walk([&](Operation *op) {
      if (!isa<AttentionOp, SoftmaxOp>(op))
        return;
      if (cast<MaskOpInterface>(op).getMaskSpec().has(MaskKind::window))
        return;
      int64_t keys = numKeys(op);
      if (!ShapedType::isDynamic(keys) && keys <= minKeys)
        return;
      if (cast<QueryShapeOpInterface>(op).isSingleQuery()) {
        op->emitRemark("global attention kept (--local-window): a single "
                       "query has no position to center a window on");
        return;
      }
      if (auto attention = dyn_cast<AttentionOp>(op))
        addWindow(attention, size);
      else
        addWindow(cast<SoftmaxOp>(op), size);
      InFlightDiagnostic remark = op->emitRemark("global attention over ");
      if (ShapedType::isDynamic(keys))
        remark << "a run-time number of keys";
      else
        remark << keys << " keys";
      remark << " approximated by local attention: keys within " << size
             << " of the query (--local-window); exact up to " << size + 1
             << " keys";
    });
  }
};

} // namespace
