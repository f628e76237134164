//===- Tile.h - attn-tile's builder of flash-style loops --------*- C++ -*-===//
//
// attn-tile rewrites an attn.attention into an scf.forall over (group, head,
// query block) with an online softmax over key blocks; Passes.td (AttnTile)
// and docs/PASSES.md describe the loops. The builder's jobs are in three
// files: TileGeometry.cpp (views, the per-op precomputation and which keys a
// query block visits), TileSoftmax.cpp (one online-softmax step, the final
// normalization and the weights pass) and Tile.cpp (the loop nest and the
// pass).
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_PASSES_TILE_H
#define ATTNC_PASSES_TILE_H

#include "passes/AttentionBuilder.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::attn {

/// Everything the loop body reads, as [G, rows, heads, d] views (G: the
/// batch dims flattened, one group without batch dims).
struct TiledOperands {
  /// The queries and keys after the per-op work, and the cosine norms
  /// ([G, rows, heads]).
  ScoreInputs score;
  Value values;
  /// The keys are one [1, Nk, 1, d] matrix for every group and head
  /// (location: the rows of W).
  bool sharedKeys = false;
  /// Padding lengths: [G, N] per query, or [Gl] per sequence where group g
  /// reads entry g floordiv `groupsPerLength`.
  Value lengths;
  bool perQueryLengths = false;
  Value groupsPerLength;
};

/// Where one query block is and which keys it visits.
struct QueryBlock {
  Value g, h, q0, rows;
  Value query;        // [rows, dq'] (additive: W q)
  Value queryNorms;   // cosine: [rows]
  Value lengths;      // per-query padding lengths [rows]
  Value keyStart;     // first key visited
  Value keyEnd;       // one past the last key visited
  Value numKeyBlocks; // blocks from keyStart, keyBlock keys each
  Value numUnmasked;  // leading blocks no mask cuts into
};

/// Builds the tiled loops of one attn.attention.
class TileBuilder : public AttentionBuilder {
public:
  TileBuilder(OpBuilder &builder, Location loc, AttentionOp op,
              int64_t queryBlock, int64_t keyBlock)
      : AttentionBuilder(builder, loc), op(op), mask(op.getMaskSpec()),
        queryBlock(queryBlock), keyBlock(keyBlock), heads(op.getHeads()),
        numBatch(op.getKeys().getType().getRank() - 2) {}

  /// The op's results, computed by the tiled loops (Tile.cpp).
  SmallVector<Value> build();

private:
  //===--------------------------------------------------------------------===//
  // Index arithmetic, folded as it is built
  //===--------------------------------------------------------------------===//

  Value index(int64_t value) {
    return b.create<arith::ConstantIndexOp>(loc, value);
  }
  /// OpT of x and y, or its folded value (a constant, x itself, ...).
  template <typename OpT> Value fold(Value x, Value y) {
    return b.createOrFold<OpT>(loc, x, y);
  }
  Value add(Value x, Value y) { return fold<arith::AddIOp>(x, y); }
  Value sub(Value x, Value y) { return fold<arith::SubIOp>(x, y); }
  Value mul(Value x, Value y) { return fold<arith::MulIOp>(x, y); }
  Value div(Value x, Value y) { return fold<arith::DivUIOp>(x, y); }
  Value rem(Value x, Value y) { return fold<arith::RemUIOp>(x, y); }
  Value min(Value x, Value y) { return fold<arith::MinSIOp>(x, y); }
  Value max(Value x, Value y) { return fold<arith::MaxSIOp>(x, y); }
  /// ceil(x / size) for x >= 0, as an affine.apply that lower-affine
  /// expands. Not arith.ceildivui: MLIR 19's convert-arith-to-llvm leaves it
  /// alone, and arith-expand, which lowers it, also rewrites every
  /// arith.maximumf of the softmax into compares and selects.
  Value ceilDiv(Value x, int64_t size) {
    AffineExpr s0 = b.getAffineSymbolExpr(0);
    return getValueOrCreateConstantIndexOp(
        b, loc,
        affine::makeComposedFoldedAffineApply(b, loc, s0.ceilDiv(size), {x}));
  }
  Value dim(Value tensor, int64_t d) {
    return getValueOrCreateConstantIndexOp(b, loc, size(tensor, d));
  }
  Value toIndex(Value value) {
    if (value.getType().isIndex())
      return value;
    return b.create<arith::IndexCastOp>(loc, b.getIndexType(), value);
  }

