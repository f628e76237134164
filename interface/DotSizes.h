//===- DotSizes.h - Tensor sizes as the model names them -------*- C++ -*-===//
//
// For the dataflow graph (interface/DotGraph.cpp): the sizes of the
// kernel's tensor values spelled as in the .attn file, so that an edge reads
// `f32[S, 64]` where the IR says `tensor<?x64xf32>`.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_INTERFACE_DOTSIZES_H
#define ATTNC_INTERFACE_DOTSIZES_H

#include "dialect/AttnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "llvm/ADT/StringExtras.h"

namespace mlir::attn::dot {

using Shape = SmallVector<std::string>;

/// The sizes of tensor values as the model spells them: `64`, `S`, `B*S`.
/// The kernel's arguments take theirs from the model's interface; every
/// other value inherits them from the op that makes it (its init, the sizes
/// of a tensor.empty or a slice, the operands of an attn op).
class SizeNames {
public:
  void set(Value value, ArrayRef<Extent> shape) {
    Shape &names = shapes[value];
    for (const Extent &extent : shape)
      names.push_back(extent.isDim() ? extent.getDim().str()
                                     : std::to_string(extent.getSize()));
  }

  void inferResults(Operation *op) {
    for (OpResult result : op->getResults()) {
      if (!isa<RankedTensorType>(result.getType()))
        continue;
      auto dps = dyn_cast<DestinationStyleOpInterface>(op);
      shapes[result] = dps ? getShape(dps.getTiedOpOperand(result)->get())
                           : inferShape(result);
    }
  }

  /// `f32[S, 64]`, or `i32` for a scalar.
  std::string getTypeText(Value value) const {
    std::string text;
    llvm::raw_string_ostream os(text);
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (!type) {
      os << value.getType();
      return text;
    }
    os << type.getElementType();
    if (type.getRank() > 0)
      os << "[" << llvm::join(getShape(value), ", ") << "]";
    return text;
  }

private:
  std::string getDim(Value value, int64_t dim) const {
    auto type = cast<RankedTensorType>(value.getType());
    if (!type.isDynamicDim(dim))
      return std::to_string(type.getDimSize(dim));
    auto it = shapes.find(value);
    if (it == shapes.end() || dim >= static_cast<int64_t>(it->second.size()))
      return "?";
    return it->second[dim];
  }

  Shape getShape(Value value) const {
    Shape shape;
    if (auto type = dyn_cast<RankedTensorType>(value.getType()))
      for (int64_t dim = 0; dim < type.getRank(); ++dim)
        shape.push_back(getDim(value, dim));
    return shape;
  }

  /// The name of an index: a constant, a dim of a named tensor, a product.
  std::string getSize(OpFoldResult size) const {
    if (std::optional<int64_t> constant = getConstantIntValue(size))
      return std::to_string(*constant);
    auto value = cast<Value>(size);
    if (auto dim = value.getDefiningOp<tensor::DimOp>())
      if (std::optional<int64_t> index = dim.getConstantIndex())
        return getDim(dim.getSource(), *index);
    if (auto mul = value.getDefiningOp<arith::MulIOp>())
      return getSize(mul.getLhs()) + "*" + getSize(mul.getRhs());
    return "?";
  }

  /// The shape of a result of an op that is not in destination style.
  Shape inferShape(OpResult result) const {
    Operation *op = result.getOwner();
    auto concat = [](Shape front, ArrayRef<std::string> back) {
      front.append(back.begin(), back.end());
      return front;
    };
    auto dropLast = [](Shape shape) {
      if (!shape.empty())
        shape.pop_back();
      return shape;
    };
    if (auto empty = dyn_cast<tensor::EmptyOp>(op)) {
      Shape shape;
      for (OpFoldResult size : empty.getMixedSizes())
        shape.push_back(getSize(size));
      return shape;
    }
    if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op)) {
      Shape shape;
      llvm::SmallBitVector dropped = slice.getDroppedDims();
      for (auto [dim, size] : llvm::enumerate(slice.getMixedSizes()))
        if (!dropped.test(dim))
          shape.push_back(getSize(size));
      return shape;
    }
    if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op)) {
      Shape shape;
      auto dynamic = expand.getOutputShape().begin();
      for (int64_t size : expand.getStaticOutputShape())
        shape.push_back(ShapedType::isDynamic(size) ? getSize(*dynamic++)
                                                    : std::to_string(size));
      return shape;
    }
    if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(op)) {
      Shape source = getShape(collapse.getSrc()), shape;
      for (const ReassociationIndices &group :
           collapse.getReassociationIndices()) {
        SmallVector<std::string> factors;
        for (int64_t dim : group)
          if (source[dim] != "1")
            factors.push_back(source[dim]);
        shape.push_back(factors.empty() ? "1" : llvm::join(factors, "*"));
      }
      return shape;
    }
    if (auto cast = dyn_cast<tensor::CastOp>(op))
      return getShape(cast.getSource());
    // Scores [B..., Nq, Nk] or [B..., Nk], contexts [B..., Nq, dv] or
    // [B..., dv] (dialect/AttnOps.td).
    if (auto score = dyn_cast<ScoreOp>(op))
      return concat(dropLast(getShape(score.getQuery())),
                    dropLast(getShape(score.getKeys())).back());
    if (auto softmax = dyn_cast<SoftmaxOp>(op))
      return getShape(softmax.getInput());
    if (auto context = dyn_cast<ContextOp>(op))
      return concat(dropLast(getShape(context.getWeights())),
                    getShape(context.getValues()).back());
    if (auto attention = dyn_cast<AttentionOp>(op)) {
      Shape query = getShape(attention.getQuery());
      Shape keys = getShape(attention.getKeys());
      if (result == attention.getOutput())
        return concat(dropLast(query), getShape(attention.getValues()).back());
      // The weights: [B..., (heads,) (Nq,) Nk].
      Shape shape(keys.begin(), keys.end() - 2);
      if (attention.getHeads() > 1)
        shape.push_back(std::to_string(attention.getHeads()));
      if (!attention.isSingleQuery())
        shape.push_back(query[query.size() - 2]);
      shape.push_back(keys[keys.size() - 2]);
      return shape;
    }
    // Recurrent layers: the states [S, H]; the final states and cells [H].
    if (isa<GruOp, LstmOp>(op) && result.getResultNumber() == 0)
      return concat(dropLast(getShape(op->getOperand(0))),
                    getShape(op->getOperand(1)).back());
    if (isa<GruOp, LstmOp, GruCellOp, LstmCellOp>(op))
      return getShape(op->getOperand(1));
    // Elsewhere a result that has an operand's type has its sizes.
    for (Value operand : op->getOperands())
      if (operand.getType() == result.getType())
        return getShape(operand);
    return {};
  }

  DenseMap<Value, Shape> shapes;
};

} // namespace mlir::attn::dot

#endif // ATTNC_INTERFACE_DOTSIZES_H
