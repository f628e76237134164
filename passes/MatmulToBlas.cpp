//===- MatmulToBlas.cpp - Bufferized f32 matmuls to attnrt_sgemm calls ----===//
//
// The why (threshold, beta, the run-time choice) is in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNMATMULTOBLAS
#include "passes/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

/// Marks the op kept as the small-size fallback of a run-time choice.
constexpr StringLiteral kFallbackAttr = "attn.blas_fallback";

/// The signature of attnrt_sgemm.
FunctionType getSgemmType(MLIRContext *ctx) {
  Builder b(ctx);
  Type i32 = b.getI32Type(), i64 = b.getI64Type(), f32 = b.getF32Type();
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  return b.getFunctionType(
      {i32, i32, i64, i64, i64, f32, ptr, i64, ptr, i64, f32, ptr, i64}, {});
}

/// Whether `type` is an f32 memref whose innermost stride is statically 1.
bool hasUnitInnerStride(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref || !memref.getElementType().isF32())
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(getStridesAndOffset(memref, strides, offset)) &&
         !strides.empty() && strides.back() == 1;
}

/// What the pattern needs to know about one product.
struct Product {
  bool batched = false;
  bool transposeB = false;
  Value a, b, c;
};

/// The product `op` computes when it is a candidate: an f32 matmul of one of
/// the four kinds, on memrefs, with unit inner strides, not a fallback.
std::optional<Product> matchProduct(Operation *op) {
  Product product;
  if (isa<linalg::MatmulOp>(op)) {
  } else if (isa<linalg::MatmulTransposeBOp>(op)) {
    product.transposeB = true;
  } else if (isa<linalg::BatchMatmulOp>(op)) {
    product.batched = true;
  } else if (isa<linalg::BatchMatmulTransposeBOp>(op)) {
    product.batched = product.transposeB = true;
  } else {
    return std::nullopt;
  }
  auto linalgOp = cast<linalg::LinalgOp>(op);
  if (op->hasAttr(kFallbackAttr) || !linalgOp.hasPureBufferSemantics() ||
      linalgOp.getNumDpsInputs() != 2 || linalgOp.getNumDpsInits() != 1)
    return std::nullopt;
  product.a = linalgOp.getDpsInputOperand(0)->get();
  product.b = linalgOp.getDpsInputOperand(1)->get();
  product.c = linalgOp.getDpsInitOperand(0)->get();
  if (!llvm::all_of(ValueRange{product.a, product.b, product.c},
                    [](Value v) { return hasUnitInnerStride(v.getType()); }))
    return std::nullopt;
  return product;
}

/// The static m, n, k of one product (one batch item), kDynamic if unknown.
std::array<int64_t, 3> staticSizes(const Product &product) {
  auto shape = [](Value v) { return cast<MemRefType>(v.getType()).getShape(); };
  ArrayRef<int64_t> a = shape(product.a), c = shape(product.c);
  size_t rank = c.size();
  return {c[rank - 2], c[rank - 1], a[rank - 1]};
}

/// Whether the pattern rewrites `op` given the threshold.
bool shouldRewrite(Operation *op, int64_t minFlops) {
  std::optional<Product> product = matchProduct(op);
  if (!product)
    return false;
  auto [m, n, k] = staticSizes(*product);
  if (ShapedType::isDynamic(m) || ShapedType::isDynamic(n) ||
      ShapedType::isDynamic(k))
    return true; // decided at run time
  return 2 * m * n * k >= minFlops;
}

/// A `linalg.fill` of 0.0 right before `op` into its output buffer, which
/// the call can replace by beta = 0.
linalg::FillOp getZeroFillBefore(Operation *op, Value output) {
  auto fill = dyn_cast_or_null<linalg::FillOp>(op->getPrevNode());
  if (!fill || fill.getOutputs().size() != 1 || fill.getOutputs()[0] != output)
    return nullptr;
  FloatAttr value;
  if (!matchPattern(fill.getInputs()[0], m_Constant(&value)) ||
      !value.getValue().isZero())
    return nullptr;
  return fill;
}