  //===--------------------------------------------------------------------===//
  // Views and the per-op work (TileGeometry.cpp)
  //===--------------------------------------------------------------------===//

  /// [B..., rows, heads*d] -> [G, rows, heads, d].
  Value groupView(Value tensor);

  /// [G, x, y, z] -> the declared type of a result, whose leading dims are
  /// the batch dims (`batchSizes`) followed by `[x, y*z]` (`mergeTail`) or
  /// by `[x, y, z]` with x = 1 dropped (the weights of one head).
  Value ungroup(Value grouped, bool mergeTail, bool dropUnitSecond,
                Type declared);

  /// slice[g, row0, h, 0] of sizes [1, rows, 1, width], as [rows, width].
  Value rowBlock(Value grouped, Value g, Value row0, Value rows, Value h);

  /// slice[g, row0, h] of sizes [1, rows, 1] of a [G, rows, heads] tensor.
  Value vectorBlock(Value grouped, Value g, Value row0, Value rows, Value h);

  /// A 2-D [rows, cols] slice at (row0, col0) of a 2-D tensor.
  Value slice2D(Value tensor, Value row0, Value col0, Value rows, Value cols);

  /// `source` inserted into a 2-D `dest` at (row0, col0).
  Value insert2D(Value source, Value dest, Value row0, Value col0);

  /// The operands as views, after the work done once per op.
  TiledOperands prepare();

  /// The padding lengths as the loops read them (TiledOperands::lengths).
  void prepareLengths(TiledOperands &in);

  //===--------------------------------------------------------------------===//
  // Block geometry (TileGeometry.cpp)
  //===--------------------------------------------------------------------===//

  /// Query block `qb` of group `g`, head `h`: its rows, the keys it visits
  /// and how many leading key blocks need no mask test.
  QueryBlock locateQueryBlock(const TiledOperands &in, Value g, Value h,
                              Value qb);

  /// Key block t of `block`: its first key and its number of keys.
  std::pair<Value, Value> keyBlockAt(const QueryBlock &block, Value t);

  //===--------------------------------------------------------------------===//
  // The online softmax (TileSoftmax.cpp)
  //===--------------------------------------------------------------------===//

  /// The scores of `block`'s queries against keys [k0, k0 + cols), written
  /// into `scratch` ([rows, cols], contents ignored).
  Value tileScores(const TiledOperands &in, const QueryBlock &block, Value k0,
                   Value cols, Value scratch);

  /// Whether key k0 + j is kept for query q0 + i, inside a generic over a
  /// [rows, cols] block; `length` is the per-query length or null.
  Value keep(OpBuilder &nb, Location nl, const QueryBlock &block, Value k0,
             Value length);

  /// One online-softmax step over the key block at k0: returns the new
  /// (max, sum, accumulator, scratch).
  SmallVector<Value> onlineStep(const TiledOperands &in,
                                const QueryBlock &block, Value k0, Value cols,
                                bool masked, ValueRange state);

  /// The output block: the accumulator divided by the sum, 0 for a query
  /// without any kept key.
  Value normalize(Value acc, Value rowSum);

  /// The normalized weights of the query block, [rows, Nk], in `dest`.
  Value blockWeights(const TiledOperands &in, const QueryBlock &block,
                     Value rowMax, Value rowSum, Value dest);

  /// The row maximum, or 0 where it is -inf (no key kept yet), so that
  /// exp(e - shift) never computes -inf - -inf.
  Value shiftFor(Value rowMax);

  /// `fn(row value, element)` over a [rows, cols] `tile`, in place, for a
  /// [rows] vector `perRow`.
  Value
  withRowValue(Value perRow, Value tile,
               function_ref<Value(OpBuilder &, Location, Value, Value)> fn);

  AttentionOp op;
  MaskSpec mask;
  int64_t queryBlock, keyBlock, heads, numBatch;
  SmallVector<OpFoldResult> batchSizes;
  Value numKeys; // M
};

} // namespace mlir::attn

#endif // ATTNC_PASSES_TILE_H
