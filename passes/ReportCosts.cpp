//===- ReportCosts.cpp - Flops, weights and peak scratch per entry point --===//
//
// attn-report-costs: the why is in passes/Passes.td, the user's view in
// docs/ATTNC.md (--report).
//
// Every quantity is a polynomial in the run-time dims (and `threads` for the
// scratch of parallel loops). An index value is evaluated to an interval
// [lo, hi] of such polynomials, so that differences of loop bounds stay
// exact (the unmasked and the masked key blocks of a tiled attention add up
// to all of them) while what depends on an induction variable or a `min`
// takes its largest case.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/CostPolynomial.h"

#include "dialect/AttnOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/IR/AffineExprVisitor.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/PointerIntPair.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"


namespace mlir::attn {
#define GEN_PASS_DEF_ATTNREPORTCOSTS
#include "passes/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

/// The costs of one kernel.
class KernelCosts {
public:
  KernelCosts(ModelAttr model, EntryAttr entry, func::FuncOp kernel)
      : model(model), entry(entry), kernel(kernel) {
    for (ArrayRef<ArgAttr> args :
         {model.getParams(), entry.getInputs(), entry.getOutputs()})
      llvm::append_range(kernelArgs, args);
    // Where to compare polynomials (which of two is the smaller `min`, the
    // larger peak): the dims at their bounds, 1024 for an unbounded one.
    for (DimAttr dim : model.getDims())
      reference[dim.getName()] = double(dim.getMax().value_or(1024));
    reference["threads"] = 2;
  }

  std::optional<Poly> flops() { return flopsOf(kernel.getBody().front()); }
  Poly weightBytes(unsigned &used);
  std::optional<Poly> peakScratch();

private:
  MaybeRange range(Value value);
  MaybeRange computeRange(Value value);
  MaybeRange affineRange(AffineExpr expr, ValueRange dims, ValueRange symbols);
  std::optional<Poly> extent(Value memref, unsigned dim);
  std::optional<Poly> bytes(memref::AllocOp alloc);
  MaybeRange range(OpFoldResult value) {
    if (auto attr = dyn_cast<Attribute>(value))
      return PolyRange::exactly(Poly::constant(cast<IntegerAttr>(attr).getInt()));
    return range(cast<Value>(value));
  }
  std::optional<Poly> tripCount(OpFoldResult lower, OpFoldResult upper,
                                OpFoldResult step);
  std::optional<Poly> flopsOf(Block &block);
  std::optional<Poly> flopsOf(Operation *op);

  const Poly &smaller(const Poly &a, const Poly &b) const {
    return a.evaluate(reference) <= b.evaluate(reference) ? a : b;
  }
  const Poly &larger(const Poly &a, const Poly &b) const {
    return a.evaluate(reference) >= b.evaluate(reference) ? a : b;
  }

  /// The scratch walk: which buffers are live (an allocation, or the
  /// allocation of the previous iteration of a loop that carries it), and
  /// the most bytes live at once.
  using BufferKey = llvm::PointerIntPair<Operation *, 1, bool>;
  struct Scratch {
    llvm::MapVector<BufferKey, Poly> live;
    Poly total() const {
      Poly sum;
      for (const auto &entry : live)
        sum = sum + entry.second;
      return sum;
    }
  };
  LogicalResult walkScratch(Block &block, Scratch &scratch, Poly &peak);
  std::optional<BufferKey> bufferOf(Value memref);

