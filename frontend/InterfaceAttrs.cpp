//===- InterfaceAttrs.cpp - The C interface of a checked model ------------===//

#include "frontend/InterfaceAttrs.h"

#include "llvm/ADT/SmallVectorExtras.h"

using namespace attnc;
using namespace mlir;

std::string attnc::getKernelName(const ModelDecl &model, const FnDecl &fn) {
  return "__attnc_" + model.name + "_" + fn.name;
}

namespace {

/// Builds the attributes of one model; dims become references by name.
class InterfaceBuilder {
public:
  InterfaceBuilder(MLIRContext &context, const ModelDecl &model)
      : context(&context), model(model) {}

  attn::ModelAttr build();

private:
  attn::Extent extent(const Dim &dim) const {
    if (dim.isVar())
      return StringAttr::get(context, model.dims[dim.dimVar].name);
    return dim.size;
  }
  attn::ArgAttr arg(const TypedDecl &decl) const;
  SmallVector<attn::ArgAttr> args(const std::vector<TypedDecl> &decls) const {
    return llvm::map_to_vector(
        decls, [&](const TypedDecl &decl) { return arg(decl); });
  }

  MLIRContext *context;
  const ModelDecl &model;
};

attn::ArgAttr InterfaceBuilder::arg(const TypedDecl &decl) const {
  SmallVector<attn::Extent> shape;
  for (const Dim &dim : decl.type.shape)
    shape.push_back(extent(dim));
  SmallVector<attn::RangeCheckAttr> checks;
  for (const ValueCheck &check : decl.checks)
    checks.push_back(
        attn::RangeCheckAttr::get(context, extent(check.max), check.what));
  mlir::Type elementType = decl.type.elem == ElemType::F32
                               ? mlir::Type(Float32Type::get(context))
                               : mlir::Type(IntegerType::get(context, 32));
  return attn::ArgAttr::get(context, decl.name, elementType, shape, checks);
}

attn::ModelAttr InterfaceBuilder::build() {
  SmallVector<attn::DimAttr> dims;
  for (const DimDecl &dim : model.dims)
    dims.push_back(attn::DimAttr::get(context, dim.name, dim.max));
  SmallVector<attn::EntryAttr> entries;
  for (const FnDecl &fn : model.fns)
    entries.push_back(attn::EntryAttr::get(
        context, fn.name,
        FlatSymbolRefAttr::get(context, getKernelName(model, fn)),
        args(fn.inputs), args(fn.outputs)));
  return attn::ModelAttr::get(context, model.name, dims, args(model.params),
                              entries);
}

} // namespace

attn::ModelAttr attnc::buildModelAttr(MLIRContext &context,
                                      const ModelDecl &model) {
  return InterfaceBuilder(context, model).build();
}
