//===- CInterface.cpp - The C interface of a compiled model ---------------===//

#include "interface/CInterface.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

#include <variant>

using namespace mlir;
using namespace mlir::attn;

namespace {

// Status codes of runtime/include/attnrt.h.
constexpr int32_t kStatusOk = 0;
constexpr int32_t kStatusInvalidArgument = 1;

/// A model's interface, read back from the module attributes of MLIRGen.
using Size = std::variant<int64_t, std::string>; // a size or a dim's name

/// An i32 input's values must be in [0, max] (see MLIRGen.h).
struct RangeCheck {
  Size max;
  std::string what;
};

struct ArgInfo {
  std::string name;
  bool isF32 = true;
  SmallVector<Size> shape;
  SmallVector<RangeCheck> checks;
};
struct EntryInfo {
  std::string name, kernel;
  std::vector<ArgInfo> inputs, outputs;
  SmallVector<std::string> dims; // run-time dims it takes, in model order
};
struct DimInfo {
  std::string name;
  std::optional<int64_t> max;
};
struct ModelInfo {
  std::string name;
  SmallVector<DimInfo> dims;
  std::vector<ArgInfo> params;
  std::vector<EntryInfo> entries;
};

FailureOr<ArgInfo> readArg(Attribute attr) {
  auto dict = dyn_cast<DictionaryAttr>(attr);
  if (!dict)
    return failure();
  auto name = dict.getAs<StringAttr>("name");
  auto dtype = dict.getAs<StringAttr>("dtype");
  auto shape = dict.getAs<ArrayAttr>("shape");
  if (!name || !dtype || !shape)
    return failure();
  ArgInfo arg{name.str(), dtype.getValue() == "f32", {}, {}};
  auto readSize = [](Attribute dim) -> FailureOr<Size> {
    if (auto size = dyn_cast_or_null<IntegerAttr>(dim))
      return Size(size.getInt());
    if (auto var = dyn_cast_or_null<StringAttr>(dim))
      return Size(var.str());
    return failure();
  };
  for (Attribute dim : shape) {
    FailureOr<Size> size = readSize(dim);
    if (failed(size))
      return failure();
    arg.shape.push_back(*size);
  }
  if (auto checks = dict.getAs<ArrayAttr>("checks")) {
    for (Attribute attr : checks) {
      auto check = dyn_cast<DictionaryAttr>(attr);
      FailureOr<Size> max = readSize(check ? check.get("max") : nullptr);
      auto what = check ? check.getAs<StringAttr>("what") : nullptr;
      if (failed(max) || !what)
        return failure();
      arg.checks.push_back({*max, what.str()});
    }
  }
  return arg;
}

FailureOr<ModelInfo> readModel(ModuleOp module) {
  auto fail = [&]() -> FailureOr<ModelInfo> {
    return module.emitError("the module does not describe an attnc model "
                            "(attn.model, attn.dims, attn.params, "
                            "attn.entries); was it made by attnc?");
  };
  auto name = module->getAttrOfType<StringAttr>("attn.model");
  auto dims = module->getAttrOfType<ArrayAttr>("attn.dims");
  auto params = module->getAttrOfType<ArrayAttr>("attn.params");
  auto entries = module->getAttrOfType<ArrayAttr>("attn.entries");
  if (!name || !dims || !params || !entries)
    return fail();
  ModelInfo model{name.str(), {}, {}, {}};
  for (Attribute attr : dims) {
    auto dict = dyn_cast<DictionaryAttr>(attr);
    auto dimName = dict ? dict.getAs<StringAttr>("name") : nullptr;
    if (!dimName)
      return fail();
    DimInfo dim{dimName.str(), std::nullopt};
    if (auto max = dict.getAs<IntegerAttr>("max"))
      dim.max = max.getInt();
    model.dims.push_back(dim);
  }
  for (Attribute attr : params) {
    auto param = readArg(attr);
    if (failed(param))
      return fail();
    model.params.push_back(*param);
  }
  for (Attribute attr : entries) {
    auto dict = dyn_cast<DictionaryAttr>(attr);
    if (!dict || !dict.getAs<StringAttr>("name") ||
        !dict.getAs<StringAttr>("kernel") || !dict.getAs<ArrayAttr>("inputs") ||
        !dict.getAs<ArrayAttr>("outputs"))
      return fail();
    EntryInfo entry;
    entry.name = dict.getAs<StringAttr>("name").str();
    entry.kernel = dict.getAs<StringAttr>("kernel").str();
    for (auto [list, key] : {std::make_pair(&entry.inputs, "inputs"),
                             std::make_pair(&entry.outputs, "outputs")})
      for (Attribute argAttr : dict.getAs<ArrayAttr>(key)) {
        auto arg = readArg(argAttr);
        if (failed(arg))
          return fail();
        list->push_back(*arg);
      }
    // The dims an entry takes: those its inputs and outputs use, in the
    // order the model declares them.
    for (const DimInfo &dim : model.dims) {
      bool used = false;
      for (const auto *list : {&entry.inputs, &entry.outputs})
        for (const ArgInfo &arg : *list)
          for (const auto &size : arg.shape)
            used |= std::holds_alternative<std::string>(size) &&
                    std::get<std::string>(size) == dim.name;
      if (used)
        entry.dims.push_back(dim.name);
    }
    model.entries.push_back(std::move(entry));
  }
  return model;
}

//===----------------------------------------------------------------------===//
// Wrapper functions in the LLVM dialect
//===----------------------------------------------------------------------===//

class WrapperBuilder {
public:
  WrapperBuilder(ModuleOp module, const ModelInfo &model)
      : module(module), model(model), builder(module.getContext()),
        loc(module.getLoc()) {
    MLIRContext *context = module.getContext();
    i32 = IntegerType::get(context, 32);
    i64 = IntegerType::get(context, 64);
    ptr = LLVM::LLVMPointerType::get(context);
    voidType = LLVM::LLVMVoidType::get(context);
  }

