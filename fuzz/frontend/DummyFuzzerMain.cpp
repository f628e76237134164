//===- DummyFuzzerMain.cpp - A fuzz target without libFuzzer --------------===//
//
// The main() of a fuzz target in a build without libFuzzer: runs the target
// once on each file named on the command line (LLVM's runFuzzerOnInputs),
// so that the seed corpus replays as a test in every build.
//
//===----------------------------------------------------------------------===//

#include "llvm/FuzzMutate/FuzzerCLI.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
  return llvm::runFuzzerOnInputs(argc, argv, LLVMFuzzerTestOneInput);
}
