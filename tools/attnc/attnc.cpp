//===- attnc.cpp - The attnc compiler driver ------------------------------===//
//
// attnc model.attn -o model.o --header model.h
// attnc model.attn --emit=<stage>      # print the IR of one pipeline stage
//
// Reads a .attn model, checks it, emits the attn dialect, lowers it through
// the pipeline of DESIGN.md section 2 and writes an object file plus a C
// header. Outputs are built in memory and written only when every step
// succeeded, so an error never leaves a file behind.
//
//===----------------------------------------------------------------------===//

#include "frontend/Builtins.h"
#include "frontend/MLIRGen.h"
#include "frontend/Parser.h"
#include "frontend/Sema.h"
#include "interface/CInterface.h"
#include "codegen/Codegen.h"
#include "passes/Pipeline.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Support/ToolUtilities.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {

/// What attnc writes: the syntax tree, the IR at a pipeline stage, or what
/// code generation makes of the LLVM dialect.
enum class Emit { AST, Stage, LLVMIR, Asm, Obj };

struct EmitTarget {
  llvm::StringRef name, description;
  Emit kind;
  attn::Stage stage = attn::Stage::LLVMDialect;
};

/// The values of --emit, in pipeline order: the pipeline's stages
/// (attn::kStages) between the syntax tree and code generation.
const std::vector<EmitTarget> &emitTargets() {
  static const std::vector<EmitTarget> targets = [] {
    std::vector<EmitTarget> list{
        {"ast", "the syntax tree, after parsing", Emit::AST}};
    for (const attn::StageInfo &info : attn::kStages)
      list.push_back({info.name, info.description, Emit::Stage, info.stage});
    list.push_back({"llvm", "optimized LLVM IR", Emit::LLVMIR});
    list.push_back({"asm", "assembly for the target CPU", Emit::Asm});
    list.push_back({"obj", "an object file", Emit::Obj});
    return list;
  }();
  return targets;
}

cl::OptionCategory attncCategory("attnc options");

cl::opt<std::string> inputFilename(cl::Positional,
                                   cl::desc("<input .attn file, or - for stdin>"),
                                   cl::Required, cl::cat(attncCategory));

cl::opt<std::string> outputFilename(
    "o", cl::value_desc("file"),
    cl::desc("Output file ('-' for stdout). Default: <input>.o for "
             "--emit=obj, stdout for the other stages"),
    cl::cat(attncCategory));

cl::opt<std::string> headerFilename(
    "header", cl::value_desc("file"),
    cl::desc("Also write the model's C header to <file>"),
    cl::cat(attncCategory));

/// An index into emitTargets(), as an enum so that cl uses its generic
/// (named-value) parser; the values are added in main().
enum EmitIndex : unsigned {};
cl::opt<EmitIndex> emitIndex("emit", cl::desc("What to produce (default: obj)"),
                            cl::cat(attncCategory));

cl::opt<char> optLevel("O",
                       cl::desc("Optimization level: -O0, -O1, -O2 or -O3 "
                                "(default -O2)"),
                       cl::Prefix, cl::init('2'), cl::cat(attncCategory));

cl::opt<bool> unfusedAttention(
    "unfused-attention",
    cl::desc("Keep attention unfused at any -O level (score, softmax and "
             "context with the whole score matrix, as at -O0): a reference "
             "for tests and benchmarks"),
    cl::init(false), cl::cat(attncCategory));

// Tile sizes are passed on only when given: their defaults are attn-tile's.
cl::opt<int64_t> queryBlock("query-block", cl::value_desc("n"),
                            cl::cat(attncCategory));
cl::opt<int64_t> keyBlock("key-block", cl::value_desc("n"),
                          cl::cat(attncCategory));

cl::opt<std::string> targetCPU(
    "mcpu", cl::value_desc("cpu"),
    cl::desc("Target CPU (default: the host's; e.g. x86-64-v3 for a "
             "portable object)"),
    cl::cat(attncCategory));

