//===- SemaLayer.cpp - Layers: declared once, instantiated per call -------===//
//
// A `layer` is checked once, like an fn, in a scope of its own: its inputs,
// outputs and params (with names relative to an instance), the model's dims
// and constants, but not the model's params. Each call names the instance
// with `params = prefix` and may repeat it (`repeat = N`, with `{i}` in the
// prefix standing for the repetition); the params of every instance are
// added to the model's params under their full names, which is how they are
// found in the weights file (`layers.0.linear1.weight`).
//
//===----------------------------------------------------------------------===//

#include "frontend/Checker.h"

using namespace attnc;
using namespace attnc::sema;
using mlir::failure;
using mlir::success;

namespace {

/// `prefix.name`, or the one that is not empty.
std::string joinName(llvm::StringRef prefix, llvm::StringRef name) {
  if (prefix.empty() || name.empty())
    return (prefix + name).str();
  return (prefix + "." + name).str();
}

} // namespace

void Checker::declareLayers() {
  for (FnDecl &layer : model.layers) {
    if (lookupBuiltin(layer.name)) {
      error(layer.loc) << "layer '" << layer.name
                       << "' has the name of a builtin function";
      continue;
    }
    LayerState state;
    state.decl = &layer;
    auto [it, inserted] = layers.try_emplace(layer.name, std::move(state));
    if (!inserted) {
      mlir::InFlightDiagnostic diag = error(layer.loc);
      diag << "redefinition of layer '" << layer.name << "'";
      diag.attachNote(source.loc(it->second.decl->loc)) << "first defined here";
    }
  }
  // In the order of the file, so that messages do not depend on hashing.
  for (FnDecl &layer : model.layers) {
    auto it = layers.find(layer.name);
    if (it != layers.end() && it->second.decl == &layer)
      checkLayer(it->second);
  }
}

void Checker::checkLayer(LayerState &layer) {
  if (layer.state != LayerState::Unchecked)
    return;
  layer.state = LayerState::Checking;
  // A layer may be checked while the fn or layer that calls it is: keep
  // their scope.
  llvm::StringMap<Symbol> savedLocals = std::move(locals);
  FnDecl *savedFn = currentFn;
  bool hadErrorBefore = hadError;
  hadError = false;

  locals.clear();
  currentFn = layer.decl;
  for (auto [index, param] : llvm::enumerate(layer.decl->params))
    declareParam(locals, param, index);
  checkBody(*layer.decl);

  layer.state = hadError ? LayerState::Failed : LayerState::Checked;
  hadError |= hadErrorBefore;
  locals = std::move(savedLocals);
  currentFn = savedFn;
}