  ModelAttr model;
  EntryAttr entry;
  func::FuncOp kernel;
  SmallVector<ArgAttr> kernelArgs;
  llvm::StringMap<double> reference;
  DenseMap<Value, MaybeRange> ranges;
};

MaybeRange KernelCosts::range(Value value) {
  auto it = ranges.find(value);
  if (it != ranges.end())
    return it->second;
  ranges[value] = std::nullopt; // a cycle (a loop-carried index) is unknown
  MaybeRange result = computeRange(value);
  ranges[value] = result;
  return result;
}

MaybeRange KernelCosts::affineRange(AffineExpr expr, ValueRange dims,
                                    ValueRange symbols) {
  if (auto constant = dyn_cast<AffineConstantExpr>(expr))
    return PolyRange::exactly(Poly::constant(constant.getValue()));
  if (auto dim = dyn_cast<AffineDimExpr>(expr))
    return range(dims[dim.getPosition()]);
  if (auto symbol = dyn_cast<AffineSymbolExpr>(expr))
    return range(symbols[symbol.getPosition()]);
  auto binary = cast<AffineBinaryOpExpr>(expr);
  MaybeRange lhs = affineRange(binary.getLHS(), dims, symbols);
  MaybeRange rhs = affineRange(binary.getRHS(), dims, symbols);
  if (!lhs || !rhs)
    return std::nullopt;
  std::optional<double> divisor = rhs->lo.getConstant();
  switch (expr.getKind()) {
  case AffineExprKind::Add:
    return PolyRange{lhs->lo + rhs->lo, lhs->hi + rhs->hi};
  case AffineExprKind::Mul:
    if (std::optional<double> factor = rhs->lo.getConstant();
        factor && *factor < 0)
      return PolyRange{lhs->hi * *factor, lhs->lo * *factor};
    return PolyRange{lhs->lo * rhs->lo, lhs->hi * rhs->hi};
  case AffineExprKind::FloorDiv:
  case AffineExprKind::CeilDiv:
    if (!divisor || *divisor <= 0)
      return std::nullopt;
    return PolyRange{lhs->lo * (1 / *divisor), lhs->hi * (1 / *divisor)};
  case AffineExprKind::Mod:
    if (!divisor || *divisor <= 0)
      return std::nullopt;
    return PolyRange{Poly(), Poly::constant(*divisor - 1)};
  default:
    return std::nullopt;
  }
}

MaybeRange KernelCosts::computeRange(Value value) {
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    Operation *owner = arg.getOwner()->getParentOp();
    if (auto loop = dyn_cast<scf::ForOp>(owner);
        loop && value == loop.getInductionVar()) {
      MaybeRange lower = range(loop.getLowerBound());
      MaybeRange upper = range(loop.getUpperBound());
      if (!lower || !upper)
        return std::nullopt;
      return PolyRange{lower->lo, upper->hi};
    }
    if (auto loop = dyn_cast<scf::ForallOp>(owner)) {
      unsigned index = arg.getArgNumber();
      if (index >= loop.getRank())
        return std::nullopt;
      MaybeRange upper = range(loop.getMixedUpperBound()[index]);
      if (!upper)
        return std::nullopt;
      return PolyRange{Poly(), upper->hi};
    }
    return std::nullopt;
  }
  Operation *op = value.getDefiningOp();
  APInt constant;
  if (matchPattern(value, m_ConstantInt(&constant)))
    return PolyRange::exactly(Poly::constant(constant.getSExtValue()));
  if (isa<arith::IndexCastOp, arith::IndexCastUIOp, arith::ExtSIOp,
          arith::ExtUIOp, arith::TruncIOp>(op))
    return range(op->getOperand(0));
  if (auto dim = dyn_cast<memref::DimOp>(op)) {
    std::optional<int64_t> index = dim.getConstantIndex();
    if (!index)
      return std::nullopt;
    std::optional<Poly> size = extent(dim.getSource(), *index);
    if (!size)
      return std::nullopt;
    return PolyRange::exactly(*size);
  }
  if (auto apply = dyn_cast<affine::AffineApplyOp>(op)) {
    AffineMap map = apply.getAffineMap();
    return affineRange(map.getResult(0),
                       apply.getMapOperands().take_front(map.getNumDims()),
                       apply.getMapOperands().drop_front(map.getNumDims()));
  }
  if (isa<affine::AffineMinOp, affine::AffineMaxOp>(op)) {
    bool isMin = isa<affine::AffineMinOp>(op);
    auto map = op->getAttrOfType<AffineMapAttr>("map").getValue();
    ValueRange operands = op->getOperands();
    MaybeRange result;
    for (AffineExpr expr : map.getResults()) {
      MaybeRange next =
          affineRange(expr, operands.take_front(map.getNumDims()),
                      operands.drop_front(map.getNumDims()));
      if (!next)
        return std::nullopt;
      result = !result ? *next
               : isMin ? PolyRange{smaller(result->lo, next->lo),
                               smaller(result->hi, next->hi)}
                       : PolyRange{larger(result->lo, next->lo),
                               larger(result->hi, next->hi)};
    }
    return result;
  }
  bool isSelect = isa<arith::SelectOp>(op);
  if (op->getNumOperands() != (isSelect ? 3u : 2u))
    return std::nullopt;
  MaybeRange lhs = range(op->getOperand(isSelect ? 1 : 0));
  MaybeRange rhs = range(op->getOperand(isSelect ? 2 : 1));
  // The minimum of a known and a data-dependent value (a padding length
  // against S): at most the known one.
  if (isa<arith::MinSIOp, arith::MinUIOp>(op) && (lhs || rhs) &&
      !(lhs && rhs))
    return PolyRange{Poly(), lhs ? lhs->hi : rhs->hi};
  if (!lhs || !rhs)
    return std::nullopt;
  std::optional<double> divisor = rhs->lo.getConstant();
  if (isa<arith::AddIOp>(op))
    return PolyRange{lhs->lo + rhs->lo, lhs->hi + rhs->hi};
  if (isa<arith::SubIOp>(op))
    return PolyRange{lhs->lo - rhs->hi, lhs->hi - rhs->lo};
  if (isa<arith::MulIOp>(op))
    return PolyRange{lhs->lo * rhs->lo, lhs->hi * rhs->hi};
  if (isa<arith::DivSIOp, arith::DivUIOp, arith::FloorDivSIOp,
          arith::CeilDivSIOp, arith::CeilDivUIOp>(op)) {
    // Division by a block size: exact when the dim is a multiple of it. By
    // a run-time value (at least 1): at most the dividend.
    if (!divisor)
      return PolyRange{Poly(), lhs->hi};
    if (*divisor <= 0)
      return std::nullopt;
    return PolyRange{lhs->lo * (1 / *divisor), lhs->hi * (1 / *divisor)};
  }
  if (isa<arith::RemSIOp, arith::RemUIOp>(op))
    return PolyRange{Poly(), divisor ? Poly::constant(*divisor - 1) : rhs->hi};
  if (isa<arith::MinSIOp, arith::MinUIOp>(op))
    return PolyRange{smaller(lhs->lo, rhs->lo), smaller(lhs->hi, rhs->hi)};
  if (isa<arith::MaxSIOp, arith::MaxUIOp, arith::SelectOp>(op))
    return PolyRange{larger(lhs->lo, rhs->lo), larger(lhs->hi, rhs->hi)};
  return std::nullopt;
}