cl::opt<bool> splitInputFile(
    "split-input-file",
    cl::desc("Split the input at '# -----' lines and compile each part on "
             "its own (for tests)"),
    cl::init(false), cl::cat(attncCategory));

cl::opt<bool> verifyDiagnostics(
    "verify-diagnostics",
    cl::desc("Check that the diagnostics match expected-* comments in the "
             "input (for tests)"),
    cl::init(false), cl::cat(attncCategory));

cl::opt<bool> printBuiltins(
    "print-builtins", cl::Hidden, cl::ValueDisallowed,
    cl::desc("Print the list of builtins (markdown, as in docs/LANGUAGE.md) "
             "and exit"),
    cl::callback([](const bool &) {
      attnc::printBuiltinList(llvm::outs());
      llvm::outs().flush();
      std::exit(0);
    }),
    cl::cat(attncCategory));

const EmitTarget &emitTarget() { return emitTargets()[emitIndex]; }

/// Default output: <input stem>.o next to the working directory for objects,
/// stdout for text.
std::string outputPath() {
  if (!outputFilename.empty())
    return outputFilename;
  if (emitTarget().kind != Emit::Obj)
    return "-";
  if (inputFilename == "-")
    return "a.o";
  return (llvm::sys::path::stem(inputFilename) + ".o").str();
}

/// Writes `bytes` to `path` atomically (a temporary file renamed into place).
LogicalResult writeFile(llvm::StringRef path, llvm::StringRef bytes) {
  if (path == "-") {
    llvm::outs() << bytes;
    llvm::outs().flush();
    return success();
  }
  llvm::Error error = llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
    os << bytes;
    return llvm::Error::success();
  });
  if (error) {
    llvm::errs() << "attnc: error: cannot write '" << path
                 << "': " << llvm::toString(std::move(error)) << "\n";
    return failure();
  }
  return success();
}

/// Runs the compiler on the buffer in `sourceMgr`; fills `output` and
/// `header` (if requested). Reports errors through the context.
LogicalResult compile(MLIRContext &context, llvm::SourceMgr &sourceMgr,
                      std::string &output, std::string &header) {
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  attnc::Source source{&context, buffer->getBufferIdentifier().str()};
  llvm::raw_string_ostream os(output);

  std::unique_ptr<attnc::ModelDecl> model =
      attnc::parseModel(buffer->getBuffer(), source);
  if (!model)
    return failure();
  const EmitTarget &target = emitTarget();
  if (target.kind == Emit::AST) {
    attnc::dump(*model, os);
    return success();
  }
  if (failed(attnc::checkModel(*model, source)))
    return failure();
  OwningOpRef<ModuleOp> module = attnc::emitModule(context, *model, source);
  if (!module)
    return failure();

  if (!headerFilename.empty()) {
    llvm::raw_string_ostream headerStream(header);
    if (failed(attn::emitCHeader(*module, source.filename, headerStream)))
      return failure();
  }
  attn::LowerOptions lowering;
  lowering.stop = target.stage;
  lowering.optLevel = optLevel - '0';
  lowering.unfusedAttention = unfusedAttention.getValue();
  if (queryBlock.getNumOccurrences())
    lowering.queryBlock = queryBlock.getValue();
  if (keyBlock.getNumOccurrences())
    lowering.keyBlock = keyBlock.getValue();
  PassManager pm(&context, ModuleOp::getOperationName());
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  applyDefaultTimingPassManagerCLOptions(pm);
  attn::buildLoweringPipeline(pm, lowering);
  if (failed(pm.run(*module)))
    return failure();
  if (target.kind == Emit::Stage) {
    module->print(os);
    os << "\n";
    return success();
  }

  attn::CodegenOptions codegenOptions;
  codegenOptions.optLevel = optLevel - '0';
  codegenOptions.cpu = targetCPU;
  attn::OutputKind kind = target.kind == Emit::LLVMIR ? attn::OutputKind::LLVMIR
                          : target.kind == Emit::Asm  ? attn::OutputKind::Assembly
                                                      : attn::OutputKind::Object;
  llvm::SmallString<0> bytes;
  llvm::raw_svector_ostream objectStream(bytes);
  if (failed(attn::emitLLVM(*module, kind, codegenOptions, objectStream)))
    return failure();
  output.assign(bytes.begin(), bytes.end());
  return success();
}