std::optional<llvm::SmallVector<Type, 2>>
Checker::checkLayerCall(Expr &call, LayerState &layer, unsigned numResults) {
  const FnDecl &decl = *layer.decl;
  if (layer.state == LayerState::Checking) {
    error(call.loc) << "layer '" << decl.name << "' calls itself"
                    << (currentFn == &decl ? "" : " through other layers")
                    << "; layers cannot be recursive";
    return std::nullopt;
  }
  checkLayer(layer);
  bool ok = true;
  if (failed(checkSignature(call, decl.inputs.size(), {"params", "repeat"},
                            ok)))
    return std::nullopt;
  auto info = std::unique_ptr<CallInfo, CallInfoDeleter>(new CallInfo);
  info->layer = &decl;

  // The arguments have exactly the types of the layer's inputs.
  for (auto [operand, input] : llvm::zip(call.operands, decl.inputs)) {
    std::optional<Type> type = check(*operand);
    if (type && layer.state == LayerState::Checked && *type != input.type) {
      error(operand->loc) << "input '" << input.name << "' of layer '"
                          << decl.name << "' is " << str(input.type)
                          << ", got " << str(*type);
      type.reset();
    }
    ok &= type.has_value();
  }

  // params = a.b, a.{i}.b: the prefix of the instance's params.
  if (const KeywordArg *arg = call.keyword("params")) {
    const Expr &value = *arg->value;
    size_t open = value.name.find('{');
    if (value.kind != Expr::Kind::Name) {
      error(value.loc) << "params must be the prefix of the names of the "
                          "layer's params, such as 'layers.0' or "
                          "'layers.{i}'";
      ok = false;
    } else if (open != std::string::npos &&
               value.name.find('{', open + 1) != std::string::npos) {
      error(value.loc) << "params may have one index '{...}', got '"
                       << value.name << "'";
      ok = false;
    } else {
      info->params = value.name;
      if (open != std::string::npos)
        info->indexName =
            value.name.substr(open + 1, value.name.find('}') - open - 1);
    }
  } else if (!decl.params.empty()) {
    // Without a prefix the params have the names the layer declares.
    info->params = "";
  }
  if (const KeywordArg *arg = call.keyword("repeat")) {
    std::optional<int64_t> repeat = constantInt(*arg->value, "repeat", 1);
    ok &= repeat.has_value();
    info->repeat = repeat.value_or(1);
    // Each repetition takes the output of the one before.
    if (repeat && (decl.outputs.size() != 1 || decl.inputs.empty() ||
                   decl.outputs[0].type != decl.inputs[0].type)) {
      error(arg->loc) << "repeat needs a layer whose one output has the type "
                         "of its first input, which the next repetition "
                         "takes; layer '"
                      << decl.name << "' does not";
      ok = false;
    }
  }
  if (!info->indexName.empty() && !call.keyword("repeat")) {
    error(call.keyword("params")->value->loc)
        << "the index '{" << info->indexName
        << "}' in params counts repetitions; add 'repeat = N'";
    ok = false;
  }
  if (numResults != decl.outputs.size()) {
    error(call.loc) << "layer '" << decl.name << "' gives "
                    << decl.outputs.size()
                    << (decl.outputs.size() == 1 ? " value" : " values")
                    << ", but " << numResults
                    << (numResults == 1 ? " name is" : " names are")
                    << " bound";
    ok = false;
  }
  if (!ok || layer.state != LayerState::Checked)
    return std::nullopt;

  // The run-time checks of the layer's inputs apply to the arguments.
  for (auto [operand, input] : llvm::zip(call.operands, decl.inputs))
    for (const ValueCheck &check : input.checks)
      ok &= succeeded(
          requireInRange(*operand, check.max, check.what, check.required));
  // A layer's calls of layers are instantiated with the caller's.
  if (currentFn->isLayer)
    layers[currentFn->name].calls.push_back(&call);
  else
    for (int64_t r = 0; r < info->repeat; ++r)
      ok &= succeeded(instantiate(layer, info->paramPrefix(r), call));
  if (!ok)
    return std::nullopt;
  for (const ArgDecl &output : decl.outputs)
    info->results.push_back(output.type);
  call.type = info->results.front();
  llvm::SmallVector<Type, 2> results(info->results.begin(),
                                     info->results.end());
  call.info = std::move(info);
  return results;
}

LogicalResult Checker::instantiate(LayerState &layer, llvm::StringRef prefix,
                                   const Expr &call) {
  bool ok = true;
  for (const ParamDecl &param : layer.decl->params) {
    std::string name = joinName(prefix, param.name);
    auto [it, inserted] = paramIndex.try_emplace(name, model.params.size());
    if (inserted) {
      ParamDecl &instance = model.params.emplace_back();
      instance.name = name;
      instance.loc = param.loc;
      instance.type = param.type;
      continue;
    }
    const ParamDecl &existing = model.params[it->second];
    if (existing.type != param.type) {
      mlir::InFlightDiagnostic diag = error(call.loc);
      diag << "parameter '" << name << "' of this instance of layer '"
           << layer.decl->name << "' is " << str(param.type)
           << ", but another declaration makes it " << str(existing.type);
      diag.attachNote(source.loc(existing.loc)) << "declared here";
      ok = false;
    }
  }
  for (const Expr *nested : layer.calls) {
    const CallInfo &info = *nested->info;
    LayerState &callee = layers[info.layer->name];
    for (int64_t r = 0; r < info.repeat; ++r)
      ok &= succeeded(
          instantiate(callee, joinName(prefix, info.paramPrefix(r)), call));
  }
  return success(ok);
}
