//===- RuntimeFunctions.h - libattnrt functions as MLIR types ---*- C++ -*-===//
//
// The libattnrt functions that generated code calls, from the one table in
// RuntimeFunctions.def: their names and MLIR types, derived from their C
// types. Status codes and dtypes come from attnrt.h itself. Header-only, so
// that passes/ and interface/ share it without linking each other.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_INTERFACE_RUNTIMEFUNCTIONS_H
#define ATTNC_INTERFACE_RUNTIMEFUNCTIONS_H

#include "runtime/include/attnrt.h"

#include "mlir/Dialect/LLVMIR/LLVMTypes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/ErrorHandling.h"

#include <type_traits>

namespace mlir::attn {

/// A function of libattnrt that generated code calls.
enum class RuntimeFunction {
#define ATTNRT_FUNCTION(NAME, TYPE) NAME,
#include "interface/RuntimeFunctions.def"
};

/// Every RuntimeFunction, in table order.
inline constexpr RuntimeFunction kRuntimeFunctions[] = {
#define ATTNRT_FUNCTION(NAME, TYPE) RuntimeFunction::NAME,
#include "interface/RuntimeFunctions.def"
};

namespace detail {

/// The MLIR type of a C type of the runtime's ABI (64-bit targets). Other
/// C types have no specialization and fail to compile.
template <typename T>
struct RuntimeCType;
template <>
struct RuntimeCType<int32_t> {
  static Type get(MLIRContext *ctx) { return IntegerType::get(ctx, 32); }
};
template <>
struct RuntimeCType<int64_t> {
  static Type get(MLIRContext *ctx) { return IntegerType::get(ctx, 64); }
};
template <>
struct RuntimeCType<size_t> {
  static_assert(sizeof(size_t) == 8, "attnc targets 64-bit CPUs");
  static Type get(MLIRContext *ctx) { return IntegerType::get(ctx, 64); }
};
template <>
struct RuntimeCType<float> {
  static Type get(MLIRContext *ctx) { return Float32Type::get(ctx); }
};
/// Data and function pointers alike.
template <typename T>
struct RuntimeCType<T *> {
  static Type get(MLIRContext *ctx) { return LLVM::LLVMPointerType::get(ctx); }
};

/// The parameter and result types of a C function type.
template <typename F>
struct RuntimeSignature;
template <typename R, typename... Args>
struct RuntimeSignature<R(Args...)> {
  static constexpr bool isVarArg = false;
  static SmallVector<Type> getParams(MLIRContext *ctx) {
    return {RuntimeCType<Args>::get(ctx)...};
  }
  static SmallVector<Type> getResults(MLIRContext *ctx) {
    if constexpr (std::is_void_v<R>)
      return {};
    else
      return {RuntimeCType<R>::get(ctx)};
  }
};
template <typename R, typename... Args>
struct RuntimeSignature<R(Args..., ...)> : RuntimeSignature<R(Args...)> {
  static constexpr bool isVarArg = true;
};

template <typename F>
LLVM::LLVMFunctionType getLLVMFunctionType(MLIRContext *ctx) {
  using Signature = RuntimeSignature<F>;
  SmallVector<Type> results = Signature::getResults(ctx);
  Type result = results.empty() ? LLVM::LLVMVoidType::get(ctx) : results[0];
  return LLVM::LLVMFunctionType::get(result, Signature::getParams(ctx),
                                     Signature::isVarArg);
}

template <typename F>
FunctionType getFunctionType(MLIRContext *ctx) {
  using Signature = RuntimeSignature<F>;
  assert(!Signature::isVarArg && "a func.func cannot be variadic");
  return FunctionType::get(ctx, Signature::getParams(ctx),
                           Signature::getResults(ctx));
}

} // namespace detail

/// The C name of `fn`, e.g. "attnrt_sgemm".
inline StringRef getRuntimeFunctionName(RuntimeFunction fn) {
  switch (fn) {
#define ATTNRT_FUNCTION(NAME, TYPE)                                            \
  case RuntimeFunction::NAME:                                                  \
    return #NAME;
#include "interface/RuntimeFunctions.def"
  }
  llvm_unreachable("unknown runtime function");
}

/// The type of `fn` for an llvm.func declaration.
inline LLVM::LLVMFunctionType getRuntimeLLVMFunctionType(MLIRContext *ctx,
                                                         RuntimeFunction fn) {
  switch (fn) {
#define ATTNRT_FUNCTION(NAME, TYPE)                                            \
  case RuntimeFunction::NAME:                                                  \
    return detail::getLLVMFunctionType<TYPE>(ctx);
#include "interface/RuntimeFunctions.def"
  }
  llvm_unreachable("unknown runtime function");
}

/// The type of `fn` for a func.func declaration, pointers as !llvm.ptr; not
/// for the variadic attnrt_set_error.
inline FunctionType getRuntimeFunctionType(MLIRContext *ctx,
                                           RuntimeFunction fn) {
  switch (fn) {
#define ATTNRT_FUNCTION(NAME, TYPE)                                            \
  case RuntimeFunction::NAME:                                                  \
    return detail::getFunctionType<TYPE>(ctx);
#include "interface/RuntimeFunctions.def"
  }
  llvm_unreachable("unknown runtime function");
}

} // namespace mlir::attn

#endif // ATTNC_INTERFACE_RUNTIMEFUNCTIONS_H
