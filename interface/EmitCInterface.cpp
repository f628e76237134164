//===- EmitCInterface.cpp - The checked C entry points of a model ---------===//
//
// attn-emit-c-interface: the why is in passes/Passes.td.
//
//===----------------------------------------------------------------------===//

#include "interface/CInterface.h"
#include "interface/RuntimeFunctions.h"
#include "passes/Passes.h"

#include "dialect/AttnOps.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/SmallVectorExtras.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNEMITCINTERFACE
#include "passes/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

/// Adds the wrappers of one model to its module, at the end.
class WrapperBuilder {
public:
  WrapperBuilder(ModuleOp module, ModelAttr model)
      : module(module), symbols(module), model(model), builder(module.getContext()),
        loc(module.getLoc()) {
    MLIRContext *context = module.getContext();
    i32 = IntegerType::get(context, 32);
    i64 = IntegerType::get(context, 64);
    ptr = LLVM::LLVMPointerType::get(context);
    voidType = LLVM::LLVMVoidType::get(context);
  }

  LogicalResult run();

private:
  /// The declaration of `fn`, added on first use.
  LLVM::LLVMFuncOp declare(RuntimeFunction fn);
  Value call(RuntimeFunction fn, ValueRange args) {
    return builder.create<LLVM::CallOp>(loc, declare(fn), args).getResult();
  }
  /// A new public function whose body the builder then fills.
  LLVM::LLVMFuncOp define(StringRef name, Type result, ArrayRef<Type> args);
  Value constant(Type type, int64_t value) {
    return builder.create<LLVM::ConstantOp>(
        loc, type, builder.getIntegerAttr(type, value));
  }
  Value isNull(Value pointer) {
    return builder.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::eq, pointer,
                                        builder.create<LLVM::ZeroOp>(loc, ptr));
  }
  Value string(StringRef text);
  Value shapeArray(ArrayRef<int64_t> shape);
  /// Splits the current block on `condition`: the builder continues in the
  /// block where it is false and returns the other.
  Block *branchOff(Value condition);
  /// If `failed` holds, records `format` (printf-style, with `args`) as the
  /// thread's last error and returns `status`; continues otherwise.
  void failIf(Value failed, int32_t status, const Twine &format,
              ValueRange args = {});
  /// Returns `status` unchanged if it is not ok, calling `cleanup` first.
  void returnIfError(Value status, function_ref<void()> cleanup = {});
  /// The kernel of `entry`, if the module has it in the form the wrapper
  /// calls; an error otherwise.
  FailureOr<LLVM::LLVMFuncOp> lookupKernel(EntryAttr entry);
  /// Fails if the module defines a symbol the wrappers define, or declares
  /// a runtime function with another type.
  LogicalResult checkSymbols();
  Value openWeights(Value path, Value slot);
  void emitCreate();
  void emitDestroy();
  void emitEntry(EntryAttr entry, LLVM::LLVMFuncOp kernel);

  ModuleOp module;
  /// The module's symbols, looked up in constant time: a model with
  /// thousands of fns makes thousands of lookups.
  SymbolTable symbols;
  ModelAttr model;
  OpBuilder builder;
  Location loc;
  Type i32, i64, ptr, voidType;
  unsigned numGlobals = 0;
};

