//===- PythonModuleTest.cpp - The Python module of a model interface -----===//
//
// What the .attn language cannot write yet but attn.model can hold: a dim
// that only an output uses becomes a keyword-only argument of the method
// (renamed like any name that is a Python keyword). The rest of
// emitPythonModule is tested through attnc (test/attnc/python-module.test,
// test/e2e/python-module.test).
//
//===----------------------------------------------------------------------===//

#include "interface/CInterface.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kModule = R"mlir(
module attributes {attn.model = #attn.model<"gen",
    dims = [#attn.dim<"S", max = 8>, #attn.dim<"lambda">, #attn.dim<"T">],
    params = [],
    entries = [#attn.entry<"f", kernel = @__attnc_gen_f,
                           inputs = [#attn.arg<"x" : f32[S, 4]>],
                           outputs = [#attn.arg<"y" : f32[T, lambda, S]>]>]>} {
}
)mlir";

TEST(PythonModuleTest, DimsOnlyOutputsUseAreKeywordOnlyArguments) {
  MLIRContext context;
  context.loadDialect<attn::AttnDialect>();
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(kModule, &context);
  ASSERT_TRUE(module);
  std::string text;
  llvm::raw_string_ostream os(text);
  attn::HeaderProvenance provenance;
  provenance.sourceName = "gen.attn";
  ASSERT_TRUE(succeeded(attn::emitPythonModule(*module, provenance, os)));

  // The C function takes every dim in the model's order; the method reads
  // S from x's shape and the others from keywords, `lambda` as `lambda_`.
  EXPECT_NE(text.find(R"("f", "gen_f", (("S", 8), ("lambda", None), ("T", None)),)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("    def f(self, x, *, lambda_, T):\n"
                      "        \"\"\"f(x, *, lambda_, T) -> y\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("            S: 1 to 8, from the inputs' shapes\n"
                      "            lambda: at least 1, the keyword argument "
                      "lambda_\n"
                      "            T: at least 1, the keyword argument T\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(return self._attnc_call("f", (x,), {"lambda": lambda_, "T": T}))"),
            std::string::npos)
      << text;
}

} // namespace