  LogicalResult run();

private:
  LLVM::LLVMFuncOp declare(StringRef name, LLVM::LLVMFunctionType type);
  LLVM::LLVMFuncOp define(StringRef name, Type result, ArrayRef<Type> args);
  Value constant(Type type, int64_t value) {
    return builder.create<LLVM::ConstantOp>(loc, type,
                                            builder.getIntegerAttr(type, value));
  }
  Value string(StringRef text);
  Value shapeArray(ArrayRef<int64_t> shape);
  /// If `failed` holds, records `format` (printf-style, with `args`) as the
  /// thread's last error and returns `status`; continues otherwise.
  void failIf(Value failed, int32_t status, StringRef format,
              ValueRange args = {});
  /// Returns `status` unchanged if it is not ok, calling `cleanup` first.
  void returnIfError(Value status, function_ref<void()> cleanup = {});
  void emitCreate();
  void emitDestroy();
  LogicalResult emitEntry(const EntryInfo &entry);

  ModuleOp module;
  const ModelInfo &model;
  OpBuilder builder;
  Location loc;
  Type i32, i64, ptr, voidType;
  unsigned numGlobals = 0;
};

LLVM::LLVMFuncOp WrapperBuilder::declare(StringRef name,
                                         LLVM::LLVMFunctionType type) {
  if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(module.getBody());
  return builder.create<LLVM::LLVMFuncOp>(loc, name, type);
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

void WrapperBuilder::failIf(Value failed, int32_t status, StringRef format,
                            ValueRange args) {
  Block *current = builder.getInsertionBlock();
  Region *region = current->getParent();
  Block *onError = builder.createBlock(region);
  Block *onSuccess = builder.createBlock(region);
  builder.setInsertionPointToEnd(current);
  builder.create<LLVM::CondBrOp>(loc, failed, onError, onSuccess);

  builder.setInsertionPointToStart(onError);
  auto setError = declare(
      "attnrt_set_error",
      LLVM::LLVMFunctionType::get(i32, {i32, ptr}, /*isVarArg=*/true));
  SmallVector<Value> callArgs{constant(i32, status), string(format)};
  callArgs.append(args.begin(), args.end());
  auto call = builder.create<LLVM::CallOp>(loc, setError, callArgs);
  builder.create<LLVM::ReturnOp>(loc, call.getResult());
  builder.setInsertionPointToStart(onSuccess);
}

void WrapperBuilder::returnIfError(Value status,
                                   function_ref<void()> cleanup) {
  Block *current = builder.getInsertionBlock();
  Region *region = current->getParent();
  Block *onError = builder.createBlock(region);
  Block *onSuccess = builder.createBlock(region);
  builder.setInsertionPointToEnd(current);
  Value failed = builder.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::ne,
                                              status, constant(i32, kStatusOk));
  builder.create<LLVM::CondBrOp>(loc, failed, onError, onSuccess);
  builder.setInsertionPointToStart(onError);
  if (cleanup)
    cleanup();
  builder.create<LLVM::ReturnOp>(loc, status);
  builder.setInsertionPointToStart(onSuccess);
}

void WrapperBuilder::emitCreate() {
  std::string name = model.name + "_create";
  auto func = define(name, i32, {ptr, ptr});
  Value path = func.getArgument(0), out = func.getArgument(1);
  Value null = builder.create<LLVM::ZeroOp>(loc, ptr);
  failIf(builder.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::eq, out, null),
         kStatusInvalidArgument, name + ": the pointer to store the model in "
                                        "is null");
  builder.create<LLVM::StoreOp>(loc, null, out);

