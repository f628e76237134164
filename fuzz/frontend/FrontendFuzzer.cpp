//===- FrontendFuzzer.cpp - libFuzzer target: .attn to LLVM IR ------------===//
//
// Compiles the input as a .attn model the way attnc does: parse, Sema,
// MLIRGen (which verifies), the C header and Python module, the whole
// lowering pipeline, and the translation to LLVM IR (LLVM's own optimizer
// at -O0: it is upstream code, and -O2 would cut the executions per second
// tenfold). Every stage may reject the input with diagnostics, which are
// counted and dropped; none may crash, hang or trip a sanitizer.
//
// In a build with LLVM_USE_SANITIZE_COVERAGE (scripts/test-sanitized.sh)
// this links libFuzzer; elsewhere DummyFuzzerMain.cpp runs the files named
// on its command line once each, which is how test/fuzz replays the corpus.
//
//===----------------------------------------------------------------------===//

#include "codegen/Codegen.h"
#include "frontend/MLIRGen.h"
#include "frontend/Parser.h"
#include "frontend/Sema.h"
#include "interface/CInterface.h"
#include "passes/Pipeline.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>

using namespace mlir;

namespace {

/// Runs every stage attnc runs for `--emit=llvm --header --python`,
/// stopping at the first that fails.
LogicalResult compile(MLIRContext &context, llvm::StringRef text) {
  attnc::Source source{&context, "fuzz.attn"};
  std::unique_ptr<attnc::ModelDecl> model = attnc::parseModel(text, source);
  if (!model || failed(attnc::checkModel(*model, source)))
    return failure();
  OwningOpRef<ModuleOp> module = attnc::emitModule(context, *model, source);
  if (!module)
    return failure();

  attn::HeaderProvenance provenance;
  provenance.sourceName = source.filename;
  std::string header, python;
  llvm::raw_string_ostream headerStream(header), pythonStream(python);
  if (failed(attn::emitCHeader(*module, provenance, headerStream)) ||
      failed(attn::emitPythonModule(*module, provenance, pythonStream)))
    return failure();

  PassManager pm(&context, ModuleOp::getOperationName());
  attn::LowerOptions lowering;
  attn::buildLoweringPipeline(pm, lowering);
  if (failed(pm.run(*module)))
    return failure();

  attn::CodegenOptions codegen;
  codegen.optLevel = 0;
  llvm::SmallString<0> ir;
  llvm::raw_svector_ostream irStream(ir);
  return attn::emitLLVM(*module, attn::OutputKind::LLVMIR, codegen, irStream);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  DialectRegistry registry;
  attn::registerLoweringDialects(registry);
  MLIRContext context(registry);
  context.disableMultithreading();
  attnc::loadFrontendDialects(context);
  // Diagnostics are the expected outcome of most inputs: count, don't print.
  // Registered directly: in the g++ 12 build a ScopedDiagnosticHandler made
  // here smashed the stack of libMLIR's registerHandler (not understood;
  // attnc, which also registers directly, never did).
  unsigned diagnostics = 0;
  context.getDiagEngine().registerHandler([&](Diagnostic &) {
    ++diagnostics;
    return success();
  });
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  (void)compile(context, text);
  return 0;
}
