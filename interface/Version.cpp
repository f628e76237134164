//===- Version.cpp - The version attnc records in what it makes -----------===//

#include "interface/Version.h"

// ATTNC_REVISION: the commit the build came from, if known (written at build
// time by LLVM's GenerateVersionFromVCS.cmake; see CMakeLists.txt).
#include "interface/AttncRevision.h"

#include <string>

llvm::StringRef mlir::attn::getCompilerVersion() {
  static const std::string version = [] {
    std::string text = ATTNC_VERSION;
#ifdef ATTNC_REVISION
    text += " (git " + std::string(ATTNC_REVISION).substr(0, 12) + ")";
#endif
    return text;
  }();
  return version;
}