std::optional<Poly> KernelCosts::extent(Value memref, unsigned dim) {
  auto type = cast<MemRefType>(memref.getType());
  if (!type.isDynamicDim(dim))
    return Poly::constant(type.getDimSize(dim));
  auto sizeOf = [&](OpFoldResult size) -> std::optional<Poly> {
    MaybeRange value = range(size);
    if (!value)
      return std::nullopt;
    return value->hi;
  };
  if (auto arg = dyn_cast<BlockArgument>(memref)) {
    if (arg.getOwner() == &kernel.getBody().front()) {
      const Extent &size = kernelArgs[arg.getArgNumber()].getShape()[dim];
      return size.isDim() ? Poly::symbol(size.getDim())
                          : Poly::constant(size.getSize());
    }
    // A loop-carried buffer keeps the shape of its initial value.
    if (auto loop = dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp()))
      if (OpOperand *init = loop.getTiedLoopInit(arg))
        return extent(init->get(), dim);
    return std::nullopt;
  }
  Operation *op = memref.getDefiningOp();
  if (auto loop = dyn_cast<scf::ForOp>(op))
    return extent(loop.getInitArgs()[cast<OpResult>(memref).getResultNumber()],
                  dim);
  if (auto alloc = dyn_cast<memref::AllocOp>(op))
    return sizeOf(alloc.getMixedSizes()[dim]);
  if (auto view = dyn_cast<memref::SubViewOp>(op)) {
    llvm::SmallBitVector dropped = view.getDroppedDims();
    unsigned position = 0;
    for (unsigned kept = 0;; ++position)
      if (!dropped.test(position) && kept++ == dim)
        break;
    return sizeOf(view.getMixedSizes()[position]);
  }
  if (auto expand = dyn_cast<memref::ExpandShapeOp>(op)) {
    // output_shape lists the dynamic sizes only, in order.
    ArrayRef<int64_t> shape = expand.getResultType().getShape();
    return sizeOf(expand.getOutputShape()[llvm::count_if(
        shape.take_front(dim), ShapedType::isDynamic)]);
  }
  if (auto collapse = dyn_cast<memref::CollapseShapeOp>(op)) {
    Poly product = Poly::constant(1);
    // A copy: the list of all groups is a temporary, gone before the loop.
    ReassociationIndices group = collapse.getReassociationIndices()[dim];
    for (int64_t source : group) {
      std::optional<Poly> size = extent(collapse.getSrc(), source);
      if (!size)
        return std::nullopt;
      product = product * *size;
    }
    return product;
  }
  if (auto cast = dyn_cast<memref::CastOp>(op))
    return extent(cast.getSource(), dim);
  if (auto reinterpret = dyn_cast<memref::ReinterpretCastOp>(op))
    return sizeOf(reinterpret.getMixedSizes()[dim]);
  return std::nullopt;
}

