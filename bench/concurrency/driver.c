/* Many application threads calling one compiled model at once: T threads
 * each make N calls of the date translator's `step` (after one `encode`)
 * on one shared handle; prints the wall time of all of them.
 *   usage: driver WEIGHTS THREADS CALLS_PER_THREAD */
#include "date.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { S = 20 };

static const date *model;
static int calls;

static void *work(void *unused) {
  (void)unused;
  int32_t src[S];
  for (int i = 0; i < S; ++i)
    src[i] = 4 + (i * 7) % 50;
  float keys[S * 128], pkeys[S * 64], state[128], next[128], logits[13],
      align[S];
  if (date_encode(model, S, src, keys, pkeys, state))
    return (void *)1;
  int32_t token = 1;
  for (int i = 0; i < calls; ++i) {
    int32_t out;
    if (date_step(model, S, &token, state, keys, pkeys, logits, &out, next,
                  align))
      return (void *)1;
    for (int j = 0; j < 128; ++j)
      state[j] = next[j];
    token = out;
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s WEIGHTS THREADS CALLS_PER_THREAD\n", argv[0]);
    return 2;
  }
  date *handle;
  if (date_create(argv[1], &handle)) {
    fprintf(stderr, "%s\n", attnrt_last_error());
    return 1;
  }
  model = handle;
  int threads = atoi(argv[2]);
  calls = atoi(argv[3]);
  pthread_t ids[64];
  if (threads < 1 || threads > 64 || calls < 1)
    return 2;
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (int t = 0; t < threads; ++t)
    pthread_create(&ids[t], NULL, work, NULL);
  int failed = 0;
  for (int t = 0; t < threads; ++t) {
    void *result;
    pthread_join(ids[t], &result);
    failed |= result != NULL;
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  if (failed) {
    fprintf(stderr, "a call failed: %s\n", attnrt_last_error());
    return 1;
  }
  printf("%.3f\n", (double)(end.tv_sec - start.tv_sec) +
                       1e-9 * (double)(end.tv_nsec - start.tv_nsec));
  date_destroy(handle);
  return 0;
}
