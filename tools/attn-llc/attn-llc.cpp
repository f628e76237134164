//===- attn-llc.cpp - LLVM-dialect MLIR to LLVM IR, assembly or object ----===//
//
// A thin driver over AttnCodegen (codegen/Codegen.h), like llc for MLIR files
// already lowered by `attn-opt --attnc-lower`. The lit tests of test/codegen
// use it; the attnc driver calls the same library.
//
//===----------------------------------------------------------------------===//

#include "codegen/Codegen.h"
#include "interface/Version.h"
#include "passes/Pipeline.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

/// attn-llc's own options; --help hides the hundreds that libLLVM registers.
static llvm::cl::OptionCategory category("attn-llc options");

static llvm::cl::opt<std::string> inputFilename(llvm::cl::Positional,
                                                llvm::cl::desc("<input.mlir>"),
                                                llvm::cl::init("-"),
                                                llvm::cl::cat(category));
static llvm::cl::opt<std::string>
    outputFilename("o", llvm::cl::desc("Output file ('-' for stdout)"),
                   llvm::cl::value_desc("filename"), llvm::cl::init("-"),
                   llvm::cl::cat(category));
static llvm::cl::opt<attn::OutputKind> emitKind(
    "emit", llvm::cl::desc("What to write"),
    llvm::cl::values(
        clEnumValN(attn::OutputKind::LLVMIR, "llvm", "textual LLVM IR"),
        clEnumValN(attn::OutputKind::Assembly, "asm", "assembly"),
        clEnumValN(attn::OutputKind::Object, "obj", "an object file")),
    llvm::cl::init(attn::OutputKind::Object), llvm::cl::cat(category));
static llvm::cl::opt<unsigned>
    optLevel("O", llvm::cl::desc("Optimization level (-O0..-O3)"),
             llvm::cl::Prefix, llvm::cl::init(2), llvm::cl::cat(category));
static llvm::cl::opt<std::string>
    mcpu("mcpu", llvm::cl::desc("Target CPU (default: the host's)"),
         llvm::cl::init(""), llvm::cl::cat(category));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::cl::AddExtraVersionPrinter(
      [](llvm::raw_ostream &os) {
        os << "attnc version " << mlir::attn::getCompilerVersion() << "\n";
      });
  llvm::cl::HideUnrelatedOptions(category);
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "attn-llc: LLVM-dialect MLIR to LLVM IR, assembly or object\n");

  // The pipeline's dialects too, so that a module not lowered all the way
  // parses and gets the translation's error rather than a parse error.
  DialectRegistry registry;
  attn::registerLoweringDialects(registry);
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      openInputFile(inputFilename, &error);
  if (!input) {
    llvm::errs() << error << "\n";
    return 1;
  }
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;

  // Written whole or not at all: the file is kept only on success.
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << error << "\n";
    return 1;
  }
  attn::CodegenOptions options;
  options.optLevel = optLevel;
  options.cpu = mcpu;
  if (failed(attn::emitLLVM(*module, emitKind, options, output->os())))
    return 1;
  output->keep();
  return 0;
}
