//===- OutlineParallel.cpp - scf.forall bodies run by attnrt_parallel_for -===//
//
// Why a runtime call and not the omp dialect, and how the captured values
// travel, is in Passes.td (AttnOutlineParallel).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "interface/RuntimeFunctions.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNOUTLINEPARALLEL
#include "passes/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

/// The body type the runtime calls: void (int64_t begin, int64_t end, void *).
static FunctionType getBodyType(MLIRContext *ctx) {
  Builder b(ctx);
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  return b.getFunctionType({b.getI64Type(), b.getI64Type(), ptr}, {});
}

/// How a value captured by the loop body is stored in the context struct:
/// memrefs as their LLVM descriptor, index as i64, scalars as they are.
static Type getStoredType(Type type, const LLVMTypeConverter &converter) {
  if (isa<MemRefType>(type))
    return converter.convertType(type);
  if (type.isIndex())
    return IntegerType::get(type.getContext(), 64);
  if (type.isIntOrFloat() || isa<LLVM::LLVMPointerType>(type))
    return type;
  return {};
}

/// `value` (of its original type) as the stored type, or back.
static Value convertValue(OpBuilder &b, Location loc, Value value, Type to) {
  Type from = value.getType();
  if (from == to)
    return value;
  if (from.isIndex() || to.isIndex())
    return b.create<arith::IndexCastOp>(loc, to, value);
  // A memref and its descriptor: the LLVM conversions fold the casts away.
  return b.create<UnrealizedConversionCastOp>(loc, to, value).getResult(0);
}

/// Whether `forall` is a one-dimensional loop from 0 by 1 on buffers.
static bool isOutlinable(scf::ForallOp forall) {
  if (forall.getRank() != 1 || !forall.getOutputs().empty())
    return false;
  std::optional<int64_t> lower =
      getConstantIntValue(forall.getMixedLowerBound()[0]);
  std::optional<int64_t> step = getConstantIntValue(forall.getMixedStep()[0]);
  return lower == 0 && step == 1 &&
         forall.getTerminator().getYieldingOps().empty();
}

/// attnrt_parallel_for, named and typed by interface/RuntimeFunctions.def.
static StringRef parallelForName() {
  return getRuntimeFunctionName(RuntimeFunction::attnrt_parallel_for);
}

/// Declares attnrt_parallel_for in `module` unless it is there.
static void declareParallelFor(OpBuilder &b, ModuleOp module,
                               SymbolTable &symbols) {
  if (symbols.lookup(parallelForName()))
    return;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  auto decl = b.create<func::FuncOp>(
      module.getLoc(), parallelForName(),
      getRuntimeFunctionType(b.getContext(),
                             RuntimeFunction::attnrt_parallel_for));
  decl.setPrivate();
  symbols.insert(decl);
}

namespace {

struct AttnOutlineParallelPass
    : attn::impl::AttnOutlineParallelBase<AttnOutlineParallelPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    LLVMTypeConverter converter(ctx);
    SymbolTable symbols(module);

    SmallVector<scf::ForallOp> loops;
    module.walk([&](scf::ForallOp forall) {
      if (isOutlinable(forall))
        loops.push_back(forall);
    });
    if (loops.empty())
      return;

    OpBuilder b(ctx);
    Type ptr = LLVM::LLVMPointerType::get(ctx);
    Type i64 = b.getI64Type();
    for (scf::ForallOp forall : loops) {
      Location loc = forall.getLoc();
      // Constants are re-created in the body rather than passed.
      SetVector<Value> used, captures;
      SmallVector<Operation *> constants;
      getUsedValuesDefinedAbove(forall.getRegion(), used);
      for (Value value : used) {
        Operation *def = value.getDefiningOp();
        if (def && def->hasTrait<OpTrait::ConstantLike>())
          constants.push_back(def);
        else
          captures.insert(value);
      }
      SmallVector<Type> stored;
      for (Value value : captures)
        stored.push_back(getStoredType(value.getType(), converter));
      if (llvm::is_contained(stored, Type()))
        continue; // left for scf-forall-to-for: runs on one thread
      auto contextType = LLVM::LLVMStructType::getLiteral(ctx, stored);
      declareParallelFor(b, module, symbols);

      // The body function: unpack the context, loop over [begin, end).
      auto parent = forall->getParentOfType<func::FuncOp>();
      b.setInsertionPointAfter(parent);
      auto body = b.create<func::FuncOp>(
          loc, (parent.getSymName() + "_parallel").str(), getBodyType(ctx));
      body.setPrivate();
      symbols.insert(body); // renames on a clash
      Block *entry = body.addEntryBlock();
      b.setInsertionPointToStart(entry);
      IRMapping mapping;
      for (Operation *constant : constants)
        b.clone(*constant, mapping);
      for (auto [i, value] : llvm::enumerate(captures)) {
        Value field = b.create<LLVM::GEPOp>(
            loc, ptr, contextType, entry->getArgument(2),
            ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(i)});
        Value loaded = b.create<LLVM::LoadOp>(loc, stored[i], field);
        mapping.map(value, convertValue(b, loc, loaded, value.getType()));
      }
      Value begin = b.create<arith::IndexCastOp>(loc, b.getIndexType(),
                                                 entry->getArgument(0));
      Value end = b.create<arith::IndexCastOp>(loc, b.getIndexType(),
                                               entry->getArgument(1));
      Value one = b.create<arith::ConstantIndexOp>(loc, 1);
      auto loop = b.create<scf::ForOp>(loc, begin, end, one);
      mapping.map(forall.getInductionVar(0), loop.getInductionVar());
      b.setInsertionPointToStart(loop.getBody());
      for (Operation &op : forall.getBody()->without_terminator())
        b.clone(op, mapping);
      b.setInsertionPointAfter(loop);
      b.create<func::ReturnOp>(loc);

      // The call: pack the captures into a stack struct, hand it over.
      // The struct goes at the function's entry: an alloca in a loop would
      // grow the stack per iteration.
      b.setInsertionPointToStart(&parent.getBody().front());
      Value one32 = b.create<LLVM::ConstantOp>(loc, b.getI32Type(),
                                               b.getI32IntegerAttr(1));
      Value context = b.create<LLVM::AllocaOp>(loc, ptr, contextType, one32);
      b.setInsertionPoint(forall);
      Value count = getValueOrCreateConstantIndexOp(
          b, loc, forall.getMixedUpperBound()[0]);
      for (auto [i, value] : llvm::enumerate(captures)) {
        Value field = b.create<LLVM::GEPOp>(
            loc, ptr, contextType, context,
            ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(i)});
        b.create<LLVM::StoreOp>(loc, convertValue(b, loc, value, stored[i]),
                                field);
      }
      Value fn = b.create<func::ConstantOp>(loc, getBodyType(ctx),
                                            SymbolRefAttr::get(body));
      Value fnPtr =
          b.create<UnrealizedConversionCastOp>(loc, ptr, fn).getResult(0);
      b.create<func::CallOp>(
          loc, parallelForName(), TypeRange{},
          ValueRange{b.create<arith::IndexCastOp>(loc, i64, count), fnPtr,
                     context});
      forall.erase();
    }
  }
};

} // namespace
