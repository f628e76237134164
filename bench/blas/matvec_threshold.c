/* Loops or attnrt_sgemv for a small matrix-vector product? Times y += A x
 * for A [M, K] as lowered by attnc with every product in loops (LLVM-
 * vectorized at -O3 where it can) and with every product through
 * attnrt_sgemv, one thread; median of 31 samples of >= 1 ms each.
 * Built and run by matvec_threshold.sh; prints a markdown table. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
} memref2;
typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} memref1;

void _mlir_ciface_mv_loops(memref2 *a, memref1 *x, memref1 *y);
void _mlir_ciface_mv_blas(memref2 *a, memref1 *x, memref1 *y);

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

typedef void (*entry)(memref2 *, memref1 *, memref1 *);

static double median_us(entry f, memref2 *a, memref1 *x, memref1 *y) {
  long reps = 1;
  for (;;) {
    double t0 = now();
    for (long i = 0; i < reps; ++i)
      f(a, x, y);
    if (now() - t0 > 1e-3)
      break;
    reps *= 2;
  }
  double t[31];
  for (int s = 0; s < 31; ++s) {
    double t0 = now();
    for (long i = 0; i < reps; ++i)
      f(a, x, y);
    t[s] = (now() - t0) / (double)reps * 1e6;
  }
  qsort(t, 31, sizeof(double), compare);
  return t[15];
}

int main(void) {
  static const int shapes[][2] = {{4, 4},    {8, 8},     {4, 64},   {16, 16},
                                  {13, 64},  {32, 32},   {64, 16},  {64, 64},
                                  {13, 256}, {128, 128}, {384, 144}};
  float *w = malloc(sizeof(float) * 384 * 256),
        *v = malloc(sizeof(float) * 384), *out = calloc(384, sizeof(float));
  for (int i = 0; i < 384 * 256; ++i)
    w[i] = (float)((i * 37) % 101) / 101.0f - 0.5f;
  for (int i = 0; i < 384; ++i)
    v[i] = (float)((i * 13) % 29) / 29.0f - 0.5f;
  printf("| M x K | flops | loops us | attnrt_sgemv us | loops / sgemv |\n");
  printf("|---|--:|--:|--:|--:|\n");
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; ++i) {
    int m = shapes[i][0], k = shapes[i][1];
    memref2 a = {w, w, 0, {m, k}, {k, 1}};
    memref1 x = {v, v, 0, {k}, {1}}, y = {out, out, 0, {m}, {1}};
    double loops = median_us(_mlir_ciface_mv_loops, &a, &x, &y);
    double blas = median_us(_mlir_ciface_mv_blas, &a, &x, &y);
    printf("| %d x %d | %d | %.3f | %.3f | %.2f |\n", m, k, 2 * m * k, loops,
           blas, loops / blas);
  }
  return 0;
}