  auto open = declare("attnrt_model_open",
                      LLVM::LLVMFunctionType::get(i32, {ptr, i64, ptr}));
  auto bind = declare("attnrt_model_bind",
                      LLVM::LLVMFunctionType::get(i32, {ptr, i64, ptr, i32,
                                                        i64, ptr}));
  auto destroy = declare("attnrt_model_destroy",
                         LLVM::LLVMFunctionType::get(voidType, {ptr}));
  Value slot = builder.create<LLVM::AllocaOp>(loc, ptr, ptr,
                                              constant(i64, 1));
  builder.create<LLVM::StoreOp>(loc, null, slot);
  auto openFile = [&] {
    return builder
        .create<LLVM::CallOp>(
            loc, open,
            ValueRange{path, constant(i64, model.params.size()), slot})
        .getResult();
  };
  Value status;
  if (model.params.empty()) {
    // A model without parameters needs no file: a null path opens an empty
    // safetensors image (8-byte header length, then "{}" padded to 8).
    static constexpr char kEmptyImage[] = "\x08\0\0\0\0\0\0\0{}      ";
    constexpr int64_t kEmptyImageSize = sizeof(kEmptyImage) - 1;
    auto openMemory =
        declare("attnrt_model_open_memory",
                LLVM::LLVMFunctionType::get(i32, {ptr, i64, i64, ptr}));
    Block *current = builder.getInsertionBlock();
    Region *region = current->getParent();
    Block *fromMemory = builder.createBlock(region);
    Block *fromFile = builder.createBlock(region);
    Block *opened = builder.createBlock(region, {}, {i32}, {loc});
    builder.setInsertionPointToEnd(current);
    builder.create<LLVM::CondBrOp>(
        loc,
        builder.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::eq, path, null),
        fromMemory, fromFile);
    builder.setInsertionPointToStart(fromMemory);
    Value image = string(StringRef(kEmptyImage, kEmptyImageSize));
    Value fromImage = builder
                          .create<LLVM::CallOp>(
                              loc, openMemory,
                              ValueRange{image, constant(i64, kEmptyImageSize),
                                         constant(i64, 0), slot})
                          .getResult();
    builder.create<LLVM::BrOp>(loc, ValueRange{fromImage}, opened);
    builder.setInsertionPointToStart(fromFile);
    builder.create<LLVM::BrOp>(loc, ValueRange{openFile()}, opened);
    builder.setInsertionPointToStart(opened);
    status = opened->getArgument(0);
  } else {
    status = openFile();
  }
  returnIfError(status);
  Value handle = builder.create<LLVM::LoadOp>(loc, ptr, slot);
  for (auto [index, param] : llvm::enumerate(model.params)) {
    SmallVector<int64_t> shape;
    for (const auto &size : param.shape)
      shape.push_back(std::get<int64_t>(size));
    Value bound =
        builder
            .create<LLVM::CallOp>(
                loc, bind,
                ValueRange{handle, constant(i64, index), string(param.name),
                           constant(i32, param.isF32 ? 0 : 1),
                           constant(i64, shape.size()), shapeArray(shape)})
            .getResult();
    returnIfError(bound, [&] {
      builder.create<LLVM::CallOp>(loc, destroy, ValueRange{handle});
    });
  }
  builder.create<LLVM::StoreOp>(loc, handle, out);
  builder.create<LLVM::ReturnOp>(loc, constant(i32, kStatusOk));
}

