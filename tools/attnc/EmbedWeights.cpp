//===- EmbedWeights.cpp - Checking weights to embed in an object ----------===//

#include "tools/attnc/EmbedWeights.h"

#include "attnrt.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

/// The runtime's message with its "<memory>: " prefix (the source name of
/// attnrt_model_open_memory) replaced by nothing: the caller names the file.
static StringRef runtimeMessage() {
  StringRef message = attnrt_last_error();
  message.consume_front("<memory>: ");
  return message;
}

LogicalResult attnc::checkWeights(attn::ModelAttr model,
                                  ArrayRef<Location> paramLocs,
                                  StringRef image, StringRef path) {
  ArrayRef<attn::ArgAttr> params = model.getParams();
  assert(params.size() == paramLocs.size() && "one location per param");
  attnrt_model *loaded = nullptr;
  if (attnrt_model_open_memory(image.data(), image.size(), params.size(),
                               &loaded) != ATTNRT_OK) {
    llvm::errs() << "attnc: error: cannot embed the weights in '" << path
                 << "': " << runtimeMessage() << "\n";
    return failure();
  }
  LogicalResult result = success();
  for (auto [index, param] : llvm::enumerate(params)) {
    SmallVector<int64_t> shape;
    for (const attn::Extent &extent : param.getShape())
      shape.push_back(extent.getSize());
    int32_t dtype =
        param.getElementType().isF32() ? ATTNRT_DTYPE_F32 : ATTNRT_DTYPE_I32;
    std::string name = param.getName().str();
    if (attnrt_model_bind(loaded, index, name.c_str(), dtype, shape.size(),
                          shape.data()) != ATTNRT_OK) {
      emitError(paramLocs[index])
          << "param '" << name << "' does not match the weights in '" << path
          << "': " << runtimeMessage();
      result = failure();
    }
  }
  attnrt_model_destroy(loaded);
  return result;
}

std::string attnc::sha256Hex(StringRef bytes) {
  std::array<uint8_t, 32> hash = llvm::SHA256::hash(
      ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(bytes.data()),
                        bytes.size()));
  return llvm::toHex(hash, /*LowerCase=*/true);
}
