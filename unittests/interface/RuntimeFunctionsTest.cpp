//===- RuntimeFunctionsTest.cpp - The runtime table against attnrt.h ------===//

#include "interface/RuntimeFunctions.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <type_traits>

// The table cannot drift from the header: each entry's C type is exactly
// the type of the function attnrt.h declares, since a function pointer
// converts to no other function pointer type (a mismatch fails to compile).
// Unlike std::is_same on decltype, this keeps g++ quiet about the printf
// attribute of attnrt_set_error.
#define ATTNRT_FUNCTION(NAME, TYPE)                                            \
  [[maybe_unused]] constexpr std::add_pointer_t<TYPE> NAME##_in_attnrt_h =     \
      &::NAME;
#include "interface/RuntimeFunctions.def"

using namespace mlir;
using namespace mlir::attn;

namespace {

class RuntimeFunctionsTest : public ::testing::Test {
protected:
  RuntimeFunctionsTest() { context.loadDialect<LLVM::LLVMDialect>(); }

  MLIRContext context;
  Builder b{&context};
  Type i32 = b.getI32Type(), i64 = b.getI64Type(), f32 = b.getF32Type();
  Type ptr, voidType;

  void SetUp() override {
    ptr = LLVM::LLVMPointerType::get(&context);
    voidType = LLVM::LLVMVoidType::get(&context);
  }
};

TEST_F(RuntimeFunctionsTest, Names) {
  EXPECT_EQ(getRuntimeFunctionName(RuntimeFunction::attnrt_sgemm),
            "attnrt_sgemm");
  EXPECT_EQ(getRuntimeFunctionName(RuntimeFunction::attnrt_parallel_for),
            "attnrt_parallel_for");
}

// The types the BLAS and parallel passes declared by hand before the table.
TEST_F(RuntimeFunctionsTest, FuncTypes) {
  EXPECT_EQ(getRuntimeFunctionType(&context, RuntimeFunction::attnrt_sgemm),
            b.getFunctionType({i32, i32, i64, i64, i64, f32, ptr, i64, ptr, i64,
                               f32, ptr, i64},
                              {}));
  EXPECT_EQ(getRuntimeFunctionType(&context, RuntimeFunction::attnrt_sgemv),
            b.getFunctionType(
                {i32, i64, i64, f32, ptr, i64, ptr, i64, f32, ptr, i64}, {}));
  EXPECT_EQ(
      getRuntimeFunctionType(&context, RuntimeFunction::attnrt_parallel_for),
      b.getFunctionType({i64, ptr, ptr}, {}));
}

TEST_F(RuntimeFunctionsTest, LLVMTypes) {
  auto type = [&](RuntimeFunction fn) {
    return getRuntimeLLVMFunctionType(&context, fn);
  };
  EXPECT_EQ(type(RuntimeFunction::attnrt_set_error),
            LLVM::LLVMFunctionType::get(i32, {i32, ptr}, /*isVarArg=*/true));
  EXPECT_EQ(type(RuntimeFunction::attnrt_model_open_memory),
            LLVM::LLVMFunctionType::get(i32, {ptr, i64, i64, ptr}));
  EXPECT_EQ(type(RuntimeFunction::attnrt_model_bind),
            LLVM::LLVMFunctionType::get(i32, {ptr, i64, ptr, i32, i64, ptr}));
  EXPECT_EQ(type(RuntimeFunction::attnrt_model_param),
            LLVM::LLVMFunctionType::get(ptr, {ptr, i64}));
  EXPECT_EQ(type(RuntimeFunction::attnrt_model_destroy),
            LLVM::LLVMFunctionType::get(voidType, {ptr}));
  EXPECT_EQ(type(RuntimeFunction::attnrt_check_range),
            LLVM::LLVMFunctionType::get(i32, {ptr, i64, i64, ptr, ptr}));
}

} // namespace