void WrapperBuilder::emitDestroy() {
  auto func = define(model.name + "_destroy", voidType, {ptr});
  auto destroy = declare("attnrt_model_destroy",
                         LLVM::LLVMFunctionType::get(voidType, {ptr}));
  builder.create<LLVM::CallOp>(loc, destroy, ValueRange{func.getArgument(0)});
  builder.create<LLVM::ReturnOp>(loc, ValueRange{});
}

LogicalResult WrapperBuilder::emitEntry(const EntryInfo &entry) {
  auto kernel = module.lookupSymbol<LLVM::LLVMFuncOp>(entry.kernel);
  if (!kernel)
    return module.emitError("the lowered module has no kernel '")
           << entry.kernel << "' for entry point '" << entry.name << "'";
  if (!isa<LLVM::LLVMVoidType>(kernel.getFunctionType().getReturnType()))
    return kernel.emitError("kernel '")
           << entry.kernel
           << "' returns values: its outputs were not written in place";

  std::string name = model.name + "_" + entry.name;
  SmallVector<Type> argTypes{ptr};
  argTypes.append(entry.dims.size(), i64);
  argTypes.append(entry.inputs.size() + entry.outputs.size(), ptr);
  auto func = define(name, i32, argTypes);

  // The handle, each dim, each pointer: checked before any memory access.
  Value null = builder.create<LLVM::ZeroOp>(loc, ptr);
  Value handle = func.getArgument(0);
  failIf(builder.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::eq, handle,
                                      null),
         kStatusInvalidArgument, name + ": the model handle is null");
  llvm::StringMap<Value> dimValues;
  for (unsigned index = 0; index < entry.dims.size(); ++index) {
    const std::string &dimName = entry.dims[index];
    Value dim = func.getArgument(1 + index);
    dimValues[dimName] = dim;
    const DimInfo &info =
        *llvm::find_if(model.dims, [&](const DimInfo &d) {
          return d.name == dimName;
        });
    failIf(builder.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::slt, dim,
                                        constant(i64, 1)),
           kStatusInvalidArgument,
           name + ": dim " + dimName + " must be at least 1, got %lld", dim);
    if (info.max)
      failIf(builder.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::sgt, dim,
                                          constant(i64, *info.max)),
             kStatusInvalidArgument,
             name + ": dim " + dimName + " = %lld is above its bound " +
                 std::to_string(*info.max),
             dim);
  }
  unsigned firstPointer = 1 + entry.dims.size();
  SmallVector<std::pair<const ArgInfo *, Value>> buffers;
  for (auto [kind, list] : {std::make_pair("input", &entry.inputs),
                            std::make_pair("output", &entry.outputs)})
    for (const ArgInfo &arg : *list) {
      Value pointer = func.getArgument(firstPointer + buffers.size());
      failIf(builder.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::eq,
                                          pointer, null),
             kStatusInvalidArgument,
             name + ": " + kind + " '" + arg.name + "' is null");
      buffers.emplace_back(&arg, pointer);
    }

  auto sizeValue = [&](const Size &size) {
    return std::holds_alternative<int64_t>(size)
               ? constant(i64, std::get<int64_t>(size))
               : dimValues.lookup(std::get<std::string>(size));
  };

  // Values that index memory (token ids, padding lengths), checked before
  // the kernel runs, so that nothing is written on a bad one.
  for (auto [arg, pointer] : buffers) {
    if (arg->checks.empty())
      continue;
    auto checkRange = declare(
        "attnrt_check_range",
        LLVM::LLVMFunctionType::get(i32, {ptr, i64, i64, ptr, ptr}));
    Value count = constant(i64, 1);
    for (const Size &size : arg->shape)
      count = builder.create<LLVM::MulOp>(loc, count, sizeValue(size));
    for (const RangeCheck &check : arg->checks) {
      Value status =
          builder
              .create<LLVM::CallOp>(
                  loc, checkRange,
                  ValueRange{pointer, count, sizeValue(check.max),
                             string(name + ": " + arg->name),
                             string(check.what)})
              .getResult();
      returnIfError(status);
    }
  }

  // Each memref argument of the kernel is (allocated, aligned, offset,
  // sizes..., strides...), row-major.
  SmallVector<Value> kernelArgs;
  auto addMemref = [&](const ArgInfo &arg, Value pointer) {
    SmallVector<Value> sizes;
    for (const Size &size : arg.shape)
      sizes.push_back(sizeValue(size));
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
  auto param = declare("attnrt_model_param",
                       LLVM::LLVMFunctionType::get(ptr, {ptr, i64}));
  for (auto [index, info] : llvm::enumerate(model.params)) {
    Value pointer = builder
                        .create<LLVM::CallOp>(
                            loc, param,
                            ValueRange{handle, constant(i64, index)})
                        .getResult();
    addMemref(info, pointer);
  }
  for (auto &buffer : buffers)
    addMemref(*buffer.first, buffer.second);

  if (kernel.getFunctionType().getNumParams() != kernelArgs.size())
    return kernel.emitError("kernel '")
           << entry.kernel << "' takes "
           << kernel.getFunctionType().getNumParams()
           << " arguments after lowering, but its interface describes "
           << kernelArgs.size();
  builder.create<LLVM::CallOp>(loc, kernel, kernelArgs);
  builder.create<LLVM::ReturnOp>(loc, constant(i32, kStatusOk));
  // Only the C interface is exported; the kernel may be inlined into it.
  kernel.setLinkage(LLVM::Linkage::Internal);
  return success();
}

