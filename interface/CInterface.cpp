//===- CInterface.cpp - The C interface of a compiled model ---------------===//

#include "interface/CInterface.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;
using namespace mlir::attn;

FailureOr<ModelAttr> mlir::attn::lookupModel(ModuleOp module) {
  StringRef name = AttnDialect::getModelAttrName();
  if (auto model = module->getAttrOfType<ModelAttr>(name))
    return model;
  return module.emitError("the module has no '")
         << name << "' attribute describing the model's C interface; attnc's "
         << "frontend puts it on the modules it emits";
}

void mlir::attn::addEmbeddedWeights(ModuleOp module, StringRef image) {
  MLIRContext *context = module.getContext();
  context->getOrLoadDialect<LLVM::LLVMDialect>();
  auto bytes = IntegerType::get(context, 8);
  auto type = RankedTensorType::get({int64_t(image.size())}, bytes);
  // A resource blob, not a string attribute: no copy of what may be hundreds
  // of megabytes, and printers can elide it.
  auto value = DenseResourceElementsAttr::get(
      type, "attnc_weights",
      UnmanagedAsmResourceBlob::allocateInferAlign(
          ArrayRef<char>(image.data(), image.size())));
  OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
  builder.create<LLVM::GlobalOp>(
      module.getLoc(), LLVM::LLVMArrayType::get(bytes, image.size()),
      /*isConstant=*/true, LLVM::Linkage::Internal, kEmbeddedWeightsSymbol,
      value, /*alignment=*/64);
}

LLVM::GlobalOp mlir::attn::lookupEmbeddedWeights(ModuleOp module) {
  return module.lookupSymbol<LLVM::GlobalOp>(kEmbeddedWeightsSymbol);
}

std::string mlir::attn::getArgTypeText(ArgAttr arg) {
  std::string text = arg.getElementType().isF32() ? "f32" : "i32";
  if (arg.getShape().empty())
    return text;
  llvm::raw_string_ostream os(text);
  os << "[";
  llvm::interleaveComma(arg.getShape(), os, [&](const Extent &extent) {
    if (extent.isDim())
      os << extent.getDim();
    else
      os << extent.getSize();
  });
  os << "]";
  return text;
}
