/* Timing, buffers and peak memory shared by the C harnesses of bench/
 * (step_bench.c, attention/driver.c, transformer/driver.c). Header-only:
 * include it once per program.
 *
 * bench_measure: warm-up (>= 0.2 s and >= `warmup_calls` calls), then up to
 * `samples` samples, each `reps` consecutive calls with reps chosen so that
 * a sample lasts >= 1 ms; min and median microseconds per call (clock:
 * CLOCK_MONOTONIC). With max_seconds > 0 fewer samples are taken when all
 * of them would last longer than that, but at least min(3, samples). */
#ifndef ATTNC_BENCH_LIB_BENCH_H
#define ATTNC_BENCH_LIB_BENCH_H

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A harness compiled per model with -DMODEL=<name> -include <name>.h calls
 * MODEL_FN(step) for <name>_step; BENCH_STR(MODEL) is "<name>". */
#define BENCH_CAT2(a, b) a##b
#define BENCH_CAT(a, b) BENCH_CAT2(a, b)
#define MODEL_FN(name) BENCH_CAT(MODEL, BENCH_CAT(_, name))
#define BENCH_STR2(x) #x
#define BENCH_STR(x) BENCH_STR2(x)

static double bench_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int bench_compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* 64-byte aligned, zero-filled (so every page is touched); exits if out of
 * memory. */
static void *bench_alloc(size_t bytes) {
  void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
  if (!p) {
    fprintf(stderr, "bench: out of memory (%zu bytes)\n", bytes);
    exit(1);
  }
  memset(p, 0, bytes);
  return p;
}

/* `count` floats, uniform in [-scale/2, scale/2) (a 32-bit LCG from *seed). */
static float *bench_random_floats(size_t count, float scale, unsigned *seed) {
  float *p = bench_alloc(sizeof(float) * count);
  for (size_t i = 0; i < count; ++i) {
    *seed = *seed * 1664525u + 1013904223u;
    p[i] = ((float)(*seed >> 8) / 16777216.0f - 0.5f) * scale;
  }
  return p;
}

typedef void (*bench_body)(void *context);

typedef struct {
  double min_us, median_us;
  long reps, samples;
} bench_timing;

static bench_timing bench_measure(bench_body body, void *context, int samples,
                                  long warmup_calls, double max_seconds) {
  double start = bench_now();
  long calls = 0;
  while (bench_now() - start < 0.2 || calls < warmup_calls) {
    body(context);
    ++calls;
  }
  double per_call = (bench_now() - start) / (double)calls;
  long reps = (long)(1e-3 / per_call) + 1;
  if (max_seconds > 0) {
    int affordable = (int)(max_seconds / (per_call * (double)reps));
    int least = samples < 3 ? samples : 3;
    if (affordable < samples)
      samples = affordable > least ? affordable : least;
  }
  if (samples < 1)
    samples = 1;
  double *t = malloc(sizeof(double) * (size_t)samples);
  if (!t) {
    fprintf(stderr, "bench: out of memory\n");
    exit(1);
  }
  for (int s = 0; s < samples; ++s) {
    double t0 = bench_now();
    for (long i = 0; i < reps; ++i)
      body(context);
    t[s] = (bench_now() - t0) / (double)reps * 1e6;
  }
  qsort(t, (size_t)samples, sizeof(double), bench_compare);
  bench_timing result = {t[0], t[samples / 2], reps, samples};
  free(t);
  return result;
}

/* The peak RSS of this process (VmHWM), in KiB; -1 if unknown. Not
 * ru_maxrss: Linux carries that over from the parent across fork and exec,
 * so a harness started by a Python process holding PyTorch would start at
 * the parent's peak. */
static inline long bench_peak_rss_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kib = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
      break;
  if (f)
    fclose(f);
  return kib;
}

/* Resets the peak RSS to the current RSS (Linux: clear_refs 5); with
 * `trim`, first malloc_trim(0) (free heap memory back to the system, so that
 * it is not resident at the baseline; transformer/driver.c trims,
 * attention/driver.c does not). */
static inline void bench_reset_peak_rss(int trim) {
  if (trim)
    malloc_trim(0);
  FILE *f = fopen("/proc/self/clear_refs", "w");
  if (f)
    fputs("5", f), fclose(f);
}

/* Writes `bytes` bytes to DIR/NAME.bin; exits on failure. */
static inline void bench_write_file(const char *dir, const char *name,
                                    const void *data, size_t bytes) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.bin", dir, name);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, bytes, f) != bytes || fclose(f)) {
    perror(path);
    exit(1);
  }
}

#endif
