//===- AllocTest.cpp - The buffers of generated code (Alloc.c) ------------===//

#include "TestUtil.h"

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace {

constexpr size_t kLarge = size_t(1) << 20; // cached: >= 64 KiB

bool isAligned16(void *p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

TEST(RuntimeAlloc, BlocksAreUsableAndAligned) {
  for (size_t size : {size_t(1), size_t(100), size_t(70000), kLarge}) {
    auto *p = static_cast<unsigned char *>(_mlir_memref_to_llvm_alloc(size));
    ASSERT_NE(p, nullptr) << size;
    EXPECT_TRUE(isAligned16(p)) << size;
    std::memset(p, 0xab, size); // the whole block is writable
    _mlir_memref_to_llvm_free(p);
  }
  _mlir_memref_to_llvm_free(nullptr); // fine
}

TEST(RuntimeAlloc, LargeBlocksAreReusedBySimilarRequests) {
  void *first = _mlir_memref_to_llvm_alloc(kLarge);
  _mlir_memref_to_llvm_free(first);
  // The same size, and a smaller one that wastes at most half, get it back.
  void *again = _mlir_memref_to_llvm_alloc(kLarge);
  EXPECT_EQ(again, first);
  _mlir_memref_to_llvm_free(again);
  void *smaller = _mlir_memref_to_llvm_alloc(kLarge / 2 + 1);
  EXPECT_EQ(smaller, first);
  _mlir_memref_to_llvm_free(smaller);
  // Not for a request it does not fit, nor one it would mostly waste.
  void *larger = _mlir_memref_to_llvm_alloc(kLarge + 1);
  EXPECT_NE(larger, first);
  void *tiny = _mlir_memref_to_llvm_alloc(kLarge / 4);
  EXPECT_NE(tiny, first);
  _mlir_memref_to_llvm_free(larger);
  _mlir_memref_to_llvm_free(tiny);
}

TEST(RuntimeAlloc, TwoLiveBlocksAreDistinct) {
  void *a = _mlir_memref_to_llvm_alloc(kLarge);
  void *b = _mlir_memref_to_llvm_alloc(kLarge);
  EXPECT_NE(a, b);
  std::memset(a, 1, kLarge);
  std::memset(b, 2, kLarge);
  EXPECT_EQ(static_cast<unsigned char *>(a)[kLarge - 1], 1);
  _mlir_memref_to_llvm_free(a);
  _mlir_memref_to_llvm_free(b);
}

TEST(RuntimeAlloc, ManyBlocksAndOtherThreads) {
  // More blocks than the cache keeps, freed on another thread than the one
  // that allocated them, and threads that exit with blocks cached: no
  // crash, and (under the sanitizer build) no leak or double free.
  std::vector<void *> blocks;
  for (int i = 0; i < 40; ++i)
    blocks.push_back(_mlir_memref_to_llvm_alloc(kLarge + i * 4096));
  std::thread other([&] {
    for (void *block : blocks)
      _mlir_memref_to_llvm_free(block);
    void *mine = _mlir_memref_to_llvm_alloc(kLarge);
    ASSERT_NE(mine, nullptr);
    _mlir_memref_to_llvm_free(mine);
  });
  other.join();
  // Larger than the whole cache: freed at once.
  void *huge = _mlir_memref_to_llvm_alloc(size_t(600) << 20);
  ASSERT_NE(huge, nullptr);
  _mlir_memref_to_llvm_free(huge);
  // An impossible size fails cleanly.
  EXPECT_EQ(_mlir_memref_to_llvm_alloc(SIZE_MAX - 8), nullptr);
}

TEST(RuntimeAlloc, ScratchUsageCountsRequestedBytes) {
  int64_t live0 = -1, peak = -1;
  attnrt_scratch_usage(&live0, nullptr);
  attnrt_scratch_reset_peak();
  attnrt_scratch_usage(nullptr, &peak);
  EXPECT_EQ(peak, live0);
  // Requested bytes, whatever block serves them (a reused large block that
  // is bigger than the request counts as the request).
  void *large = _mlir_memref_to_llvm_alloc(kLarge);
  _mlir_memref_to_llvm_free(large);
  void *a = _mlir_memref_to_llvm_alloc(kLarge - 1000); // reuses `large`
  void *b = _mlir_memref_to_llvm_alloc(100);
  int64_t live = -1;
  attnrt_scratch_usage(&live, &peak);
  EXPECT_EQ(live, live0 + int64_t(kLarge) - 1000 + 100);
  EXPECT_EQ(peak, live0 + int64_t(kLarge));
  _mlir_memref_to_llvm_free(a);
  attnrt_scratch_usage(&live, &peak);
  EXPECT_EQ(live, live0 + 100);
  EXPECT_EQ(peak, live0 + int64_t(kLarge));
  // A reset starts from what is live.
  attnrt_scratch_reset_peak();
  attnrt_scratch_usage(nullptr, &peak);
  EXPECT_EQ(peak, live0 + 100);
  _mlir_memref_to_llvm_free(b);
  attnrt_scratch_usage(&live, nullptr);
  EXPECT_EQ(live, live0);
}

} // namespace