/// What an allocation asks the allocator for: its elements, plus its
/// alignment, which the memref-to-LLVM lowering adds to align by hand.
std::optional<Poly> KernelCosts::bytes(memref::AllocOp alloc) {
  MemRefType type = alloc.getType();
  Poly count = Poly::constant(1);
  for (unsigned dim = 0; dim < type.getRank(); ++dim) {
    std::optional<Poly> size = extent(alloc.getResult(), dim);
    if (!size)
      return std::nullopt;
    count = count * *size;
  }
  unsigned elementBits = type.getElementType().isIndex()
                             ? 64
                             : type.getElementType().getIntOrFloatBitWidth();
  return count * double((elementBits + 7) / 8) +
         Poly::constant(alloc.getAlignment().value_or(0));
}

std::optional<Poly> KernelCosts::tripCount(OpFoldResult lower,
                                           OpFoldResult upper,
                                           OpFoldResult step) {
  MaybeRange from = range(lower), to = range(upper), by = range(step);
  if (!from || !to || !by)
    return std::nullopt;
  std::optional<double> stride = by->lo.getConstant();
  if (!stride || *stride <= 0)
    return std::nullopt;
  return (to->hi - from->lo) * (1 / *stride);
}

/// Whether `op` is one floating-point operation: arithmetic on floats or a
/// math function (which counts as one); not a select or a constant.
static bool isFlop(Operation *op) {
  return isa_and_nonnull<arith::ArithDialect, math::MathDialect>(
             op->getDialect()) &&
         !isa<arith::SelectOp, arith::ConstantOp>(op) &&
         llvm::any_of(op->getOperandTypes(), [](Type type) {
           return isa<FloatType>(getElementTypeOrSelf(type));
         });
}

/// The floating-point operations of one run of `body`.
static int64_t countFlops(Region &body) {
  int64_t count = 0;
  body.walk([&](Operation *op) { count += isFlop(op); });
  return count;
}

