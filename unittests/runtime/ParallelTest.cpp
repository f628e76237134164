//===- ParallelTest.cpp - attnrt_parallel_for -----------------------------===//

#include "TestUtil.h"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

extern "C" void omp_set_num_threads(int);
extern "C" int omp_get_max_threads(void);

namespace {

struct Visits {
  std::vector<std::atomic<int>> counts;
  std::mutex mutex;
  std::set<std::thread::id> threads;
  explicit Visits(int64_t n) : counts(n) {}
};

void countVisits(int64_t begin, int64_t end, void *context) {
  auto *visits = static_cast<Visits *>(context);
  for (int64_t i = begin; i < end; ++i)
    ++visits->counts[i];
  std::lock_guard<std::mutex> lock(visits->mutex);
  visits->threads.insert(std::this_thread::get_id());
}

void expectEachOnce(Visits &visits) {
  for (size_t i = 0; i < visits.counts.size(); ++i)
    EXPECT_EQ(visits.counts[i].load(), 1) << "iteration " << i;
}

TEST(RuntimeParallel, EveryIterationRunsOnce) {
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    for (int64_t count : {1, 2, 7, 1000}) {
      Visits visits(count);
      attnrt_parallel_for(count, countVisits, &visits);
      expectEachOnce(visits);
      EXPECT_LE(visits.threads.size(), static_cast<size_t>(threads));
    }
  }
}

TEST(RuntimeParallel, NothingToRun) {
  Visits visits(1);
  attnrt_parallel_for(0, countVisits, &visits);
  attnrt_parallel_for(-5, countVisits, &visits);
  attnrt_parallel_for(3, nullptr, &visits);
  EXPECT_EQ(visits.counts[0].load(), 0);
}

// A loop started from an iteration of another runs on that iteration's
// thread, as a BLAS call there does: no second level of threads.
struct Nested {
  Visits inner{8 * 8};
  std::atomic<int> wrongThread{0};
};

struct InnerSlice {
  Nested *nested;
  int64_t first;          // inner iterations [first, first + 8)
  std::thread::id caller; // the thread that started the inner loop
};

void innerIterations(int64_t begin, int64_t end, void *context) {
  auto *slice = static_cast<InnerSlice *>(context);
  if (std::this_thread::get_id() != slice->caller)
    ++slice->nested->wrongThread;
  countVisits(slice->first + begin, slice->first + end, &slice->nested->inner);
}

void outerIterations(int64_t begin, int64_t end, void *context) {
  auto *nested = static_cast<Nested *>(context);
  for (int64_t i = begin; i < end; ++i) {
    InnerSlice slice{nested, 8 * i, std::this_thread::get_id()};
    attnrt_parallel_for(8, innerIterations, &slice);
  }
}

TEST(RuntimeParallel, NestedLoopsRunOnTheCallingThread) {
  omp_set_num_threads(2);
  Nested nested;
  attnrt_parallel_for(8, outerIterations, &nested);
  expectEachOnce(nested.inner);
  EXPECT_EQ(nested.wrongThread.load(), 0);
}

TEST(RuntimeParallel, ConcurrentCallsKeepToTheirThread) {
  omp_set_num_threads(2);
  // A call alone keeps the pool.
  int32_t alone = attnrt_call_begin();
  EXPECT_EQ(omp_get_max_threads(), 2);
  // A call that begins while another is in flight runs on its own thread,
  // its parallel loops included, until it ends.
  std::thread other([] {
    omp_set_num_threads(2);
    int32_t token = attnrt_call_begin();
    EXPECT_EQ(omp_get_max_threads(), 1);
    Visits visits(16);
    attnrt_parallel_for(16, countVisits, &visits);
    expectEachOnce(visits);
    EXPECT_EQ(visits.threads.size(), 1u);
    attnrt_call_end(token);
    EXPECT_EQ(omp_get_max_threads(), 2);
  });
  other.join();
  attnrt_call_end(alone);
  // With none in flight, the next call keeps the pool again.
  int32_t again = attnrt_call_begin();
  EXPECT_EQ(omp_get_max_threads(), 2);
  attnrt_call_end(again);
}

} // namespace