LLVM::LLVMFuncOp WrapperBuilder::declare(RuntimeFunction fn) {
  StringRef name = getRuntimeFunctionName(fn);
  if (auto existing = symbols.lookup<LLVM::LLVMFuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(module.getBody());
  auto declaration = builder.create<LLVM::LLVMFuncOp>(
      loc, name, getRuntimeLLVMFunctionType(module.getContext(), fn));
  symbols.insert(declaration);
  return declaration;
}

LLVM::LLVMFuncOp WrapperBuilder::define(StringRef name, Type result,
                                        ArrayRef<Type> args) {
  builder.setInsertionPointToEnd(module.getBody());
  auto func = builder.create<LLVM::LLVMFuncOp>(
      loc, name, LLVM::LLVMFunctionType::get(result, args));
  builder.setInsertionPointToStart(func.addEntryBlock(builder));
  return func;
}

Value WrapperBuilder::string(StringRef text) {
  std::string name = "__attnc_str_" + std::to_string(numGlobals++);
  std::string terminated = text.str();
  terminated.push_back('\0');
  return LLVM::createGlobalString(loc, builder, name, terminated,
                                  LLVM::Linkage::Internal);
}

Value WrapperBuilder::shapeArray(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return builder.create<LLVM::ZeroOp>(loc, ptr);
  std::string name = "__attnc_shape_" + std::to_string(numGlobals++);
  auto arrayType = LLVM::LLVMArrayType::get(i64, shape.size());
  {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(module.getBody());
    auto value = DenseElementsAttr::get(
        RankedTensorType::get({int64_t(shape.size())}, i64), shape);
    builder.create<LLVM::GlobalOp>(loc, arrayType, /*isConstant=*/true,
                                   LLVM::Linkage::Internal, name, value);
  }
  return builder.create<LLVM::AddressOfOp>(loc, ptr, name);
}

Block *WrapperBuilder::branchOff(Value condition) {
  Block *current = builder.getInsertionBlock();
  Region *region = current->getParent();
  Block *taken = builder.createBlock(region);
  Block *next = builder.createBlock(region);
  builder.setInsertionPointToEnd(current);
  builder.create<LLVM::CondBrOp>(loc, condition, taken, next);
  builder.setInsertionPointToStart(next);
  return taken;
}

void WrapperBuilder::failIf(Value failed, int32_t status, const Twine &format,
                            ValueRange args) {
  Block *onError = branchOff(failed);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(onError);
  SmallVector<Value> callArgs{constant(i32, status), string(format.str())};
  callArgs.append(args.begin(), args.end());
  builder.create<LLVM::ReturnOp>(
      loc, call(RuntimeFunction::attnrt_set_error, callArgs));
}

void WrapperBuilder::returnIfError(Value status, function_ref<void()> cleanup) {
  Block *onError = branchOff(builder.create<LLVM::ICmpOp>(
      loc, LLVM::ICmpPredicate::ne, status, constant(i32, ATTNRT_OK)));
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(onError);
  if (cleanup)
    cleanup();
  builder.create<LLVM::ReturnOp>(loc, status);
}

/// Opens the weights at `path` into `slot`; returns the status. A null path
/// opens the weights embedded in the object if it has them (attnc
/// --embed-weights), or, for a model without params, no file at all.
Value WrapperBuilder::openWeights(Value path, Value slot) {
  Value numParams = constant(i64, model.getParams().size());
  auto openFile = [&] {
    return call(RuntimeFunction::attnrt_model_open, {path, numParams, slot});
  };
  LLVM::GlobalOp embedded = lookupEmbeddedWeights(module);
  if (!embedded && !model.getParams().empty()) {
    failIf(isNull(path), ATTNRT_ERROR_INVALID_ARGUMENT,
           model.getName() + "_create: weights_path is NULL, and no weights "
                             "are embedded in the object (attnc "
                             "--embed-weights)");
    return openFile();
  }

  Block *fromMemory = branchOff(isNull(path));
  Block *fromFile = builder.getInsertionBlock();
  Block *opened = builder.createBlock(fromFile->getParent(), {}, {i32}, {loc});
  builder.setInsertionPointToStart(fromMemory);
  Value image;
  int64_t imageSize;
  if (embedded) {
    image = builder.create<LLVM::AddressOfOp>(loc, embedded);
    imageSize = cast<LLVM::LLVMArrayType>(embedded.getType()).getNumElements();
  } else {
    // An empty safetensors image: 8-byte header length, "{}" padded to 8.
    static constexpr char kEmptyImage[] = "\x08\0\0\0\0\0\0\0{}      ";
    imageSize = sizeof(kEmptyImage) - 1;
    image = string(StringRef(kEmptyImage, imageSize));
  }
  Value fromImage =
      call(RuntimeFunction::attnrt_model_open_memory,
           {image, constant(i64, imageSize), numParams, slot});
  builder.create<LLVM::BrOp>(loc, ValueRange{fromImage}, opened);
  builder.setInsertionPointToStart(fromFile);
  builder.create<LLVM::BrOp>(loc, ValueRange{openFile()}, opened);
  builder.setInsertionPointToStart(opened);
  return opened->getArgument(0);
}

void WrapperBuilder::emitCreate() {
  std::string name = (model.getName() + "_create").str();
  auto func = define(name, i32, {ptr, ptr});
  Value path = func.getArgument(0), out = func.getArgument(1);
  failIf(isNull(out), ATTNRT_ERROR_INVALID_ARGUMENT,
         name + ": the pointer to store the model in is null");
  Value null = builder.create<LLVM::ZeroOp>(loc, ptr);
  builder.create<LLVM::StoreOp>(loc, null, out);

  Value slot = builder.create<LLVM::AllocaOp>(loc, ptr, ptr, constant(i64, 1));
  builder.create<LLVM::StoreOp>(loc, null, slot);
  returnIfError(openWeights(path, slot));
  Value handle = builder.create<LLVM::LoadOp>(loc, ptr, slot);
  for (auto [index, param] : llvm::enumerate(model.getParams())) {
    SmallVector<int64_t> shape;
    for (const Extent &extent : param.getShape())
      shape.push_back(extent.getSize());
    int32_t dtype =
        param.getElementType().isF32() ? ATTNRT_DTYPE_F32 : ATTNRT_DTYPE_I32;
    Value bound = call(RuntimeFunction::attnrt_model_bind,
                       {handle, constant(i64, index), string(param.getName()),
                        constant(i32, dtype), constant(i64, shape.size()),
                        shapeArray(shape)});
    returnIfError(
        bound, [&] { call(RuntimeFunction::attnrt_model_destroy, {handle}); });
  }
  builder.create<LLVM::StoreOp>(loc, handle, out);
  builder.create<LLVM::ReturnOp>(loc, constant(i32, ATTNRT_OK));
}

void WrapperBuilder::emitDestroy() {
  auto func = define((model.getName() + "_destroy").str(), voidType, {ptr});
  call(RuntimeFunction::attnrt_model_destroy, {func.getArgument(0)});
  builder.create<LLVM::ReturnOp>(loc, ValueRange{});
}

/// The kernel's arguments for `arg`: a memref descriptor, (allocated,
/// aligned, offset, sizes..., strides...).
static size_t getNumMemrefArgs(ArgAttr arg) {
  return 3 + 2 * arg.getShape().size();
}

FailureOr<LLVM::LLVMFuncOp> WrapperBuilder::lookupKernel(EntryAttr entry) {
  StringRef kernelName = entry.getKernel().getValue();
  Operation *symbol = symbols.lookup(entry.getKernel().getValue());
  if (!symbol)
    return module.emitError("the module has no kernel '")
           << kernelName << "' for entry point '" << entry.getName() << "'";
  auto kernel = dyn_cast<LLVM::LLVMFuncOp>(symbol);
  if (!kernel)
    return symbol->emitError("kernel '")
           << kernelName
           << "' is not an llvm.func: the C interface is emitted on the LLVM "
              "dialect, at the end of the lowering";
  LLVM::LLVMFunctionType type = kernel.getFunctionType();
  if (!isa<LLVM::LLVMVoidType>(type.getReturnType()))
    return kernel.emitError("kernel '")
           << kernelName
           << "' returns values: its outputs were not written in place";
  size_t numArgs = 0;
  for (ArrayRef<ArgAttr> args :
       {model.getParams(), entry.getInputs(), entry.getOutputs()})
    for (ArgAttr arg : args)
      numArgs += getNumMemrefArgs(arg);
  if (type.getNumParams() != numArgs)
    return kernel.emitError("kernel '")
           << kernelName << "' takes " << type.getNumParams()
           << " arguments after lowering, but its interface describes "
           << numArgs;
  return kernel;
}

void WrapperBuilder::emitEntry(EntryAttr entry, LLVM::LLVMFuncOp kernel) {
  std::string name = (model.getName() + "_" + entry.getName()).str();
  SmallVector<DimAttr> dims = model.getEntryDims(entry);
  SmallVector<Type> argTypes{ptr};
  argTypes.append(dims.size(), i64);
  argTypes.append(entry.getInputs().size() + entry.getOutputs().size(), ptr);
  auto func = define(name, i32, argTypes);
  // The wrapper is the kernel's only caller; inlined into it, the kernel no
  // longer takes 5 arguments per memref (a model's every param), on which
  // LLVM's interprocedural passes (CalledValuePropagation, IPSCCP) are
  // quadratic: 2,000 params took 6.9 s at -O2, 0.2 s once inlined.
  kernel.setAlwaysInline(true);

  // The handle, each dim, each pointer: checked before any memory access.
  Value handle = func.getArgument(0);
  failIf(isNull(handle), ATTNRT_ERROR_INVALID_ARGUMENT,
         name + ": the model handle is null");
  llvm::StringMap<Value> dimValues;
  for (auto [index, dim] : llvm::enumerate(dims)) {
    Value value = func.getArgument(1 + index);
    dimValues[dim.getName()] = value;
    std::string prefix = (name + ": dim " + dim.getName()).str();
    failIf(builder.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::slt, value,
                                        constant(i64, 1)),
           ATTNRT_ERROR_INVALID_ARGUMENT,
           prefix + " must be at least 1, got %lld", value);
    if (std::optional<int64_t> max = dim.getMax())
      failIf(builder.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::sgt, value,
                                          constant(i64, *max)),
             ATTNRT_ERROR_INVALID_ARGUMENT,
             prefix + " = %lld is above its bound " + Twine(*max), value);
  }
  unsigned firstPointer = 1 + dims.size();
  SmallVector<std::pair<ArgAttr, Value>> buffers;
  for (auto [kind, args] : {std::make_pair("input", entry.getInputs()),
                            std::make_pair("output", entry.getOutputs())})
    for (ArgAttr arg : args) {
      Value pointer = func.getArgument(firstPointer + buffers.size());
      failIf(isNull(pointer), ATTNRT_ERROR_INVALID_ARGUMENT,
             name + ": " + kind + " '" + arg.getName() + "' is null");
      buffers.emplace_back(arg, pointer);
    }

  auto sizeValue = [&](const Extent &extent) {
    return extent.isDim() ? dimValues.lookup(extent.getDim())
                          : constant(i64, extent.getSize());
  };

  // Values that index memory (token ids, padding lengths), checked before
  // the kernel runs, so that nothing is written on a bad one.
  for (auto [arg, pointer] : buffers) {
    if (arg.getChecks().empty())
      continue;
    if (arg.getShape().empty()) {
      // A scalar is checked here, so that the message names it without an
      // index ("m_step: len = 9", not "len[0] = 9").
      Value value = builder.create<LLVM::LoadOp>(loc, i32, pointer);
      for (RangeCheckAttr check : arg.getChecks()) {
        Value max = sizeValue(check.getMax());
        Value wide = builder.create<LLVM::SExtOp>(loc, i64, value);
        Value below = builder.create<LLVM::ICmpOp>(
            loc, LLVM::ICmpPredicate::slt, wide, constant(i64, 0));
        Value above = builder.create<LLVM::ICmpOp>(
            loc, LLVM::ICmpPredicate::sgt, wide, max);
        failIf(builder.create<LLVM::OrOp>(loc, below, above),
               ATTNRT_ERROR_OUT_OF_RANGE,
               name + ": " + arg.getName() + " = %d is not " +
                   check.getWhat() + " (0 to %lld)",
               {value, max});
      }
      continue;
    }
    Value count = constant(i64, 1);
    for (const Extent &extent : arg.getShape())
      count = builder.create<LLVM::MulOp>(loc, count, sizeValue(extent));
    for (RangeCheckAttr check : arg.getChecks())
      returnIfError(call(RuntimeFunction::attnrt_check_range,
                         {pointer, count, sizeValue(check.getMax()),
                          string(name + ": " + arg.getName().str()),
                          string(check.getWhat())}));
  }

  // Each memref argument of the kernel is (allocated, aligned, offset,
  // sizes..., strides...), row-major.
  SmallVector<Value> kernelArgs;
  auto addMemref = [&](ArgAttr arg, Value pointer) {
    SmallVector<Value> sizes = llvm::map_to_vector(arg.getShape(), sizeValue);
    SmallVector<Value> strides(sizes.size());
    Value stride = constant(i64, 1);
    for (int64_t i = sizes.size() - 1; i >= 0; --i) {
      strides[i] = stride;
      stride = builder.create<LLVM::MulOp>(loc, stride, sizes[i]);
    }
    kernelArgs.append({pointer, pointer, constant(i64, 0)});
    kernelArgs.append(sizes.begin(), sizes.end());
    kernelArgs.append(strides.begin(), strides.end());
  };
  for (auto [index, param] : llvm::enumerate(model.getParams()))
    addMemref(param, call(RuntimeFunction::attnrt_model_param,
                          {handle, constant(i64, index)}));
  for (auto [arg, pointer] : buffers)
    addMemref(arg, pointer);

  // Concurrent callers share the cores (attnrt_call_begin).
  Value token = call(RuntimeFunction::attnrt_call_begin, {});
  builder.create<LLVM::CallOp>(loc, kernel, kernelArgs);
  builder.create<LLVM::CallOp>(loc, declare(RuntimeFunction::attnrt_call_end),
                               ValueRange{token});
  builder.create<LLVM::ReturnOp>(loc, constant(i32, ATTNRT_OK));
}

