//===- AttnModelAttrs.h - C++ parts of the model attributes -----*- C++ -*-===//
//
// What the attributes of AttnModelAttrs.td need before ODS declares them:
// the Extent parameter type and the parsers and printers of their
// parameters. Included by AttnOps.h.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_DIALECT_ATTNMODELATTRS_H
#define ATTNC_DIALECT_ATTNMODELATTRS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/Hashing.h"

#include <optional>

namespace mlir::attn {

/// A size in a shape or bound of the model interface: a static size, or
/// the name of a run-time dim of the model.
class Extent {
public:
  Extent() = default;
  /*implicit*/ Extent(int64_t size) : size(size) {}
  /*implicit*/ Extent(StringAttr dim) : dim(dim) {}

  bool isDim() const { return static_cast<bool>(dim); }
  /// The static size; only if !isDim().
  int64_t getSize() const { return size; }
  /// The dim's name; only if isDim().
  StringRef getDim() const { return dim.getValue(); }
  StringAttr getDimAttr() const { return dim; }

  bool operator==(const Extent &other) const {
    return size == other.size && dim == other.dim;
  }
  bool operator!=(const Extent &other) const { return !(*this == other); }

private:
  int64_t size = 0;
  StringAttr dim;
};

inline llvm::hash_code hash_value(const Extent &extent) {
  return llvm::hash_combine(extent.getDimAttr(),
                            extent.isDim() ? 0 : extent.getSize());
}

class ModelAttr;

/// Whether `name` can name something in the generated header, which C and
/// C++ compile: an identifier, neither a keyword of either language nor
/// reserved (`__x`, `_X`).
bool isCIdentifier(StringRef name);

/// Whether `name` can name a parameter: the key of a tensor in the weights
/// file, as PyTorch's state_dict names them: parts of letters, digits and
/// `_` joined by dots, the first a name (`layers.0.self_attn.in_proj_weight`).
bool isParamName(StringRef name);

/// Checks what the C interface needs of `model`: usable and unique names,
/// declared dims, static parameter shapes, f32/i32 buffers, range checks on
/// i32 inputs only. The `attn.model` verifier of the dialect calls it;
/// errors start with "attn.model: ".
LogicalResult verifyModelAttr(ModelAttr model,
                              function_ref<InFlightDiagnostic()> emitError);

/// `64` or `S`.
FailureOr<Extent> parseExtent(AsmParser &parser);
void printExtent(AsmPrinter &printer, const Extent &extent);

/// The element type and shape of an argument: `f32[S, 64]`, or `i32` for a
/// scalar.
ParseResult parseArgType(AsmParser &parser, Type &elementType,
                         SmallVector<Extent> &shape);
void printArgType(AsmPrinter &printer, Type elementType,
                  ArrayRef<Extent> shape);

/// `[#attn.x<...>, ...]`, possibly empty; the elements in their full form,
/// which reads better than the stripped `<...>` inside another attribute.
template <typename AttrT>
FailureOr<SmallVector<AttrT>> parseAttrList(AsmParser &parser) {
  SmallVector<AttrT> elements;
  if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
        FailureOr<AttrT> element = FieldParser<AttrT>::parse(parser);
        if (failed(element))
          return failure();
        elements.push_back(*element);
        return success();
      }))
    return failure();
  return elements;
}
template <typename AttrT>
void printAttrList(AsmPrinter &printer, ArrayRef<AttrT> elements) {
  printer << '[';
  llvm::interleaveComma(elements, printer, [&](AttrT element) {
    printer.printAttribute(element);
  });
  printer << ']';
}

} // namespace mlir::attn

#endif // ATTNC_DIALECT_ATTNMODELATTRS_H
