//===- TileSoftmax.cpp - attn-tile: the online softmax over key blocks ----===//
//
// One step of FlashAttention's online softmax per key block, the final
// normalization of the output block and the second pass that writes the
// weights. All generics here are on a [rows, cols] tile or [rows] vectors.
//
//===----------------------------------------------------------------------===//

#include "passes/Tile.h"

#include <limits>

using namespace mlir;
using namespace mlir::attn;

static constexpr float kNegInf = -std::numeric_limits<float>::infinity();

static Value f32Constant(OpBuilder &nb, Location nl, float value) {
  return nb.create<arith::ConstantOp>(nl, nb.getF32FloatAttr(value));
}

Value TileBuilder::tileScores(const TiledOperands &in, const QueryBlock &block,
                              Value k0, Value cols, Value scratch) {
  Value g = in.sharedKeys ? index(0) : block.g;
  Value h = in.sharedKeys ? index(0) : block.h;
  Value keys = rowBlock(in.score.keys, g, k0, cols, h);
  Value keyNorms;
  if (in.score.keyNorms)
    keyNorms = vectorBlock(in.score.keyNorms, block.g, k0, cols, block.h);
  return blockScores(in.score, block.query, keys, block.queryNorms, keyNorms,
                     scratch);
}

Value TileBuilder::keep(OpBuilder &nb, Location nl, const QueryBlock &block,
                        Value k0, Value length) {
  if (mask.kind == MaskKind::none)
    return {};
  Value i;
  if (mask.usesQueryIndex())
    i = nb.create<arith::AddIOp>(nl, block.q0,
                                 nb.create<linalg::IndexOp>(nl, 0));
  Value j = nb.create<arith::AddIOp>(nl, k0, nb.create<linalg::IndexOp>(nl, 1));
  return keepKey(nb, nl, mask, i, j, length, /*center=*/Value());
}

Value TileBuilder::withRowValue(
    Value perRow, Value tile,
    function_ref<Value(OpBuilder &, Location, Value, Value)> fn) {
  AffineMap id = b.getMultiDimIdentityMap(2);
  return b
      .create<linalg::GenericOp>(
          loc, tile.getType(), ValueRange{perRow}, ValueRange{tile},
          ArrayRef<AffineMap>{rowMap(2), id},
          SmallVector<IteratorType>(2, IteratorType::parallel),
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            nb.create<linalg::YieldOp>(nl, fn(nb, nl, args[0], args[1]));
          })
      .getResult(0);
}

Value TileBuilder::shiftFor(Value rowMax) {
  return elementwise(rowMax, empty(sizes(rowMax)),
                     [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                       Value none = nb.create<arith::CmpFOp>(
                           nl, arith::CmpFPredicate::OEQ, args[0],
                           f32Constant(nb, nl, kNegInf));
                       return nb.create<arith::SelectOp>(
                           nl, none, f32Constant(nb, nl, 0.0f), args[0]);
                     });
}

