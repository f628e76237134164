//===- MatmulToBlas.cpp - Bufferized f32 products to attnrt BLAS calls ----===//
//
// Matmuls become calls of attnrt_sgemm, matrix-vector products (matvec,
// vecmat) calls of attnrt_sgemv. The why (threshold, beta, the run-time
// choice, sgemv rather than sgemm with n = 1) is in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "interface/RuntimeFunctions.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
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

/// The runtime's entry points, named and typed by the one table of
/// interface/RuntimeFunctions.def.
StringRef sgemmName() {
  return getRuntimeFunctionName(RuntimeFunction::attnrt_sgemm);
}
StringRef sgemvName() {
  return getRuntimeFunctionName(RuntimeFunction::attnrt_sgemv);
}

/// The strides of `type` when it is an f32 memref with a strided layout.
std::optional<SmallVector<int64_t>> getF32Strides(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref || !memref.getElementType().isF32())
    return std::nullopt;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(getStridesAndOffset(memref, strides, offset)))
    return std::nullopt;
  return strides;
}

/// Whether `type` is an f32 memref whose innermost stride is statically 1.
bool hasUnitInnerStride(Type type) {
  std::optional<SmallVector<int64_t>> strides = getF32Strides(type);
  return strides && !strides->empty() && strides->back() == 1;
}

/// Whether `type` is an f32 vector (rank 1) whose stride is static and at
/// least 1: BLAS's increment. Dynamic strides could be 0 or negative, which
/// the increment cannot express the same way.
bool isBlasVector(Type type) {
  std::optional<SmallVector<int64_t>> strides = getF32Strides(type);
  return strides && strides->size() == 1 &&
         !ShapedType::isDynamic(strides->front()) && strides->front() >= 1;
}

/// What the pattern needs to know about one product.
struct Product {
  /// Gemm: a matmul of one of the four kinds, C = A op(B) (+ batch).
  /// Gemv: y = op(A) x, A the stored matrix [rows, cols], x in `b`, y in `c`.
  enum class Kind { Gemm, Gemv } kind = Kind::Gemm;
  bool batched = false;
  bool transposeB = false; // Gemm: B is [n, k]
  bool transposeA = false; // Gemv: vecmat, y = A^T x
  Value a, b, c;
};

