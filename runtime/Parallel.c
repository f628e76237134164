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
