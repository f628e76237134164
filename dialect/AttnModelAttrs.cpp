//===- AttnModelAttrs.cpp - The model's C interface as attributes ---------===//

#include "dialect/AttnOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::attn;

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

FailureOr<Extent> mlir::attn::parseExtent(AsmParser &parser) {
  int64_t size;
  OptionalParseResult integer = parser.parseOptionalInteger(size);
  if (integer.has_value()) {
    if (failed(*integer))
      return failure();
    return Extent(size);
  }
  std::string dim;
  if (parser.parseKeywordOrString(&dim))
    return failure();
  return Extent(StringAttr::get(parser.getContext(), dim));
}

void mlir::attn::printExtent(AsmPrinter &printer, const Extent &extent) {
  if (extent.isDim())
    printer.printKeywordOrString(extent.getDim());
  else
    printer << extent.getSize();
}

ParseResult mlir::attn::parseArgType(AsmParser &parser, Type &elementType,
                                     SmallVector<Extent> &shape) {
  if (parser.parseType(elementType))
    return failure();
  return parser.parseCommaSeparatedList(
      AsmParser::Delimiter::OptionalSquare, [&]() -> ParseResult {
        FailureOr<Extent> extent = parseExtent(parser);
        if (failed(extent))
          return failure();
        shape.push_back(*extent);
        return success();
      });
}

void mlir::attn::printArgType(AsmPrinter &printer, Type elementType,
                              ArrayRef<Extent> shape) {
  printer << elementType;
  if (shape.empty())
    return;
  printer << '[';
  llvm::interleaveComma(shape, printer, [&](const Extent &extent) {
    printExtent(printer, extent);
  });
  printer << ']';
}

//===----------------------------------------------------------------------===//
// Queries
//===----------------------------------------------------------------------===//

bool ArgAttr::usesDim(StringRef dim) const {
  return llvm::any_of(getShape(), [&](const Extent &extent) {
    return extent.isDim() && extent.getDim() == dim;
  });
}

DimAttr ModelAttr::lookupDim(StringRef name) const {
  for (DimAttr dim : getDims())
    if (dim.getName() == name)
      return dim;
  return {};
}

SmallVector<DimAttr> ModelAttr::getEntryDims(EntryAttr entry) const {
  SmallVector<DimAttr> dims;
  for (DimAttr dim : getDims()) {
    auto uses = [&](ArgAttr arg) { return arg.usesDim(dim.getName()); };
    if (llvm::any_of(entry.getInputs(), uses) ||
        llvm::any_of(entry.getOutputs(), uses))
      dims.push_back(dim);
  }
  return dims;
}

//===----------------------------------------------------------------------===//
// Verification
//===----------------------------------------------------------------------===//

namespace {

/// Keywords of C and C++ (those spelled `_X` are reserved names anyway).
/// Sorted, for binary search.
// clang-format off
constexpr StringLiteral kKeywords[] = {
    "alignas",   "alignof",
    "and",       "and_eq",       "asm",          "auto",
    "bitand",    "bitor",        "bool",         "break",
    "case",      "catch",        "char",         "char16_t",
    "char32_t",  "char8_t",      "class",        "co_await",
    "co_return", "co_yield",     "compl",        "concept",
    "const",     "const_cast",   "consteval",    "constexpr",
    "constinit", "continue",     "decltype",     "default",
    "delete",    "do",           "double",       "dynamic_cast",
    "else",      "enum",         "explicit",     "export",
    "extern",    "false",        "float",        "for",
    "friend",    "goto",         "if",           "inline",
    "int",       "long",         "mutable",      "namespace",
    "new",       "noexcept",     "not",          "not_eq",
    "nullptr",   "operator",     "or",           "or_eq",
    "private",   "protected",    "public",       "register",
    "reinterpret_cast", "requires", "restrict",  "return",
    "short",     "signed",       "sizeof",       "static",
    "static_assert", "static_cast", "struct",    "switch",
    "template",  "this",         "thread_local", "throw",
    "true",      "try",          "typedef",      "typeid",
    "typename",  "union",        "unsigned",     "using",
    "virtual",   "void",         "volatile",     "wchar_t",
    "while",     "xor",          "xor_eq"};
// clang-format on

/// Checks one ModelAttr; errors name the part of the interface they are
/// about.
class ModelVerifier {
public:
  ModelVerifier(ModelAttr model, function_ref<InFlightDiagnostic()> emitError)
      : model(model), emitError(emitError) {}

  LogicalResult verify();

private:
  InFlightDiagnostic error() {
    return emitError() << AttnDialect::getModelAttrName() << ": ";
  }
  LogicalResult checkName(StringRef name, const Twine &what);
  /// `kind` is "param", "input" or "output"; `where` ends the description
  /// of the argument (" of entry 'f'" or "").
  LogicalResult verifyArg(ArgAttr arg, StringRef kind, const Twine &where,
                          ArrayRef<DimAttr> entryDims);