/// Compiles one buffer in a fresh context, reporting diagnostics against it
/// (or checking them, with --verify-diagnostics).
LogicalResult processBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer,
                            std::string &output, std::string &header) {
  DialectRegistry registry;
  attn::registerLoweringDialects(registry);
  MLIRContext context(registry);
  attnc::loadFrontendDialects(context);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  if (verifyDiagnostics) {
    SourceMgrDiagnosticVerifierHandler handler(sourceMgr, &context);
    (void)compile(context, sourceMgr, output, header);
    return handler.verify();
  }
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  return compile(context, sourceMgr, output, header);
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  cl::AddExtraVersionPrinter([](llvm::raw_ostream &os) {
    os << "attnc version " ATTNC_VERSION "\n";
  });
  for (auto [index, target] : llvm::enumerate(emitTargets()))
    emitIndex.getParser().addLiteralOption(
        target.name, static_cast<EmitIndex>(index), target.description);
  emitIndex.setInitialValue(static_cast<EmitIndex>(emitTargets().size() - 1));
  // The tile sizes' help names the defaults of the pipeline's options.
  attn::LowerOptions defaults;
  static const std::string queryBlockHelp =
      "Queries per block of tiled attention (default " +
      std::to_string(defaults.queryBlock) + ")";
  static const std::string keyBlockHelp =
      "Keys per block of tiled attention (default " +
      std::to_string(defaults.keyBlock) + ")";
  queryBlock.setDescription(queryBlockHelp);
  keyBlock.setDescription(keyBlockHelp);
  cl::HideUnrelatedOptions({&attncCategory, &cl::getGeneralCategory()});
  cl::ParseCommandLineOptions(
      argc, argv,
      "attnc: ahead-of-time compiler for attention models\n\n"
      "  attnc model.attn -o model.o --header model.h\n"
      "  attnc model.attn --emit=linalg\n");

  if (optLevel < '0' || optLevel > '3') {
    llvm::errs() << "attnc: error: invalid optimization level -O" << optLevel
                 << "; use -O0, -O1, -O2 or -O3\n";
    return 1;
  }
  if ((queryBlock.getNumOccurrences() && queryBlock < 1) ||
      (keyBlock.getNumOccurrences() && keyBlock < 1)) {
    llvm::errs() << "attnc: error: --query-block and --key-block must be at "
                    "least 1\n";
    return 1;
  }

  std::string errorMessage;
  std::unique_ptr<llvm::MemoryBuffer> input =
      openInputFile(inputFilename, &errorMessage);
  if (!input) {
    llvm::errs() << "attnc: error: " << errorMessage << "\n";
    return 1;
  }

  if (splitInputFile) {
    // Each part is compiled alone; their outputs go, concatenated, to -o.
    std::string all;
    llvm::raw_string_ostream allStream(all);
    auto processPart = [](std::unique_ptr<llvm::MemoryBuffer> part,
                          llvm::raw_ostream &os) {
      std::string output, header;
      LogicalResult result = processBuffer(std::move(part), output, header);
      os << output;
      return result;
    };
    if (failed(splitAndProcessBuffer(std::move(input), processPart,
                                     allStream, "# -----", "# -----")))
      return 1;
    return failed(writeFile(outputPath(), all)) ? 1 : 0;
  }

  std::string output, header;
  if (failed(processBuffer(std::move(input), output, header)))
    return 1;
  if (verifyDiagnostics)
    return 0;
  if (failed(writeFile(outputPath(), output)))
    return 1;
  if (!headerFilename.empty() && failed(writeFile(headerFilename, header))) {
    if (outputPath() != "-")
      llvm::sys::fs::remove(outputPath());
    return 1;
  }
  return 0;
}