std::optional<Poly> KernelCosts::flopsOf(Operation *op) {
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    if (isa<linalg::FillOp, linalg::CopyOp>(op))
      return Poly();
    // The iteration space: each loop's size from an operand dim it indexes.
    Poly points = Poly::constant(1);
    SmallVector<AffineMap> maps = linalgOp.getIndexingMapsArray();
    for (unsigned loop = 0; loop < linalgOp.getNumLoops(); ++loop) {
      std::optional<Poly> size;
      for (auto [operand, map] : llvm::zip(op->getOperands(), maps)) {
        for (auto [result, expr] : llvm::enumerate(map.getResults()))
          if (auto dim = dyn_cast<AffineDimExpr>(expr);
              dim && dim.getPosition() == loop &&
              isa<MemRefType>(operand.getType()))
            if ((size = extent(operand, result)))
              break;
        if (size)
          break;
      }
      if (!size)
        return std::nullopt;
      points = points * *size;
    }
    return points * double(countFlops(op->getRegion(0)));
  }
  if (auto call = dyn_cast<func::CallOp>(op)) {
    // The products attn-matmul-to-blas hands to OpenBLAS: 2 m n k and 2 m n.
    // The operands m, n, k of attnrt_sgemm and m, n of attnrt_sgemv.
    static constexpr unsigned kGemmSizes[] = {2, 3, 4}, kGemvSizes[] = {1, 2};
    StringRef callee = call.getCallee();
    ArrayRef<unsigned> sizes = callee == "attnrt_sgemm"   ? kGemmSizes
                               : callee == "attnrt_sgemv" ? kGemvSizes
                                                          : ArrayRef<unsigned>();
    Poly product = Poly::constant(sizes.empty() ? 0 : 2);
    for (unsigned operand : sizes) {
      MaybeRange size = range(call.getOperand(operand));
      if (!size)
        return std::nullopt;
      product = product * size->hi;
    }
    return product;
  }
  if (auto loop = dyn_cast<scf::ForOp>(op)) {
    std::optional<Poly> trips = tripCount(
        loop.getLowerBound(), loop.getUpperBound(), loop.getStep());
    std::optional<Poly> body = flopsOf(*loop.getBody());
    if (!trips || !body)
      return std::nullopt;
    return *trips * *body;
  }
  if (auto loop = dyn_cast<scf::ForallOp>(op)) {
    std::optional<Poly> body = flopsOf(*loop.getBody());
    if (!body)
      return std::nullopt;
    Poly total = *body;
    for (auto [lower, upper, step] :
         llvm::zip(loop.getMixedLowerBound(), loop.getMixedUpperBound(),
                   loop.getMixedStep())) {
      std::optional<Poly> trips = tripCount(lower, upper, step);
      if (!trips)
        return std::nullopt;
      total = total * *trips;
    }
    return total;
  }
  if (auto branch = dyn_cast<scf::IfOp>(op)) {
    // The costlier side: the BLAS call or its fallback, a block or no work.
    std::optional<Poly> then = flopsOf(*branch.thenBlock());
    std::optional<Poly> other =
        branch.elseBlock() ? flopsOf(*branch.elseBlock()) : Poly();
    if (!then || !other)
      return std::nullopt;
    return larger(*then, *other);
  }
  return Poly::constant(isFlop(op));
}

std::optional<Poly> KernelCosts::flopsOf(Block &block) {
  Poly total;
  for (Operation &op : block) {
    std::optional<Poly> flops = flopsOf(&op);
    if (!flops)
      return std::nullopt;
    total = total + *flops;
  }
  return total;
}

Poly KernelCosts::weightBytes(unsigned &used) {
  Poly total;
  used = 0;
  for (auto [index, param] : llvm::enumerate(model.getParams())) {
    if (kernel.getArgument(index).use_empty())
      continue;
    ++used;
    double count = 1;
    for (const Extent &extent : param.getShape())
      count *= double(extent.getSize());
    total = total + Poly::constant(4 * count);
  }
  return total;
}