  ModelAttr model;
  function_ref<InFlightDiagnostic()> emitError;
};

LogicalResult ModelVerifier::checkName(StringRef name, const Twine &what) {
  if (isCIdentifier(name))
    return success();
  return error() << what << " '" << name << "' is not usable as a C identifier";
}

LogicalResult ModelVerifier::verifyArg(ArgAttr arg, StringRef kind,
                                       const Twine &where,
                                       ArrayRef<DimAttr> entryDims) {
  std::string self = (kind + " '" + arg.getName() + "'" + where).str();
  // Params are only looked up by name in the weights file.
  if (kind == "param" ? !isParamName(arg.getName())
                      : !isCIdentifier(arg.getName()))
    return error() << self
                   << (kind == "param"
                           ? " is not a parameter name (parts of letters, "
                             "digits and '_' joined by '.')"
                           : " is not usable as a C identifier");
  Type type = arg.getElementType();
  if (!type.isF32() && !type.isSignlessInteger(32))
    return error() << self << " has element type " << type
                   << "; the C interface has f32 and i32 buffers only";
  for (const Extent &extent : arg.getShape()) {
    if (!extent.isDim()) {
      if (extent.getSize() < 0)
        return error() << self << " has a negative size " << extent.getSize();
      continue;
    }
    if (kind == "param")
      return error() << self << " uses the run-time dim '" << extent.getDim()
                     << "'; parameters have static shapes";
    if (!model.lookupDim(extent.getDim()))
      return error() << self << " uses the dim '" << extent.getDim()
                     << "', which the model does not declare";
  }
  if (arg.getChecks().empty())
    return success();
  if (kind != "input" || !type.isSignlessInteger(32))
    return error() << self
                   << " has range checks; only i32 inputs can have them";
  for (RangeCheckAttr check : arg.getChecks()) {
    Extent max = check.getMax();
    if (!max.isDim()) {
      if (max.getSize() < 0)
        return error() << "a range check of " << self << " has max "
                       << max.getSize() << "; it must be at least 0";
      continue;
    }
    // The wrapper knows the dims its entry takes, and only those.
    if (!llvm::any_of(entryDims, [&](DimAttr dim) {
          return dim.getName() == max.getDim();
        }))
      return error() << "a range check of " << self << " is bounded by '"
                     << max.getDim()
                     << "', which is not a dim of the entry's buffers";
  }
  return success();
}

LogicalResult ModelVerifier::verify() {
  if (failed(checkName(model.getName(), "the model name")))
    return failure();

  llvm::StringSet<> dimNames;
  for (DimAttr dim : model.getDims()) {
    if (failed(checkName(dim.getName(), "dim")))
      return failure();
    if (!dimNames.insert(dim.getName()).second)
      return error() << "dim '" << dim.getName() << "' is declared twice";
    if (dim.getMax() && *dim.getMax() < 1)
      return error() << "dim '" << dim.getName() << "' has max "
                     << *dim.getMax() << "; a bound must be at least 1";
  }

  llvm::StringSet<> paramNames;
  for (ArgAttr param : model.getParams()) {
    if (failed(verifyArg(param, "param", "", {})))
      return failure();
    if (!paramNames.insert(param.getName()).second)
      return error() << "param '" << param.getName() << "' is declared twice";
  }

  llvm::StringSet<> entryNames;
  for (EntryAttr entry : model.getEntries()) {
    if (failed(checkName(entry.getName(), "entry")))
      return failure();
    // <model>_create and <model>_destroy are taken.
    if (entry.getName() == "create" || entry.getName() == "destroy")
      return error() << "entry '" << entry.getName() << "' would clash with "
                     << model.getName() << "_" << entry.getName();
    if (!entryNames.insert(entry.getName()).second)
      return error() << "entry '" << entry.getName() << "' is declared twice";
    // The arguments of the entry's C function: the handle `model`, its
    // dims, its buffers.
    SmallVector<DimAttr> entryDims = model.getEntryDims(entry);
    llvm::StringSet<> argNames;
    argNames.insert("model");
    for (DimAttr dim : entryDims)
      argNames.insert(dim.getName());
    std::string where = (" of entry '" + entry.getName() + "'").str();
    for (auto [kind, args] : {std::make_pair("input", entry.getInputs()),
                              std::make_pair("output", entry.getOutputs())})
      for (ArgAttr arg : args) {
        if (failed(verifyArg(arg, kind, where, entryDims)))
          return failure();
        if (!argNames.insert(arg.getName()).second)
          return error() << kind << " '" << arg.getName() << "'" << where
                         << " has the name of another argument of "
                         << model.getName() << "_" << entry.getName();
      }
  }
  return success();
}

} // namespace

bool mlir::attn::isCIdentifier(StringRef name) {
  if (name.empty() || llvm::isDigit(name.front()))
    return false;
  if (!llvm::all_of(name, [](char c) { return llvm::isAlnum(c) || c == '_'; }))
    return false;
  if (name.starts_with("__") ||
      (name.size() > 1 && name[0] == '_' && llvm::isUpper(name[1])))
    return false;
  return !std::binary_search(std::begin(kKeywords), std::end(kKeywords), name);
}

bool mlir::attn::isParamName(StringRef name) {
  if (name.empty() || llvm::isDigit(name.front()))
    return false;
  SmallVector<StringRef> parts;
  name.split(parts, '.');
  return llvm::all_of(parts, [](StringRef part) {
    return !part.empty() && llvm::all_of(part, [](char c) {
      return llvm::isAlnum(c) || c == '_';
    });
  });
}

LogicalResult
mlir::attn::verifyModelAttr(ModelAttr model,
                            function_ref<InFlightDiagnostic()> emitError) {
  return ModelVerifier(model, emitError).verify();
}

LogicalResult AttnDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attr) {
  // Other attn.* attributes are markers of single passes.
  if (attr.getName() != getModelAttrName())
    return success();
  auto model = dyn_cast<ModelAttr>(attr.getValue());
  if (!model)
    return op->emitOpError()
           << "'" << getModelAttrName()
           << "' must be an #attn.model attribute, got " << attr.getValue();
  if (!isa<ModuleOp>(op))
    return op->emitOpError() << "cannot carry '" << getModelAttrName()
                             << "': it describes a whole compiled module";
  return verifyModelAttr(model, [&] { return op->emitOpError(); });
}
