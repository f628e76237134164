//===- CInterface.cpp - The C interface of a compiled model ---------------===//

#include "interface/CInterface.h"

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
