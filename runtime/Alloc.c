/*===- Alloc.c - The heap buffers of generated code -----------------------===*/
/*
 * Generated kernels allocate their temporaries (the products and
 * activations of a layer: megabytes each) on every call and free them at its
 * end. glibc hands blocks that large back to the system (mmap'ed ones at
 * free, heap ones by trimming), so each call faulted in and zeroed fresh
 * pages: a fifth of the time of a transformer layer at S = 512. These two
 * functions, which MLIR's memref-to-LLVM lowering calls with
 * use-generic-functions, keep up to kSlots large freed blocks per thread
 * (at most kMaxCachedBytes) and reuse one for a request that it fits
 * without wasting more than half of it. Small blocks go straight to malloc.
 * They also count the bytes requested and not yet freed, and the most at
 * once (attnrt_scratch_usage): what `attnc --report` predicts.
 */

#include "attnrt.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

enum { kSlots = 16 };
static const size_t kMinCached = (size_t)64 << 10;
static const size_t kMaxCachedBytes = (size_t)512 << 20;

/* In front of every block: its usable size and the size requested for it
 * now. 16 bytes keep malloc's alignment for what follows (generated code
 * aligns further itself). */
typedef struct {
  size_t size;
  size_t requested;
} Header;

/* All threads together: bytes requested and not freed, and the most since
 * the last reset. */
static atomic_llong liveBytes, peakBytes;

static void countAlloc(size_t size) {
  long long live = atomic_fetch_add(&liveBytes, (long long)size) + (long long)size;
  long long peak = atomic_load(&peakBytes);
  while (live > peak && !atomic_compare_exchange_weak(&peakBytes, &peak, live))
    ;
}

void attnrt_scratch_usage(int64_t *live, int64_t *peak) {
  if (live)
    *live = atomic_load(&liveBytes);
  if (peak)
    *peak = atomic_load(&peakBytes);
}

void attnrt_scratch_reset_peak(void) {
  atomic_store(&peakBytes, atomic_load(&liveBytes));
}

typedef struct {
  Header *blocks[kSlots];
  int count;
  size_t bytes;
} Cache;

static pthread_key_t cacheKey;
static pthread_once_t cacheOnce = PTHREAD_ONCE_INIT;

/* At thread exit: the thread's cached blocks go back to malloc. */
static void freeCache(void *data) {
  Cache *cache = data;
  for (int i = 0; i < cache->count; ++i)
    free(cache->blocks[i]);
  free(cache);
}

static void makeKey(void) { pthread_key_create(&cacheKey, freeCache); }

/* The calling thread's cache, or NULL if none can be made. */
static Cache *getCache(void) {
  pthread_once(&cacheOnce, makeKey);
  Cache *cache = pthread_getspecific(cacheKey);
  if (!cache) {
    cache = calloc(1, sizeof(Cache));
    if (cache && pthread_setspecific(cacheKey, cache) != 0) {
      free(cache);
      cache = NULL;
    }
  }
  return cache;
}

static void removeSlot(Cache *cache, int slot) {
  cache->bytes -= cache->blocks[slot]->size;
  cache->blocks[slot] = cache->blocks[--cache->count];
}

void *_mlir_memref_to_llvm_alloc(size_t size) {
  if (size >= kMinCached) {
    Cache *cache = getCache();
    int best = -1;
    for (int i = 0; cache && i < cache->count; ++i) {
      size_t have = cache->blocks[i]->size;
      if (have >= size && have / 2 <= size &&
          (best < 0 || have < cache->blocks[best]->size))
        best = i;
    }
    if (best >= 0) {
      Header *block = cache->blocks[best];
      removeSlot(cache, best);
      block->requested = size;
      countAlloc(size);
      return block + 1;
    }
  }
  if (size > SIZE_MAX - sizeof(Header))
    return NULL;
  Header *block = malloc(sizeof(Header) + size);
  if (!block)
    return NULL;
  block->size = block->requested = size;
  countAlloc(size);
  return block + 1;
}

void _mlir_memref_to_llvm_free(void *pointer) {
  if (!pointer)
    return;
  Header *block = (Header *)pointer - 1;
  atomic_fetch_sub(&liveBytes, (long long)block->requested);
  Cache *cache = block->size >= kMinCached ? getCache() : NULL;
  if (!cache || block->size > kMaxCachedBytes) {
    free(block);
    return;
  }
  /* Make room: the smallest cached blocks go first. */
  while (cache->count > 0 && (cache->count == kSlots ||
                              cache->bytes + block->size > kMaxCachedBytes)) {
    int smallest = 0;
    for (int i = 1; i < cache->count; ++i)
      if (cache->blocks[i]->size < cache->blocks[smallest]->size)
        smallest = i;
    Header *evicted = cache->blocks[smallest];
    removeSlot(cache, smallest);
    free(evicted);
  }
  cache->blocks[cache->count++] = block;
  cache->bytes += block->size;
}