/// The allocation a buffer (or a view of it) belongs to: the alloc op, or
/// for a loop's iteration argument the allocation of the previous
/// iteration that it carries.
std::optional<KernelCosts::BufferKey> KernelCosts::bufferOf(Value memref) {
  for (int depth = 0; depth < 64; ++depth) {
    if (auto arg = dyn_cast<BlockArgument>(memref)) {
      auto loop = dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp());
      OpOperand *init = loop ? loop.getTiedLoopInit(arg) : nullptr;
      if (!init)
        return std::nullopt;
      Value yielded =
          loop.getYieldedValues()[arg.getArgNumber() - loop.getNumInductionVars()];
      std::optional<BufferKey> next = bufferOf(yielded);
      if (next && loop->isProperAncestor(next->getPointer()))
        return BufferKey(next->getPointer(), true);
      memref = init->get();
      continue;
    }
    Operation *op = memref.getDefiningOp();
    if (isa<memref::AllocOp>(op))
      return BufferKey(op, false);
    if (auto loop = dyn_cast<scf::ForOp>(op)) {
      memref = loop.getYieldedValues()[cast<OpResult>(memref).getResultNumber()];
      continue;
    }
    if (isa<memref::SubViewOp, memref::ExpandShapeOp, memref::CollapseShapeOp,
            memref::CastOp, memref::ReinterpretCastOp,
            memref::ExtractStridedMetadataOp>(op)) {
      memref = op->getOperand(0);
      continue;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

LogicalResult KernelCosts::walkScratch(Block &block, Scratch &scratch,
                                       Poly &peak) {
  auto notePeak = [&](const Poly &candidate) {
    peak = larger(peak, candidate);
  };
  for (Operation &op : block) {
    if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      std::optional<Poly> size = bytes(alloc);
      if (!size)
        return failure();
      scratch.live[BufferKey(alloc, false)] = *size;
      notePeak(scratch.total());
    } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
      if (std::optional<BufferKey> buffer = bufferOf(dealloc.getMemref()))
        scratch.live.erase(*buffer);
    } else if (auto branch = dyn_cast<scf::IfOp>(op)) {
      // Ownership-based deallocation frees under a condition that holds
      // in the steady state: the `then` side is the one that goes on.
      if (branch.elseBlock()) {
        Scratch other = scratch;
        if (failed(walkScratch(*branch.elseBlock(), other, peak)))
          return failure();
      }
      if (failed(walkScratch(*branch.thenBlock(), scratch, peak)))
        return failure();
    } else if (auto loop = dyn_cast<scf::ForOp>(op)) {
      // The steady state: the buffers the loop carries from the previous
      // iteration are live when the body starts.
      SmallVector<BufferKey> carried;
      for (Value yielded : loop.getYieldedValues())
        if (std::optional<BufferKey> buffer = bufferOf(yielded);
            buffer && !buffer->getInt() &&
            loop->isProperAncestor(buffer->getPointer())) {
          std::optional<Poly> size =
              bytes(cast<memref::AllocOp>(buffer->getPointer()));
          if (!size)
            return failure();
          BufferKey key(buffer->getPointer(), true);
          scratch.live[key] = *size;
          carried.push_back(key);
        }
      notePeak(scratch.total());
      if (failed(walkScratch(*loop.getBody(), scratch, peak)))
        return failure();
      for (BufferKey key : carried)
        scratch.live.erase(key);
    } else if (auto loop = dyn_cast<scf::ForallOp>(op)) {
      // Each thread runs iterations with its own buffers.
      Scratch own;
      Poly ownPeak;
      if (failed(walkScratch(*loop.getBody(), own, ownPeak)))
        return failure();
      notePeak(scratch.total() + ownPeak * Poly::symbol("threads"));
    } else if (op.getNumRegions() != 0 &&
               !isa<linalg::LinalgOp, scf::IfOp>(op) &&
               op.walk([](memref::AllocOp) { return WalkResult::interrupt(); })
                   .wasInterrupted()) {
      return failure(); // an allocation in a region not modelled above
    }
  }
  return success();
}

