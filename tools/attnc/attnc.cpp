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
#include "interface/DotGraph.h"
#include "interface/Version.h"
#include "tools/attnc/EmbedWeights.h"
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
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {

/// What attnc writes: the syntax tree, the IR at a pipeline stage, the
/// dataflow graph, or what code generation makes of the LLVM dialect.
enum class Emit { AST, Stage, Dot, LLVMIR, Asm, Obj };

struct EmitTarget {
  llvm::StringRef name, description;
  Emit kind;
  attn::Stage stage = attn::Stage::LLVMDialect;
};

/// The values of --emit, in pipeline order: the pipeline's stages
/// (attn::kStages) between the syntax tree and code generation, and the
/// graph after the stage it is drawn from.
const std::vector<EmitTarget> &emitTargets() {
  static const std::vector<EmitTarget> targets = [] {
    std::vector<EmitTarget> list{
        {"ast", "the syntax tree, after parsing", Emit::AST}};
    for (const attn::StageInfo &info : attn::kStages) {
      list.push_back({info.name, info.description, Emit::Stage, info.stage});
      // The fused stage has one op per attention: it reads as the model.
      if (info.stage == attn::Stage::Fused)
        list.push_back({"dot",
                        "the dataflow graph for Graphviz, drawn from the "
                        "fused stage (attnc m.attn --emit=dot | dot -Tsvg)",
                        Emit::Dot, info.stage});
    }
    list.push_back({"llvm", "optimized LLVM IR", Emit::LLVMIR});
    list.push_back({"asm", "assembly for the target CPU", Emit::Asm});
    list.push_back({"obj", "an object file", Emit::Obj});
    return list;
  }();
  return targets;
}

cl::OptionCategory attncCategory("Compilation options");
cl::OptionCategory mlirCategory("MLIR options (inspecting the pipeline)");

/// MLIR's flags that --help lists; the rest of MLIR's and all of LLVM's
/// (backends, optimizations) still work but show under --help-hidden only.
constexpr llvm::StringLiteral kListedMLIROptions[] = {
    "mlir-print-ir-before-all", "mlir-print-ir-after-all",
    "mlir-print-debuginfo", "mlir-timing", "mlir-pass-statistics"};
constexpr llvm::StringLiteral kListedGenericOptions[] = {
    "help", "help-list", "help-hidden", "version"};

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

cl::opt<std::string> embedWeightsFilename(
    "embed-weights", cl::value_desc("file"),
    cl::desc("Embed the weights of this safetensors file in the object, "
             "checked against the params now; _create(NULL, ...) then loads "
             "them"),
    cl::cat(attncCategory));

cl::opt<std::string> pythonFilename(
    "python", cl::value_desc("file"),
    cl::desc("Also write a Python module (ctypes + numpy) that calls the "
             "model from a shared library built from the object"),
    cl::cat(attncCategory));

cl::opt<bool> report(
    "report",
    cl::desc("Print each entry point's flops, bytes of weights read and "
             "peak scratch memory, as formulas of its run-time dims"),
    cl::init(false), cl::cat(attncCategory));

/// An index into emitTargets(), as an enum so that cl uses its generic
/// (named-value) parser; the values are added in main().
enum EmitIndex : unsigned {};
cl::opt<EmitIndex> emitIndex("emit", cl::desc("What to produce (default: obj)"),
                            cl::cat(attncCategory));

cl::opt<char> optLevel("O", cl::value_desc("level"),
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

// An approximation, off by default; every op it changes gets a remark.
cl::opt<int64_t> localWindow(
    "local-window", cl::value_desc("w"),
    cl::desc("Approximate global attention by local attention: each query "
             "attends only to the keys within w positions of its own "
             "(exact up to w + 1 keys; a remark per op changed)"),
    cl::init(0), cl::cat(attncCategory));
cl::opt<int64_t> localMinKeys(
    "local-window-above", cl::value_desc("n"),
    cl::desc("With --local-window: only attention over more than n keys "
             "(a count known only at run time always)"),
    cl::init(0), cl::cat(attncCategory));

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

cl::opt<unsigned> errorLimit(
    "error-limit", cl::value_desc("n"),
    cl::desc("Print at most n errors, then one line saying how many more "
             "there were (0: no limit; default 20)"),
    cl::init(20), cl::cat(attncCategory));

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

/// Hides every option --help should not list. With --help-hidden on the
/// command line they become visible there; otherwise they are really hidden,
/// so that a mistyped flag is never answered with "did you mean" one of
/// LLVM's backend options.
void hideForeignOptions(int argc, char **argv) {
  bool showHidden = false;
  for (llvm::StringRef arg : llvm::ArrayRef(argv + 1, argc - 1))
    showHidden |= arg.ltrim('-') == "help-hidden" ||
                  arg.ltrim('-') == "help-list-hidden";
  llvm::StringMap<cl::Option *> &options = cl::getRegisteredOptions();
  for (llvm::StringRef name : kListedMLIROptions)
    if (cl::Option *option = options.lookup(name))
      option->addCategory(mlirCategory);
  for (auto &entry : options) {
    cl::Option *option = entry.getValue();
    bool listed =
        llvm::is_contained(option->Categories, &attncCategory) ||
        llvm::is_contained(option->Categories, &mlirCategory) ||
        llvm::is_contained(kListedGenericOptions, entry.getKey());
    if (!listed && option->getOptionHiddenFlag() != cl::ReallyHidden)
      option->setHiddenFlag(showHidden ? cl::Hidden : cl::ReallyHidden);
  }
}

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

/// One file attnc writes: its path ("-" for stdout) and its bytes.
struct OutputFile {
  llvm::StringRef path, bytes;
};

/// Writes all of `files` or, as far as a file system allows, none: each
/// regular file goes to a temporary file beside it first (which LLVM's
/// signal handlers remove on SIGINT or SIGTERM), and the temporary files
/// are renamed into place only once all of them are written, so that an
/// existing object is never replaced or removed when its header cannot be
/// written. Stdout and what exists but is not a regular file (/dev/stdout,
/// a pipe) are written in place, after the temporary files and before the
/// renames: renaming over them would replace the device or the link.
LogicalResult writeOutputs(llvm::ArrayRef<OutputFile> files) {
  namespace fs = llvm::sys::fs;
  SmallVector<std::pair<fs::TempFile, llvm::StringRef>> staged;
  auto fail = [&](llvm::StringRef path, const llvm::Twine &message) {
    llvm::errs() << "attnc: error: cannot write '" << path << "': " << message
                 << "\n";
    for (auto &entry : staged)
      llvm::consumeError(entry.first.discard());
    return failure();
  };
  auto inPlace = [](llvm::StringRef path) {
    fs::file_status status;
    return path == "-" || (!fs::status(path, status) &&
                           status.type() != fs::file_type::regular_file);
  };
  for (const OutputFile &file : files) {
    if (inPlace(file.path))
      continue;
    llvm::Expected<fs::TempFile> temp =
        fs::TempFile::create(file.path + ".tmp-%%%%%%%%");
    if (!temp)
      return fail(file.path, llvm::toString(temp.takeError()));
    staged.emplace_back(std::move(*temp), file.path);
    llvm::raw_fd_ostream os(staged.back().first.FD, /*shouldClose=*/false);
    os << file.bytes;
    os.flush();
    if (std::error_code error = os.error()) {
      os.clear_error();
      return fail(file.path, error.message());
    }
  }
  for (const OutputFile &file : files) {
    if (!inPlace(file.path))
      continue;
    if (file.path == "-") {
      llvm::outs() << file.bytes;
      llvm::outs().flush();
      continue;
    }
    std::error_code error;
    llvm::raw_fd_ostream os(file.path, error);
    if (!error) {
      os << file.bytes;
      os.close();
      error = os.error();
      os.clear_error();
    }
    if (error)
      return fail(file.path, error.message());
  }
  for (size_t i = 0; i < staged.size(); ++i)
    if (llvm::Error error = staged[i].first.keep(staged[i].second)) {
      llvm::StringRef path = staged[i].second;
      staged.erase(staged.begin(), staged.begin() + i + 1);
      return fail(path, llvm::toString(std::move(error)));
    }
  return success();
}

/// What the header records and the "Link:" comment names; see
/// HeaderProvenance.
attn::HeaderProvenance getProvenance(llvm::StringRef source,
                                     const llvm::MemoryBuffer *weights) {
  attn::HeaderProvenance provenance;
  provenance.sourceSHA256 = attnc::sha256Hex(source);
  // The object this run writes, or (for a header alone) the default one.
  provenance.objectName =
      emitTarget().kind == Emit::Obj && outputPath() != "-"
          ? llvm::sys::path::filename(outputPath()).str()
          : (llvm::sys::path::stem(inputFilename) + ".o").str();
  if (weights) {
    provenance.weightsName = embedWeightsFilename;
    provenance.weightsSHA256 = attnc::sha256Hex(weights->getBuffer());
  }
  // attnc lives in <prefix>/bin, the runtime in <prefix>/include and
  // <prefix>/lib: in an install and in the build tree alike.
  std::string executable =
      llvm::sys::fs::getMainExecutable(nullptr, (void *)&outputPath);
  llvm::SmallString<256> prefix(llvm::sys::path::parent_path(
      llvm::sys::path::parent_path(executable)));
  for (auto [dir, sub] : {std::pair(&provenance.runtimeIncludeDir, "include"),
                          std::pair(&provenance.runtimeLibDir, "lib")}) {
    llvm::SmallString<256> path(prefix);
    llvm::sys::path::append(path, sub);
    llvm::sys::path::remove_dots(path, /*remove_dot_dot=*/true);
    *dir = path.str().str();
  }
  return provenance;
}

/// What one compilation makes: the output, and the header, the Python
/// module and the cost report when asked for.
struct Outputs {
  std::string output, header, python, report;
};

/// Runs the compiler on the buffer in `sourceMgr` and fills `outputs`.
/// `weights` is the file to embed, or null. Reports errors through the
/// context.
LogicalResult compile(MLIRContext &context, llvm::SourceMgr &sourceMgr,
                      const llvm::MemoryBuffer *weights, Outputs &outputs) {
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  attnc::Source source{&context, buffer->getBufferIdentifier().str()};
  llvm::raw_string_ostream os(outputs.output);

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

  if (weights) {
    FailureOr<attn::ModelAttr> modelAttr = attn::lookupModel(*module);
    if (failed(modelAttr))
      return failure();
    // Sema lists every param, those of layer instances included, in the
    // order of the model's interface.
    SmallVector<Location> paramLocs;
    for (const attnc::ParamDecl &param : model->params)
      paramLocs.push_back(source.loc(param.loc));
    if (failed(attnc::checkWeights(*modelAttr, paramLocs,
                                   weights->getBuffer(),
                                   embedWeightsFilename)))
      return failure();
    attn::addEmbeddedWeights(*module, weights->getBuffer());
  }
  if (!headerFilename.empty() || !pythonFilename.empty()) {
    attn::HeaderProvenance provenance =
        getProvenance(buffer->getBuffer(), weights);
    provenance.sourceName = source.filename;
    llvm::raw_string_ostream headerStream(outputs.header),
        pythonStream(outputs.python);
    if (!headerFilename.empty() &&
        failed(attn::emitCHeader(*module, provenance, headerStream)))
      return failure();
    if (!pythonFilename.empty() &&
        failed(attn::emitPythonModule(*module, provenance, pythonStream)))
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
  lowering.localWindow = localWindow.getValue();
  lowering.localMinKeys = localMinKeys.getValue();
  llvm::raw_string_ostream reportStream(outputs.report);
  if (report)
    lowering.costReport = &reportStream;
  PassManager pm(&context, ModuleOp::getOperationName());
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  applyDefaultTimingPassManagerCLOptions(pm);
  attn::buildLoweringPipeline(pm, lowering);
  if (failed(pm.run(*module)))
    return failure();
  if (target.kind == Emit::Stage) {
    // Embedded weights print as "<elided>": the IR stays readable.
    OpPrintingFlags flags;
    if (weights)
      flags.elideLargeResourceString(1024);
    module->print(os, flags);
    os << "\n";
    return success();
  }
  if (target.kind == Emit::Dot)
    return attn::printDataflowGraph(*module, os, &sourceMgr);

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
  outputs.output.assign(bytes.begin(), bytes.end());
  return success();
}

/// Compiles one buffer in a fresh context, reporting diagnostics against it
/// (or checking them, with --verify-diagnostics).
LogicalResult processBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer,
                            const llvm::MemoryBuffer *weights,
                            Outputs &outputs) {
  DialectRegistry registry;
  attn::registerLoweringDialects(registry);
  MLIRContext context(registry);
  attnc::loadFrontendDialects(context);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  if (verifyDiagnostics) {
    SourceMgrDiagnosticVerifierHandler handler(sourceMgr, &context);
    (void)compile(context, sourceMgr, weights, outputs);
    return handler.verify();
  }
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  // Registered last, so it sees each diagnostic first: errors beyond the
  // limit (with their notes) go no further, and are counted instead.
  unsigned errors = 0;
  context.getDiagEngine().registerHandler([&](Diagnostic &diagnostic) {
    bool isError = diagnostic.getSeverity() == DiagnosticSeverity::Error;
    errors += isError;
    return success(isError && errorLimit != 0 && errors > errorLimit);
  });
  LogicalResult result = compile(context, sourceMgr, weights, outputs);
  if (errorLimit != 0 && errors > errorLimit)
    llvm::errs() << "attnc: error: " << errors - errorLimit
                 << " more errors not shown (--error-limit=" << errorLimit
                 << "; 0 shows all)\n";
  return result;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "attnc version " << attn::getCompilerVersion() << "\n"
       << "  LLVM and MLIR " LLVM_VERSION_STRING "\n"
       << "  default target: " << llvm::sys::getDefaultTargetTriple() << "\n"
       << "  host CPU: " << llvm::sys::getHostCPUName() << "\n";
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
  hideForeignOptions(argc, argv);
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
  if ((localWindow.getNumOccurrences() && localWindow < 1) ||
      localMinKeys < 0 ||
      (localMinKeys.getNumOccurrences() && !localWindow.getNumOccurrences())) {
    llvm::errs() << "attnc: error: --local-window must be at least 1, and "
                    "--local-window-above (at least 0) goes with it\n";
    return 1;
  }

  if (report) {
    // The costs are read after deallocation, in the bufferized stage.
    const EmitTarget &target = emitTarget();
    if (target.kind == Emit::AST || target.kind == Emit::Dot ||
        (target.kind == Emit::Stage &&
         target.stage < attn::Stage::Bufferized)) {
      llvm::errs() << "attnc: error: --report needs --emit=bufferized or a "
                      "later stage, not --emit="
                   << target.name << "\n";
      return 1;
    }
    if (outputPath() == "-") {
      llvm::errs() << "attnc: error: --report prints to stdout: write the "
                      "output to a file with -o\n";
      return 1;
    }
  }

  std::string errorMessage;
  std::unique_ptr<llvm::MemoryBuffer> input =
      openInputFile(inputFilename, &errorMessage);
  if (!input) {
    llvm::errs() << "attnc: error: " << errorMessage << "\n";
    return 1;
  }
  std::unique_ptr<llvm::MemoryBuffer> weights;
  if (!embedWeightsFilename.empty()) {
    // Kept for the whole compilation: the module refers to these bytes.
    weights = openInputFile(embedWeightsFilename, &errorMessage);
    if (!weights) {
      llvm::errs() << "attnc: error: " << errorMessage << "\n";
      return 1;
    }
  }

  if (splitInputFile) {
    // Each part is compiled alone; their outputs go, concatenated, to -o.
    std::string all;
    llvm::raw_string_ostream allStream(all);
    auto processPart = [&](std::unique_ptr<llvm::MemoryBuffer> part,
                           llvm::raw_ostream &os) {
      Outputs outputs;
      LogicalResult result =
          processBuffer(std::move(part), weights.get(), outputs);
      os << outputs.output;
      return result;
    };
    if (failed(splitAndProcessBuffer(std::move(input), processPart,
                                     allStream, "# -----", "# -----")))
      return 1;
    return failed(writeOutputs({{outputPath(), all}})) ? 1 : 0;
  }

  Outputs outputs;
  if (failed(processBuffer(std::move(input), weights.get(), outputs)))
    return 1;
  if (verifyDiagnostics)
    return 0;
  std::string output = outputPath();
  SmallVector<OutputFile> files{{output, outputs.output}};
  if (!headerFilename.empty())
    files.push_back({headerFilename, outputs.header});
  if (!pythonFilename.empty())
    files.push_back({pythonFilename, outputs.python});
  if (failed(writeOutputs(files)))
    return 1;
  llvm::outs() << outputs.report;
  return 0;
}