/// A matrix operand as the call sees it: the byte address of its first
/// element and its strides in elements.
struct MatrixRef {
  OpFoldResult address; // index
  OpFoldResult batchStrideBytes, rowStride;
};

/// Index arithmetic that folds what is known at compile time, so that
/// static products get constants instead of chains of arith ops.
class IndexMath {
public:
  IndexMath(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  OpFoldResult constant(int64_t value) { return b.getIndexAttr(value); }

  Value value(OpFoldResult x) {
    return getValueOrCreateConstantIndexOp(b, loc, x);
  }

  OpFoldResult mul(OpFoldResult x, OpFoldResult y) {
    return combine<arith::MulIOp>(x, y,
                                  [](int64_t p, int64_t q) { return p * q; });
  }
  OpFoldResult add(OpFoldResult x, OpFoldResult y) {
    return combine<arith::AddIOp>(x, y,
                                  [](int64_t p, int64_t q) { return p + q; });
  }
  OpFoldResult max(OpFoldResult x, OpFoldResult y) {
    return combine<arith::MaxSIOp>(
        x, y, [](int64_t p, int64_t q) { return std::max(p, q); });
  }

  /// `x` as an i64 value (one constant op per known value).
  Value toI64(OpFoldResult x) {
    std::optional<int64_t> known = getConstantIntValue(x);
    if (!known)
      return b.create<arith::IndexCastOp>(loc, b.getI64Type(), value(x));
    Value &constant = i64Constants[*known];
    if (!constant)
      constant = b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(*known));
    return constant;
  }

private:
  template <typename OpT>
  OpFoldResult combine(OpFoldResult x, OpFoldResult y,
                       function_ref<int64_t(int64_t, int64_t)> fold) {
    std::optional<int64_t> cx = getConstantIntValue(x),
                           cy = getConstantIntValue(y);
    if (cx && cy)
      return b.getIndexAttr(fold(*cx, *cy));
    return b.create<OpT>(loc, value(x), value(y)).getResult();
  }

  OpBuilder &b;
  Location loc;
  llvm::DenseMap<int64_t, Value> i64Constants;
};

class MatmulToBlasPattern : public OpInterfaceRewritePattern<linalg::LinalgOp> {
public:
  MatmulToBlasPattern(MLIRContext *ctx, int64_t minFlops)
      : OpInterfaceRewritePattern(ctx), minFlops(minFlops) {}

  LogicalResult matchAndRewrite(linalg::LinalgOp linalgOp,
                                PatternRewriter &rewriter) const override {
    Operation *op = linalgOp.getOperation();
    if (!shouldRewrite(op, minFlops))
      return rewriter.notifyMatchFailure(op, "not a BLAS candidate");
    Product product = *matchProduct(op);
    Location loc = op->getLoc();
    linalg::FillOp zeroFill = getZeroFillBefore(op, product.c);

    auto [sm, sn, sk] = staticSizes(product);
    bool isStatic = !ShapedType::isDynamic(sm) && !ShapedType::isDynamic(sn) &&
                    !ShapedType::isDynamic(sk);
    rewriter.setInsertionPoint(zeroFill ? zeroFill.getOperation() : op);
    // Flop counts are never negative: with min-flops=0 no choice is left.
    if (isStatic || minFlops == 0) {
      emitCalls(rewriter, loc, product, /*beta=*/zeroFill ? 0.0f : 1.0f);
    } else {
      // 2*m*n*k >= minFlops decides at run time between BLAS and loops.
      IndexMath math(rewriter, loc);
      auto [m, n, k] = getSizes(rewriter, loc, product);
      OpFoldResult flops =
          math.mul(math.constant(2), math.mul(m, math.mul(n, k)));
      Value large = rewriter.create<arith::CmpIOp>(
          loc, arith::CmpIPredicate::sge, math.value(flops),
          rewriter.create<arith::ConstantIndexOp>(loc, minFlops));
      auto choice = rewriter.create<scf::IfOp>(loc, large, /*withElse=*/true);
      rewriter.setInsertionPointToStart(choice.thenBlock());
      emitCalls(rewriter, loc, product, zeroFill ? 0.0f : 1.0f);
      rewriter.setInsertionPointToStart(choice.elseBlock());
      if (zeroFill)
        rewriter.clone(*zeroFill);
      Operation *fallback = rewriter.clone(*op);
      fallback->setAttr(kFallbackAttr, rewriter.getUnitAttr());
    }
    if (zeroFill)
      rewriter.eraseOp(zeroFill);
    rewriter.eraseOp(op);
    return success();
  }

private:
  /// m, n and k of one product.
  static std::array<OpFoldResult, 3> getSizes(OpBuilder &b, Location loc,
                                              const Product &product) {
    int64_t rank = cast<MemRefType>(product.c.getType()).getRank();
    return {memref::getMixedSize(b, loc, product.c, rank - 2),
            memref::getMixedSize(b, loc, product.c, rank - 1),
            memref::getMixedSize(b, loc, product.a, rank - 1)};
  }

