/*===- Parallel.c - Parallel loops of generated code on the OpenMP pool ---===*/

#include "attnrt.h"

#include <stdatomic.h>

/* libgomp's entry points, the GNU OpenMP ABI that OpenBLAS's OpenMP build
 * runs its threads on. They are declared here rather than reached through
 * `#pragma omp`: clang compiles pragmas to LLVM's libomp interface, and one
 * process must have one OpenMP pool, so that a BLAS call inside a parallel
 * loop sees omp_in_parallel() and stays on its thread. */
extern void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads,
                          unsigned flags);
extern int omp_get_max_threads(void);
extern int omp_in_parallel(void);
extern void omp_set_num_threads(int num_threads);

/* Entry-point calls in flight, all threads together. */
static atomic_int callsInFlight;

int32_t attnrt_call_begin(void) {
  if (atomic_fetch_add(&callsInFlight, 1) == 0)
    return 0;
  /* Others are running: this call keeps to its own thread, its BLAS calls
   * and parallel loops included (libgomp's thread count is per thread),
   * rather than start one more team on cores the others use. */
  int threads = omp_get_max_threads();
  if (threads <= 1)
    return 0;
  omp_set_num_threads(1);
  return threads;
}

void attnrt_call_end(int32_t token) {
  if (token > 0)
    omp_set_num_threads(token);
  atomic_fetch_sub(&callsInFlight, 1);
}

typedef struct {
  attnrt_parallel_body body;
  void *context;
  int64_t count;
  atomic_int_fast64_t next;
} ParallelJob;

/* Every thread takes the next iteration until none is left: iterations of
 * generated loops differ in cost (causal attention), so a static split
 * would leave threads idle. */
static void runIterations(void *data) {
  ParallelJob *job = data;
  for (;;) {
    int64_t index = atomic_fetch_add(&job->next, 1);
    if (index >= job->count)
      return;
    job->body(index, index + 1, job->context);
  }
}

void attnrt_parallel_for(int64_t count, attnrt_parallel_body body,
                         void *context) {
  if (count <= 0 || !body)
    return;
  int threads = omp_get_max_threads();
  if (count == 1 || threads <= 1 || omp_in_parallel()) {
    body(0, count, context);
    return;
  }
  if (threads > count)
    threads = (int)count;
  ParallelJob job = {body, context, count, 0};
  GOMP_parallel(runIterations, &job, (unsigned)threads, 0);
}