LogicalResult WrapperBuilder::checkSymbols() {
  SmallVector<std::string> defined{(model.getName() + "_create").str(),
                                   (model.getName() + "_destroy").str()};
  for (EntryAttr entry : model.getEntries())
    defined.push_back((model.getName() + "_" + entry.getName()).str());
  for (const std::string &name : defined)
    if (Operation *existing = symbols.lookup(name))
      return existing->emitError("'")
             << name << "' is defined already: the C interface would "
             << "redefine it (did attn-emit-c-interface run twice?)";
  for (RuntimeFunction fn : kRuntimeFunctions) {
    StringRef name = getRuntimeFunctionName(fn);
    Operation *existing = symbols.lookup(name);
    if (!existing)
      continue;
    LLVM::LLVMFunctionType type =
        getRuntimeLLVMFunctionType(module.getContext(), fn);
    auto func = dyn_cast<LLVM::LLVMFuncOp>(existing);
    if (!func || func.getFunctionType() != type)
      return existing->emitError("'")
             << name << "' is not libattnrt's function of type " << type;
  }
  return success();
}

LogicalResult WrapperBuilder::run() {
  // Everything that can refuse is checked before anything is built.
  SmallVector<LLVM::LLVMFuncOp> kernels;
  for (EntryAttr entry : model.getEntries()) {
    FailureOr<LLVM::LLVMFuncOp> kernel = lookupKernel(entry);
    if (failed(kernel))
      return failure();
    kernels.push_back(*kernel);
  }
  if (failed(checkSymbols()))
    return failure();

  // Only the model's API, defined below, leaves the object: the kernels
  // (which may then be inlined into it), their outlined parallel bodies and
  // upstream's helpers (dealloc_helper) become local, so that several
  // models link into one program.
  for (auto func : module.getOps<LLVM::LLVMFuncOp>())
    if (!func.isExternal())
      func.setLinkage(LLVM::Linkage::Internal);
  for (auto global : module.getOps<LLVM::GlobalOp>())
    if (global.getLinkage() == LLVM::Linkage::External &&
        (global.getValueOrNull() || !global.getInitializerRegion().empty()))
      global.setLinkage(LLVM::Linkage::Internal);

  emitCreate();
  emitDestroy();
  for (auto [entry, kernel] : llvm::zip_equal(model.getEntries(), kernels))
    emitEntry(entry, kernel);
  return success();
}

struct AttnEmitCInterfacePass
    : attn::impl::AttnEmitCInterfaceBase<AttnEmitCInterfacePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<ModelAttr> model = lookupModel(module);
    if (failed(model) || failed(WrapperBuilder(module, *model).run()))
      signalPassFailure();
  }
};

} // namespace