  /// The address and strides of `matrix` (rank 2, or 3 when batched); what
  /// the type knows statically stays a constant, the rest is read with
  /// memref.extract_strided_metadata.
  static MatrixRef describe(OpBuilder &b, Location loc, Value matrix) {
    IndexMath math(b, loc);
    auto type = cast<MemRefType>(matrix.getType());
    auto [strides, offset] = getStridesAndOffset(type);
    memref::ExtractStridedMetadataOp meta;
    auto known = [&](int64_t value,
                     function_ref<Value()> read) -> OpFoldResult {
      if (!ShapedType::isDynamic(value))
        return math.constant(value);
      if (!meta)
        meta = b.create<memref::ExtractStridedMetadataOp>(loc, matrix);
      return read();
    };
    size_t rank = strides.size();
    MatrixRef ref;
    ref.rowStride =
        known(strides[rank - 2], [&] { return meta.getStrides()[rank - 2]; });
    if (rank == 3)
      ref.batchStrideBytes =
          math.mul(known(strides[0], [&] { return meta.getStrides()[0]; }),
                   math.constant(sizeof(float)));
    OpFoldResult elements = known(offset, [&] { return meta.getOffset(); });
    Value aligned =
        b.create<memref::ExtractAlignedPointerAsIndexOp>(loc, matrix);
    ref.address = aligned;
    if (getConstantIntValue(elements) != 0)
      ref.address =
          math.add(aligned, math.mul(elements, math.constant(sizeof(float))));
    return ref;
  }

  /// A pointer to item `index` of `ref` (the matrix itself when not batched).
  static Value pointerTo(OpBuilder &b, Location loc, const MatrixRef &ref,
                         Value index) {
    IndexMath math(b, loc);
    OpFoldResult address = ref.address;
    if (index)
      address = math.add(address, math.mul(index, ref.batchStrideBytes));
    return b.create<LLVM::IntToPtrOp>(
        loc, LLVM::LLVMPointerType::get(b.getContext()), math.toI64(address));
  }

  /// A leading dimension for BLAS: the row stride, but at least the row
  /// length and 1 (a one-row view may carry any stride).
  static Value leadingDim(IndexMath &math, OpFoldResult rowStride,
                          OpFoldResult rowLength) {
    return math.toI64(
        math.max(rowStride, math.max(rowLength, math.constant(1))));
  }

