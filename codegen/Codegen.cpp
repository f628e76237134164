//===- Codegen.cpp - LLVM-dialect module to LLVM IR, assembly or object ---===//

#include "codegen/Codegen.h"

#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/OptimizationLevel.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Transforms/IPO/AlwaysInliner.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

#include <memory>

using namespace mlir;

namespace {

/// The host's features as "+avx2,-avx512f,..." (only with the host CPU).
std::string getHostFeatures() {
  std::string features;
  for (const auto &feature : llvm::sys::getHostCPUFeatures()) {
    if (!features.empty())
      features += ",";
    features += (feature.second ? "+" : "-") + feature.first().str();
  }
  return features;
}

llvm::OptimizationLevel toOptimizationLevel(unsigned level) {
  switch (level) {
  case 0:
    return llvm::OptimizationLevel::O0;
  case 1:
    return llvm::OptimizationLevel::O1;
  case 2:
    return llvm::OptimizationLevel::O2;
  default:
    return llvm::OptimizationLevel::O3;
  }
}

llvm::CodeGenOptLevel toCodeGenLevel(unsigned level) {
  switch (level) {
  case 0:
    return llvm::CodeGenOptLevel::None;
  case 1:
    return llvm::CodeGenOptLevel::Less;
  case 2:
    return llvm::CodeGenOptLevel::Default;
  default:
    return llvm::CodeGenOptLevel::Aggressive;
  }
}

/// Runs LLVM's default module pipeline at `level`, with the target's cost
/// model so that the loop vectorizer sees the CPU's vector width.
void optimize(llvm::Module &module, llvm::TargetMachine &machine,
              unsigned level) {
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgscc;
  llvm::ModuleAnalysisManager modules;
  llvm::PassBuilder builder(&machine);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(cgscc);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, cgscc, modules);
  llvm::OptimizationLevel optLevel = toOptimizationLevel(level);
  llvm::ModulePassManager passes;
  if (level == 0) {
    passes = builder.buildO0DefaultPipeline(optLevel);
  } else {
    // Kernels into their entry points first (attn-emit-c-interface marks
    // them alwaysinline), before the interprocedural passes see them.
    passes.addPass(llvm::AlwaysInlinerPass());
    passes.addPass(builder.buildPerModuleDefaultPipeline(optLevel));
  }
  passes.run(module, modules);
}

} // namespace

std::string mlir::attn::getTargetCPU(const CodegenOptions &options) {
  return options.cpu.empty() ? llvm::sys::getHostCPUName().str() : options.cpu;
}

LogicalResult mlir::attn::emitLLVM(ModuleOp module, OutputKind kind,
                                   const CodegenOptions &options,
                                   llvm::raw_pwrite_stream &os) {
  Location loc = module.getLoc();
  if (options.optLevel > 3)
    return emitError(loc) << "optimization level must be 0 to 3, got -O"
                          << options.optLevel;

  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  std::string triple = llvm::sys::getDefaultTargetTriple();
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return emitError(loc) << "no target for " << triple << ": " << error;

  std::string cpu = getTargetCPU(options);
  // LLVM only warns about an unknown CPU on stderr and then generates for a
  // generic one; a wrong --mcpu is an error for us.
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget(
      target->createMCSubtargetInfo(triple, "", ""));
  if (!subtarget || !subtarget->isCPUStringValid(cpu))
    return emitError(loc) << "unknown CPU '" << cpu << "' for " << triple;
  std::string features = options.cpu.empty() ? getHostFeatures() : "";
  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_, std::nullopt,
      toCodeGenLevel(options.optLevel)));
  if (!machine)
    return emitError(loc) << "cannot create a target machine for " << triple;
  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "attnc");
  if (!llvmModule)
    return emitError(loc) << "cannot translate the module to LLVM IR (is it "
                             "fully in the LLVM dialect?)";
  llvmModule->setTargetTriple(triple);
  llvmModule->setDataLayout(machine->createDataLayout());

  std::string verifierMessage;
  llvm::raw_string_ostream verifierStream(verifierMessage);
  if (llvm::verifyModule(*llvmModule, &verifierStream))
    return emitError(loc) << "the translated LLVM IR is invalid: "
                          << verifierMessage;

  optimize(*llvmModule, *machine, options.optLevel);

  if (kind == OutputKind::LLVMIR) {
    llvmModule->print(os, nullptr);
    os.flush();
    return success();
  }
  llvm::legacy::PassManager codegen;
  llvm::CodeGenFileType fileType = kind == OutputKind::Object
                                       ? llvm::CodeGenFileType::ObjectFile
                                       : llvm::CodeGenFileType::AssemblyFile;
  if (machine->addPassesToEmitFile(codegen, os, nullptr, fileType))
    return emitError(loc) << "the target cannot emit this kind of file";
  codegen.run(*llvmModule);
  os.flush();
  return success();
}
