//===- attn-opt.cpp - Runs attn and upstream passes on MLIR files ---------===//
//
// mlir-opt with the attn dialect and attnc's passes registered, plus the
// upstream dialects and passes the attnc pipeline uses. lit tests drive
// single passes through it.
//
//===----------------------------------------------------------------------===//

#include "dialect/AttnOps.h"
#include "interface/Version.h"
#include "passes/Passes.h"
#include "passes/Pipeline.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CommandLine.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::attn::registerAttnPasses();
  mlir::attn::registerAttncPipelines();

  mlir::DialectRegistry registry;
  registry.insert<mlir::attn::AttnDialect, mlir::affine::AffineDialect,
                  mlir::arith::ArithDialect,
                  mlir::bufferization::BufferizationDialect,
                  mlir::cf::ControlFlowDialect, mlir::func::FuncDialect,
                  mlir::LLVM::LLVMDialect, mlir::linalg::LinalgDialect,
                  mlir::math::MathDialect, mlir::memref::MemRefDialect,
                  mlir::scf::SCFDialect, mlir::tensor::TensorDialect,
                  mlir::vector::VectorDialect>();
  // The interface models bufferization and deallocation need; without them
  // one-shot-bufferize sees every function argument as read-only.
  mlir::attn::registerLoweringDialects(registry);

  llvm::cl::AddExtraVersionPrinter(
      [](llvm::raw_ostream &os) {
        os << "attnc version " << mlir::attn::getCompilerVersion() << "\n";
      });
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "attn-opt: runs attn and upstream MLIR passes\n", registry));
}