SmallVector<Value> TileBuilder::onlineStep(const TiledOperands &in,
                                           const QueryBlock &block, Value k0,
                                           Value cols, bool masked,
                                           ValueRange state) {
  Value rowMax = state[0], rowSum = state[1], acc = state[2],
        scratch = state[3];
  AffineMap id = b.getMultiDimIdentityMap(2);
  AffineMap rows = rowMap(2);

  Value zero = index(0);
  Value tile = slice2D(scratch, zero, zero, block.rows, cols);
  Value scores = tileScores(in, block, k0, cols, tile);

  // A generic over the tile that reads `input` and, in a masked block with
  // per-query lengths, the lengths; `body` gets the input element, whether
  // the key is kept (null in unmasked blocks) and the init element.
  bool withLengths = masked && block.lengths;
  auto overTile =
      [&](Value input, AffineMap inputMap, Value init, AffineMap initMap,
          ArrayRef<IteratorType> iterators,
          function_ref<Value(OpBuilder &, Location, Value, Value, Value)>
              body) {
        SmallVector<Value> inputs{input};
        SmallVector<AffineMap> maps{inputMap};
        if (withLengths) {
          inputs.push_back(block.lengths);
          maps.push_back(rows);
        }
        maps.push_back(initMap);
        return b
            .create<linalg::GenericOp>(
                loc, init.getType(), inputs, ValueRange{init}, maps, iterators,
                [&](OpBuilder &nb, Location nl, ValueRange args) {
                  Value kept = masked ? keep(nb, nl, block, k0,
                                             withLengths ? args[1] : Value())
                                      : Value();
                  nb.create<linalg::YieldOp>(
                      nl, body(nb, nl, args[0], kept, args.back()));
                })
            .getResult(0);
      };

  // 1. The running maximum over the kept keys.
  Value newMax =
      overTile(scores, id, rowMax, rows, reducingLast(2),
               [&](OpBuilder &nb, Location nl, Value score, Value kept,
                   Value max) -> Value {
                 if (kept)
                   score = nb.create<arith::SelectOp>(
                       nl, kept, score, f32Constant(nb, nl, kNegInf));
                 return nb.create<arith::MaximumFOp>(nl, max, score, reassoc());
               });

  // 2. The shift (0 while no key is kept, so that no -inf - -inf appears)
  // and the factor that rescales what was summed under the old maximum.
  Value shift = shiftFor(newMax);
  Value rescale = elementwise(
      ValueRange{rowMax, shift}, empty(sizes(rowMax)),
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value none =
            nb.create<arith::CmpFOp>(nl, arith::CmpFPredicate::OEQ, args[0],
                                     f32Constant(nb, nl, kNegInf));
        Value factor = nb.create<math::ExpOp>(
            nl, nb.create<arith::SubFOp>(nl, args[0], args[1]));
        return nb.create<arith::SelectOp>(nl, none, f32Constant(nb, nl, 0.0f),
                                          factor);
      });

  // 3. p = exp(e - shift) in place of the scores, 0 where masked.
  Value probs =
      overTile(shift, rows, scores, id,
               SmallVector<IteratorType>(2, IteratorType::parallel),
               [&](OpBuilder &nb, Location nl, Value rowShift, Value kept,
                   Value score) -> Value {
                 Value p = nb.create<math::ExpOp>(
                     nl, nb.create<arith::SubFOp>(nl, score, rowShift));
                 if (!kept)
                   return p;
                 return nb.create<arith::SelectOp>(nl, kept, p,
                                                   f32Constant(nb, nl, 0.0f));
               });

  // 4. sum = sum * rescale + sum_j p; acc = acc * rescale + p V.
  auto times = [](OpBuilder &nb, Location nl, Value factor, Value x) -> Value {
    return nb.create<arith::MulFOp>(nl, x, factor);
  };
  Value scaledSum =
      elementwise(ValueRange{rescale}, rowSum,
                  [&](OpBuilder &nb, Location nl, ValueRange args) {
                    return times(nb, nl, args[0], args[1]);
                  });
  Value newSum = sumRowsInto(probs, scaledSum);
  Value scaledAcc = withRowValue(rescale, acc, times);
  Value values = rowBlock(in.values, block.g, k0, cols, block.h);
  Value newAcc = b.create<linalg::MatmulOp>(loc, TypeRange{acc.getType()},
                                            ValueRange{probs, values},
                                            ValueRange{scaledAcc})
                     .getResult(0);
  Value newScratch = insert2D(probs, scratch, zero, zero);
  return {newMax, newSum, newAcc, newScratch};
}

Value TileBuilder::normalize(Value acc, Value rowSum) {
  return withRowValue(rowSum, acc,
                      [](OpBuilder &nb, Location nl, Value sum, Value x) {
                        return divideBySumOrZero(nb, nl, x, sum);
                      });
}

Value TileBuilder::blockWeights(const TiledOperands &in,
                                const QueryBlock &block, Value rowMax,
                                Value rowSum, Value dest) {
  AffineMap rows = rowMap(2);
  // Keys that are never visited get weight 0.
  Value zeroed = zeroFilled(dest);
  Value first = index(0), step = index(1);
  auto loop = b.create<scf::ForOp>(
      loc, first, block.numKeyBlocks, step, ValueRange{zeroed},
      [&](OpBuilder &lb, Location ll, Value t, ValueRange args) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(lb.getInsertionBlock());
        Value k0, cols;
        std::tie(k0, cols) = keyBlockAt(block, t);
        Value tile = slice2D(args[0], index(0), k0, block.rows, cols);
        Value scores = tileScores(in, block, k0, cols, tile);
        SmallVector<Value> inputs{rowMax, rowSum};
        SmallVector<AffineMap> maps{rows, rows};
        if (block.lengths) {
          inputs.push_back(block.lengths);
          maps.push_back(rows);
        }
        maps.push_back(b.getMultiDimIdentityMap(2));
        Value weights =
            b.create<linalg::GenericOp>(
                 loc, scores.getType(), inputs, ValueRange{scores}, maps,
                 SmallVector<IteratorType>(2, IteratorType::parallel),
                 [&](OpBuilder &nb, Location nl, ValueRange args) {
                   Value max = args[0], sum = args[1];
                   Value kept = keep(nb, nl, block, k0,
                                     block.lengths ? args[2] : Value());
                   Value p = nb.create<math::ExpOp>(
                       nl, nb.create<arith::SubFOp>(nl, args.back(), max));
                   nb.create<linalg::YieldOp>(
                       nl, divideBySumOrZero(nb, nl, p, sum, kept));
                 })
                .getResult(0);
        b.create<scf::YieldOp>(loc, insert2D(weights, args[0], index(0), k0));
      });
  return loop.getResult(0);
}