LogicalResult WrapperBuilder::run() {
  emitCreate();
  emitDestroy();
  for (const EntryInfo &entry : model.entries)
    if (failed(emitEntry(entry)))
      return failure();
  return success();
}

} // namespace

LogicalResult mlir::attn::emitCInterface(ModuleOp module) {
  FailureOr<ModelInfo> model = readModel(module);
  if (failed(model))
    return failure();
  return WrapperBuilder(module, *model).run();
}

//===----------------------------------------------------------------------===//
// The header
//===----------------------------------------------------------------------===//

LogicalResult mlir::attn::emitCHeader(ModuleOp module,
                                      llvm::StringRef sourceName,
                                      llvm::raw_ostream &os) {
  FailureOr<ModelInfo> info = readModel(module);
  if (failed(info))
    return failure();
  const ModelInfo &model = *info;
  std::string upper = llvm::StringRef(model.name).upper();
  std::string guard = "ATTNC_MODEL_" + upper + "_H";
  auto sizeText = [](const std::variant<int64_t, std::string> &size) {
    return std::holds_alternative<int64_t>(size)
               ? std::to_string(std::get<int64_t>(size))
               : std::get<std::string>(size);
  };
  auto typeText = [&](const ArgInfo &arg) {
    std::string text = arg.isF32 ? "f32[" : "i32[";
    for (size_t i = 0; i < arg.shape.size(); ++i)
      text += (i ? ", " : "") + sizeText(arg.shape[i]);
    return arg.shape.empty() ? text.substr(0, 3) : text + "]";
  };

  os << "/* " << model.name << ".h: C interface of the attnc model '"
     << model.name << "'.\n"
     << " * Generated by attnc " ATTNC_VERSION " from " << sourceName
     << "; do not edit.\n"
     << " * Link: cc app.c " << model.name
     << ".o -lattnrt -lopenblas -lm (see docs/RUNTIME.md). */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n#include \"attnrt.h\"\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";

  if (!model.dims.empty()) {
    os << "/* Run-time dims and their upper bounds. */\n";
    for (const DimInfo &dim : model.dims)
      if (dim.max)
        os << "#define " << upper << "_" << llvm::StringRef(dim.name).upper()
           << "_MAX " << *dim.max << "\n";
    os << "\n";
  }

  os << "/* The model: its weights, loaded once, immutable, shareable by\n"
     << " * threads. */\n"
     << "typedef struct " << model.name << " " << model.name << ";\n\n"
     << "/* Loads and checks the weights from a safetensors file; on success\n"
     << " * stores a new model in *model. Parameters (name: dtype[shape]):\n";
  for (const ArgInfo &param : model.params)
    os << " *   " << param.name << ": " << typeText(param) << "\n";
  if (model.params.empty())
    os << " *   none: weights_path may be NULL (no file is read)\n";
  os << " */\n"
     << "attnrt_status " << model.name << "_create(const char *weights_path, "
     << model.name << " **model);\n\n"
     << "/* Frees a model made by " << model.name
     << "_create (NULL is fine). */\n"
     << "void " << model.name << "_destroy(" << model.name << " *model);\n";

  for (const EntryInfo &entry : model.entries) {
    std::string fn = model.name + "_" + entry.name;
    os << "\n/* " << entry.name << ": row-major buffers, caller-owned.\n";
    for (const ArgInfo &arg : entry.inputs)
      os << " *   in  " << arg.name << ": " << typeText(arg) << "\n";
    for (const ArgInfo &arg : entry.outputs)
      os << " *   out " << arg.name << ": " << typeText(arg) << "\n";
    os << " * Returns ATTNRT_OK, or an error status with attnrt_last_error()\n"
       << " * set; the arguments are checked before any buffer is touched. "
          "*/\n"
       << "attnrt_status " << fn << "(const " << model.name << " *model";
    for (const std::string &dim : entry.dims)
      os << ", int64_t " << dim;
    for (const ArgInfo &arg : entry.inputs)
      os << ", const " << (arg.isF32 ? "float" : "int32_t") << " *"
         << arg.name;
    for (const ArgInfo &arg : entry.outputs)
      os << ", " << (arg.isF32 ? "float" : "int32_t") << " *" << arg.name;
    os << ");\n";
    // Element counts, for allocating the buffers.
    for (const auto *list : {&entry.inputs, &entry.outputs})
      for (const ArgInfo &arg : *list) {
        os << "static inline int64_t " << fn << "_" << arg.name
           << "_count(";
        for (size_t i = 0; i < entry.dims.size(); ++i)
          os << (i ? ", " : "") << "int64_t " << entry.dims[i];
        if (entry.dims.empty())
          os << "void";
        os << ") { ";
        // Every helper of a fn takes all its dims; mark the unused ones so
        // that -Wextra stays quiet.
        for (const std::string &dim : entry.dims)
          if (llvm::none_of(arg.shape, [&](const auto &size) {
                return std::holds_alternative<std::string>(size) &&
                       std::get<std::string>(size) == dim;
              }))
            os << "(void)" << dim << "; ";
        std::string product;
        for (const auto &size : arg.shape)
          product += (product.empty() ? "" : " * ") +
                     (std::holds_alternative<int64_t>(size)
                          ? "(int64_t)" + sizeText(size)
                          : sizeText(size));
        os << "return " << (product.empty() ? "1" : product) << "; }\n";
      }
  }
  os << "\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
  return success();
}