  /// The calls of attnrt_sgemm for `product`: one, or a loop over the batch.
  static void emitCalls(OpBuilder &b, Location loc, const Product &product,
                        float beta) {
    IndexMath math(b, loc);
    auto [m, n, k] = getSizes(b, loc, product);
    MatrixRef a = describe(b, loc, product.a), bm = describe(b, loc, product.b),
              c = describe(b, loc, product.c);
    auto i32 = [&](int32_t value) -> Value {
      return b.create<arith::ConstantOp>(loc, b.getI32IntegerAttr(value));
    };
    auto f32 = [&](float value) -> Value {
      return b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(value));
    };
    Value notTransposed = i32(0);
    Value transB = product.transposeB ? i32(1) : notTransposed;
    Value m64 = math.toI64(m), n64 = math.toI64(n), k64 = math.toI64(k);
    Value lda = leadingDim(math, a.rowStride, k);
    Value ldb = leadingDim(math, bm.rowStride, product.transposeB ? k : n);
    Value ldc = leadingDim(math, c.rowStride, n);
    Value alpha = f32(1.0f);
    Value betaValue = beta == 1.0f ? alpha : f32(beta);

    auto call = [&](OpBuilder &cb, Value index) {
      cb.create<func::CallOp>(loc, kSgemmName, TypeRange{},
                              ValueRange{notTransposed, transB, m64, n64, k64,
                                         alpha, pointerTo(cb, loc, a, index),
                                         lda, pointerTo(cb, loc, bm, index),
                                         ldb, betaValue,
                                         pointerTo(cb, loc, c, index), ldc});
    };
    if (!product.batched)
      return call(b, Value());
    Value zero = b.create<arith::ConstantIndexOp>(loc, 0);
    Value one = b.create<arith::ConstantIndexOp>(loc, 1);
    Value batch = math.value(memref::getMixedSize(b, loc, product.c, 0));
    b.create<scf::ForOp>(loc, zero, batch, one, ValueRange{},
                         [&](OpBuilder &lb, Location, Value index, ValueRange) {
                           call(lb, index);
                           lb.create<scf::YieldOp>(loc);
                         });
  }

  int64_t minFlops;
};

struct AttnMatmulToBlasPass
    : attn::impl::AttnMatmulToBlasBase<AttnMatmulToBlasPass> {
  using AttnMatmulToBlasBase::AttnMatmulToBlasBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (minFlops < 0) {
      module.emitError() << "attn-matmul-to-blas: min-flops must be >= 0, got "
                         << static_cast<int64_t>(minFlops);
      return signalPassFailure();
    }
    SmallVector<Operation *> candidates;
    module.walk([&](linalg::LinalgOp op) {
      if (shouldRewrite(op, minFlops))
        candidates.push_back(op);
    });
    if (candidates.empty())
      return;
    if (failed(declareSgemm(module)))
      return signalPassFailure();

    RewritePatternSet patterns(&getContext());
    populateMatmulToBlasPatterns(patterns, minFlops);
    GreedyRewriteConfig config;
    config.strictMode = GreedyRewriteStrictness::ExistingOps;
    if (failed(applyOpPatternsAndFold(candidates, std::move(patterns), config)))
      signalPassFailure();
  }

  /// Declares attnrt_sgemm once, or checks an existing declaration.
  static LogicalResult declareSgemm(ModuleOp module) {
    FunctionType type = getSgemmType(module.getContext());
    if (Operation *existing = module.lookupSymbol(kSgemmName)) {
      auto func = dyn_cast<func::FuncOp>(existing);
      if (func && func.getFunctionType() == type)
        return success();
      return existing->emitError()
             << "'" << kSgemmName
             << "' is already defined with another type than the runtime's "
             << type;
    }
    OpBuilder b(module.getBodyRegion());
    auto func = b.create<func::FuncOp>(module.getLoc(), kSgemmName, type);
    func.setPrivate();
    return success();
  }
};

} // namespace

void mlir::attn::populateMatmulToBlasPatterns(RewritePatternSet &patterns,
                                              int64_t minFlops) {
  patterns.add<MatmulToBlasPattern>(patterns.getContext(), minFlops);
}