std::optional<Poly> KernelCosts::peakScratch() {
  Scratch scratch;
  Poly peak;
  if (failed(walkScratch(kernel.getBody().front(), scratch, peak)))
    return std::nullopt;
  return peak;
}

/// `512 B`, `64 KiB`, `1.5 MiB`: four significant digits.
std::string formatBytes(double value) {
  static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (std::abs(value) >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  return llvm::formatv("{0} {1}", llvm::format("%.4g", value), units[unit])
      .str();
}

std::string formatCount(double value) {
  return llvm::formatv("{0}", llvm::format("%.6g", value)).str();
}

/// `1.23 GFLOP`: the flops at one size, for reading.
std::string formatFlops(double value) {
  static const char *const prefixes[] = {"", "k", "M", "G", "T", "P"};
  int prefix = 0;
  while (std::abs(value) >= 1000 && prefix < 5) {
    value /= 1000;
    ++prefix;
  }
  return llvm::formatv("{0} {1}FLOP", llvm::format("%.3g", value),
                       prefixes[prefix])
      .str();
}

struct AttnReportCostsPass
    : attn::impl::AttnReportCostsBase<AttnReportCostsPass> {
  AttnReportCostsPass() = default;
  explicit AttnReportCostsPass(llvm::raw_ostream &os) : os(&os) {}

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto model = module->getAttrOfType<ModelAttr>(
        AttnDialect::getModelAttrName());
    if (!model) {
      module.emitError("attn-report-costs needs the module's attn.model");
      return signalPassFailure();
    }
    for (EntryAttr entry : model.getEntries()) {
      auto kernel = module.lookupSymbol<func::FuncOp>(entry.getKernel());
      if (!kernel || kernel.isExternal()) {
        module.emitError("attn-report-costs: no kernel function for entry "
                         "point '")
            << entry.getName() << "'";
        return signalPassFailure();
      }
      report(model, entry, kernel);
    }
  }

  void report(ModelAttr model, EntryAttr entry, func::FuncOp kernel) {
    llvm::raw_ostream &out = os ? *os : llvm::outs();
    KernelCosts costs(model, entry, kernel);
    SmallVector<DimAttr> dims = model.getEntryDims(entry);
    // An example size: every dim at its bound (or 1024), one thread.
    llvm::StringMap<double> at;
    std::string atText;
    llvm::raw_string_ostream atStream(atText);
    llvm::ListSeparator comma(", ");
    for (DimAttr dim : dims) {
      int64_t size = dim.getMax().value_or(1024);
      at[dim.getName()] = double(size);
      atStream << comma << dim.getName() << " = " << size;
    }
    at["threads"] = 1;

    out << model.getName() << "_" << entry.getName() << "(";
    llvm::interleaveComma(dims, out,
                          [&](DimAttr dim) { out << dim.getName(); });
    out << "):\n";
    // `example` formats the value at `at`, which `where` names.
    auto line = [&](StringRef what, const std::optional<Poly> &value,
                    function_ref<std::string(double)> coefficient,
                    function_ref<std::string(double)> example,
                    StringRef where) {
      out << "  " << what << " = ";
      if (!value) {
        out << "unknown (the IR has a size attn-report-costs cannot "
               "follow)\n";
        return;
      }
      out << value->print(coefficient);
      if (!value->getConstant())
        out << "   (" << where << ": " << example(value->evaluate(at)) << ")";
      out << "\n";
    };
    line("flops", costs.flops(), formatCount, formatFlops, atText);
    unsigned used = 0;
    Poly weights = costs.weightBytes(used);
    out << "  weights read = " << formatBytes(*weights.getConstant()) << " ("
        << used << " of " << model.getParams().size() << " params)\n";
    line("peak scratch", costs.peakScratch(), formatBytes, formatBytes,
         atText + ", 1 thread");
  }

  llvm::raw_ostream *os = nullptr;
};

} // namespace

std::unique_ptr<Pass>
mlir::attn::createAttnReportCosts(llvm::raw_ostream &os) {
  return std::make_unique<AttnReportCostsPass>(os);
}