/// The product `op` computes when it is a candidate: an f32 matmul of one of
/// the four kinds with unit inner strides, or an f32 matvec/vecmat whose
/// matrix has a unit inner stride and whose vectors have static positive
/// strides; on memrefs, not a fallback.
std::optional<Product> matchProduct(Operation *op) {
  Product product;
  if (isa<linalg::MatmulOp>(op)) {
  } else if (isa<linalg::MatmulTransposeBOp>(op)) {
    product.transposeB = true;
  } else if (isa<linalg::BatchMatmulOp>(op)) {
    product.batched = true;
  } else if (isa<linalg::BatchMatmulTransposeBOp>(op)) {
    product.batched = product.transposeB = true;
  } else if (isa<linalg::MatvecOp>(op)) {
    product.kind = Product::Kind::Gemv;
  } else if (isa<linalg::VecmatOp>(op)) {
    product.kind = Product::Kind::Gemv;
    product.transposeA = true;
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
  if (product.kind == Product::Kind::Gemm) {
    if (!llvm::all_of(ValueRange{product.a, product.b, product.c},
                      [](Value v) { return hasUnitInnerStride(v.getType()); }))
      return std::nullopt;
    return product;
  }
  // vecmat's operands are (x, A): keep the matrix in `a`.
  if (product.transposeA)
    std::swap(product.a, product.b);
  if (!hasUnitInnerStride(product.a.getType()) ||
      !isBlasVector(product.b.getType()) || !isBlasVector(product.c.getType()))
    return std::nullopt;
  return product;
}

/// The static sizes whose product, times 2, is the flop count of one
/// product (one batch item): m, n, k of a matmul, the stored matrix's rows
/// and columns of a matrix-vector product; kDynamic if unknown.
SmallVector<int64_t> staticSizes(const Product &product) {
  auto shape = [](Value v) { return cast<MemRefType>(v.getType()).getShape(); };
  ArrayRef<int64_t> a = shape(product.a), c = shape(product.c);
  if (product.kind == Product::Kind::Gemv)
    return {a[0], a[1]};
  size_t rank = c.size();
  return {c[rank - 2], c[rank - 1], a[rank - 1]};
}

/// Whether the pattern rewrites `op` given the threshold.
bool shouldRewrite(Operation *op, int64_t minFlops) {
  std::optional<Product> product = matchProduct(op);
  if (!product)
    return false;
  int64_t flops = 2;
  for (int64_t size : staticSizes(*product)) {
    if (ShapedType::isDynamic(size))
      return true; // decided at run time
    flops *= size;
  }
  return flops >= minFlops;
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

/// A matrix or vector operand as the call sees it: the byte address of its
/// first element and its strides in elements.
struct MatrixRef {
  OpFoldResult address; // index
  OpFoldResult batchStrideBytes, rowStride;
  OpFoldResult innerStride; // rank 1: the vector's increment
};

/// Index arithmetic as an affine.apply of `expr` (symbols s0, s1, ... for
/// `operands`), folded by upstream where operands are known, so that static
/// products get constants instead of chains of ops; lower-affine expands
/// what is left later in the pipeline.
OpFoldResult apply(OpBuilder &b, Location loc, AffineExpr expr,
                   ArrayRef<OpFoldResult> operands) {
  return affine::makeComposedFoldedAffineApply(b, loc, expr, operands);
}

/// Index values as the i64 arguments of a call, one constant op per known
/// value.
class I64Args {
public:
  I64Args(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  Value operator()(OpFoldResult x) {
    std::optional<int64_t> known = getConstantIntValue(x);
    if (!known)
      return b.create<arith::IndexCastOp>(
          loc, b.getI64Type(), getValueOrCreateConstantIndexOp(b, loc, x));
    Value &constant = constants[*known];
    if (!constant)
      constant = b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(*known));
    return constant;
  }

private:
  OpBuilder &b;
  Location loc;
  llvm::DenseMap<int64_t, Value> constants;
};

/// The contraction the frontend builds for products with leading axes
/// (frontend/MLIRGen.cpp, emitContraction), on buffers:
///   C[b..., m..., n] += A[b..., m..., k] * B[b..., k, n]   (or B[b..., n, k])
/// rewritten into a matmul (no b) or batch_matmul of views that collapse the
/// b axes into one and the m axes into one, which the pattern below sends to
/// BLAS. Left alone when a view would not be contiguous.
LogicalResult collapseContraction(RewriterBase &rewriter,
                                  linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op))
    return failure();
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->k.size() != 1 || dims->n.size() != 1 ||
      dims->m.empty())
    return failure();
  unsigned loops = op.getNumLoops(), batch = dims->batch.size(),
           rows = dims->m.size();
  // The loops in the order batch, rows, n, k, and the maps of that form.
  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> mapA, mapB, mapC;
  for (unsigned i = 0; i < batch + rows; ++i) {
    mapA.push_back(d(i));
    mapC.push_back(d(i));
    if (i < batch)
      mapB.push_back(d(i));
  }
  AffineExpr n = d(loops - 2), k = d(loops - 1);
  mapA.push_back(k);
  mapC.push_back(n);
  SmallVector<AffineExpr> mapBT = mapB;
  mapB.append({k, n});
  mapBT.append({n, k});
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[0] != AffineMap::get(loops, 0, mapA, ctx) ||
      maps[2] != AffineMap::get(loops, 0, mapC, ctx))
    return failure();
  bool transposeB = maps[1] == AffineMap::get(loops, 0, mapBT, ctx);
  if (!transposeB && maps[1] != AffineMap::get(loops, 0, mapB, ctx))
    return failure();
  if (!llvm::all_of(op->getOperandTypes(), [](Type type) {
        return cast<MemRefType>(type).getElementType().isF32();
      }))
    return failure();

  // Groups: the batch axes, then the rows (A and C only), then one per axis.
  auto groups = [&](unsigned rank, bool hasRows) {
    SmallVector<ReassociationIndices> result;
    int64_t axis = 0;
    auto group = [&](int64_t size) {
      ReassociationIndices &indices = result.emplace_back();
      for (int64_t end = axis + size; axis < end; ++axis)
        indices.push_back(axis);
    };
    if (batch)
      group(batch);
    if (hasRows)
      group(rows);
    while (axis < int64_t(rank))
      group(1);
    return result;
  };
  Value a = op.getDpsInputOperand(0)->get(), b = op.getDpsInputOperand(1)->get(),
        c = op.getDpsInitOperand(0)->get();
  SmallVector<ReassociationIndices> groupsA =
      groups(cast<MemRefType>(a.getType()).getRank(), true);
  SmallVector<ReassociationIndices> groupsB =
      groups(cast<MemRefType>(b.getType()).getRank(), false);
  SmallVector<ReassociationIndices> groupsC =
      groups(cast<MemRefType>(c.getType()).getRank(), true);
  for (auto [value, reassociation] :
       {std::make_pair(a, &groupsA), std::make_pair(b, &groupsB),
        std::make_pair(c, &groupsC)})
    if (!memref::CollapseShapeOp::isGuaranteedCollapsible(
            cast<MemRefType>(value.getType()), *reassociation))
      return failure();

  // A zero fill of C right before the product keeps working on the view,
  // so that it still becomes beta = 0.
  auto fill = dyn_cast_or_null<linalg::FillOp>(op->getPrevNode());
  if (fill && (fill.getOutputs().size() != 1 || fill.getOutputs()[0] != c))
    fill = nullptr;
  rewriter.setInsertionPoint(fill ? fill.getOperation() : op.getOperation());
  Location loc = op.getLoc();
  auto collapse = [&](Value value,
                      ArrayRef<ReassociationIndices> reassociation) -> Value {
    if (reassociation.size() ==
        size_t(cast<MemRefType>(value.getType()).getRank()))
      return value;
    return rewriter.create<memref::CollapseShapeOp>(loc, value, reassociation);
  };
  Value inputs[] = {collapse(a, groupsA), collapse(b, groupsB)};
  Value output = collapse(c, groupsC);
  if (fill)
    rewriter.modifyOpInPlace(fill,
                             [&] { fill.getOutputsMutable()[0].set(output); });
  rewriter.setInsertionPoint(op);
  if (batch && transposeB)
    rewriter.create<linalg::BatchMatmulTransposeBOp>(loc, inputs, output);
  else if (batch)
    rewriter.create<linalg::BatchMatmulOp>(loc, inputs, output);
  else if (transposeB)
    rewriter.create<linalg::MatmulTransposeBOp>(loc, inputs, output);
  else
    rewriter.create<linalg::MatmulOp>(loc, inputs, output);
  rewriter.eraseOp(op);
  return success();
}

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

    bool isStatic = llvm::none_of(staticSizes(product), ShapedType::isDynamic);
    rewriter.setInsertionPoint(zeroFill ? zeroFill.getOperation() : op);
    // Flop counts are never negative: with min-flops=0 no choice is left.
    if (isStatic || minFlops == 0) {
      emitCalls(rewriter, loc, product, /*beta=*/zeroFill ? 0.0f : 1.0f);
    } else {
      // 2 * (product of the sizes) >= minFlops decides at run time between
      // BLAS and loops.
      SmallVector<OpFoldResult> sizes = getSizes(rewriter, loc, product);
      AffineExpr flops = rewriter.getAffineConstantExpr(2);
      for (unsigned i = 0, e = sizes.size(); i < e; ++i)
        flops = flops * rewriter.getAffineSymbolExpr(i);
      Value count = getValueOrCreateConstantIndexOp(
          rewriter, loc, apply(rewriter, loc, flops, sizes));
      Value threshold = rewriter.create<arith::ConstantIndexOp>(loc, minFlops);
      Value large = rewriter.create<arith::CmpIOp>(
          loc, arith::CmpIPredicate::sge, count, threshold);
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
  /// m, n and k of one matmul; rows and columns of the stored matrix of a
  /// matrix-vector product.
  static SmallVector<OpFoldResult> getSizes(OpBuilder &b, Location loc,
                                            const Product &product) {
    if (product.kind == Product::Kind::Gemv)
      return {memref::getMixedSize(b, loc, product.a, 0),
              memref::getMixedSize(b, loc, product.a, 1)};
    int64_t rank = cast<MemRefType>(product.c.getType()).getRank();
    return {memref::getMixedSize(b, loc, product.c, rank - 2),
            memref::getMixedSize(b, loc, product.c, rank - 1),
            memref::getMixedSize(b, loc, product.a, rank - 1)};
  }

  /// The address and strides of `operand` (a vector, a matrix, or a batch of
  /// matrices); what the type knows statically stays a constant, the rest is
  /// read with memref.extract_strided_metadata.
  static MatrixRef describe(OpBuilder &b, Location loc, Value operand) {
    auto type = cast<MemRefType>(operand.getType());
    auto [strides, offset] = getStridesAndOffset(type);
    memref::ExtractStridedMetadataOp meta;
    auto known = [&](int64_t value,
                     function_ref<Value()> read) -> OpFoldResult {
      if (!ShapedType::isDynamic(value))
        return b.getIndexAttr(value);
      if (!meta)
        meta = b.create<memref::ExtractStridedMetadataOp>(loc, operand);
      return read();
    };
    size_t rank = strides.size();
    MatrixRef ref;
    ref.innerStride =
        known(strides[rank - 1], [&] { return meta.getStrides()[rank - 1]; });
    if (rank >= 2)
      ref.rowStride =
          known(strides[rank - 2], [&] { return meta.getStrides()[rank - 2]; });
    AffineExpr s0 = b.getAffineSymbolExpr(0), s1 = b.getAffineSymbolExpr(1);
    if (rank == 3)
      ref.batchStrideBytes =
          apply(b, loc, s0 * sizeof(float),
                known(strides[0], [&] { return meta.getStrides()[0]; }));
    OpFoldResult elements = known(offset, [&] { return meta.getOffset(); });
    Value aligned =
        b.create<memref::ExtractAlignedPointerAsIndexOp>(loc, operand);
    ref.address = aligned;
    if (getConstantIntValue(elements) != 0)
      ref.address = apply(b, loc, s0 + s1 * sizeof(float), {aligned, elements});
    return ref;
  }

  /// A pointer to item `index` of `ref` (the matrix itself when not batched).
  static Value pointerTo(OpBuilder &b, Location loc, const MatrixRef &ref,
                         Value index) {
    OpFoldResult address = ref.address;
    if (index) {
      AffineExpr s0, s1, s2;
      bindSymbols(b.getContext(), s0, s1, s2);
      address =
          apply(b, loc, s0 + s1 * s2, {address, index, ref.batchStrideBytes});
    }
    return b.create<LLVM::IntToPtrOp>(
        loc, LLVM::LLVMPointerType::get(b.getContext()),
        I64Args(b, loc)(address));
  }

  /// A leading dimension for BLAS: the row stride, but at least the row
  /// length and 1 (a one-row view may carry any stride).
  static Value leadingDim(OpBuilder &b, Location loc, I64Args &i64,
                          OpFoldResult rowStride, OpFoldResult rowLength) {
    AffineExpr s0, s1;
    bindSymbols(b.getContext(), s0, s1);
    AffineMap largest = AffineMap::get(
        0, 2, {s0, s1, b.getAffineConstantExpr(1)}, b.getContext());
    return i64(affine::makeComposedFoldedAffineMax(b, loc, largest,
                                                   {rowStride, rowLength}));
  }

  static void emitCalls(OpBuilder &b, Location loc, const Product &product,
                        float beta) {
    if (product.kind == Product::Kind::Gemv)
      return emitGemvCall(b, loc, product, beta);
    emitGemmCalls(b, loc, product, beta);
  }

  /// The call of attnrt_sgemv for a matvec (y = A x) or vecmat (y = A^T x).
  static void emitGemvCall(OpBuilder &b, Location loc, const Product &product,
                           float beta) {
    I64Args i64(b, loc);
    SmallVector<OpFoldResult> sizes = getSizes(b, loc, product);
    MatrixRef a = describe(b, loc, product.a), x = describe(b, loc, product.b),
              y = describe(b, loc, product.c);
    Value trans = b.create<arith::ConstantOp>(
        loc, b.getI32IntegerAttr(product.transposeA ? 1 : 0));
    Value rows = i64(sizes[0]), cols = i64(sizes[1]);
    Value lda = leadingDim(b, loc, i64, a.rowStride, sizes[1]);
    // Static and >= 1 (isBlasVector).
    Value incx = i64(x.innerStride), incy = i64(y.innerStride);
    Value alpha = b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(1.0f));
    Value betaValue =
        beta == 1.0f
            ? alpha
            : b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(beta));
    b.create<func::CallOp>(
        loc, sgemvName(), TypeRange{},
        ValueRange{trans, rows, cols, alpha, pointerTo(b, loc, a, Value()), lda,
                   pointerTo(b, loc, x, Value()), incx, betaValue,
                   pointerTo(b, loc, y, Value()), incy});
  }

  /// The calls of attnrt_sgemm for `product`: one, or a loop over the batch.
  static void emitGemmCalls(OpBuilder &b, Location loc, const Product &product,
                            float beta) {
    I64Args i64(b, loc);
    SmallVector<OpFoldResult> sizes = getSizes(b, loc, product);
    OpFoldResult m = sizes[0], n = sizes[1], k = sizes[2];
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
    Value m64 = i64(m), n64 = i64(n), k64 = i64(k);
    Value lda = leadingDim(b, loc, i64, a.rowStride, k);
    Value ldb =
        leadingDim(b, loc, i64, bm.rowStride, product.transposeB ? k : n);
    Value ldc = leadingDim(b, loc, i64, c.rowStride, n);
    Value alpha = f32(1.0f);
    Value betaValue = beta == 1.0f ? alpha : f32(beta);

    auto call = [&](OpBuilder &cb, Value index) {
      cb.create<func::CallOp>(loc, sgemmName(), TypeRange{},
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
    Value batch = getValueOrCreateConstantIndexOp(
        b, loc, memref::getMixedSize(b, loc, product.c, 0));
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
    IRRewriter rewriter(module.getContext());
    SmallVector<linalg::GenericOp> generics;
    module.walk([&](linalg::GenericOp op) { generics.push_back(op); });
    for (linalg::GenericOp op : generics)
      (void)collapseContraction(rewriter, op);

    SmallVector<Operation *> candidates;
    bool needsSgemm = false, needsSgemv = false;
    module.walk([&](linalg::LinalgOp op) {
      if (!shouldRewrite(op, minFlops))
        return;
      candidates.push_back(op);
      bool gemv = matchProduct(op)->kind == Product::Kind::Gemv;
      needsSgemv |= gemv;
      needsSgemm |= !gemv;
    });
    if (candidates.empty())
      return;
    MLIRContext *ctx = module.getContext();
    if ((needsSgemm &&
         failed(declare(module, sgemmName(),
                        getRuntimeFunctionType(
                            ctx, RuntimeFunction::attnrt_sgemm)))) ||
        (needsSgemv &&
         failed(declare(module, sgemvName(),
                        getRuntimeFunctionType(
                            ctx, RuntimeFunction::attnrt_sgemv)))))
      return signalPassFailure();

    RewritePatternSet patterns(&getContext());
    populateMatmulToBlasPatterns(patterns, minFlops);
    GreedyRewriteConfig config;
    config.strictMode = GreedyRewriteStrictness::ExistingOps;
    if (failed(applyOpPatternsAndFold(candidates, std::move(patterns), config)))
      signalPassFailure();
  }

  /// Declares the runtime function `name` once, or checks an existing
  /// declaration.
  static LogicalResult declare(ModuleOp module, StringRef name,
                               FunctionType type) {
    if (Operation *existing = module.lookupSymbol(name)) {
      auto func = dyn_cast<func::FuncOp>(existing);
      if (func && func.getFunctionType() == type)
        return success();
      return existing->emitError()
             << "'" << name
             << "' is already defined with another type than the runtime's "
             << type;
    }
    OpBuilder b(module.getBodyRegion());
    auto func = b.create<func::FuncOp>(module.getLoc(), name, type);
    func.setPrivate();
    return success();
  }
};

} // namespace

void mlir::attn::populateMatmulToBlasPatterns(RewritePatternSet &patterns,
                                              int64_t minFlops) {
  patterns.add<MatmulToBlasPattern>(patterns.getContext(), minFlops);
}
