/* Which BLAS call should a matrix-vector product become?  Times, for
 * row-major W [M, K] and M, K in 100..2000, on one thread:
 *   sgemv   cblas_sgemv(RowMajor, NoTrans, M, K, W, x, y)       y = W x
 *   gemm_n1 cblas_sgemm(RowMajor, M, n=1, K)                     the same
 *   gemvT   cblas_sgemv(RowMajor, Trans, M, K, W, x, y)         y = W^T x
 * (vecmat) gemm_m1 cblas_sgemm(RowMajor, m=1, n=K, k=M)                 the
 * same all with beta = 1 (accumulate, as linalg does). Each time is the median
 * of 31 samples of enough calls to last ~2 ms, weights warm in cache (as they
 * are in a decoder step called in a loop).
 *   usage: gemv_vs_gemm  (prints a markdown table) */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

enum { kSamples = 31 };

typedef void (*kernel)(int m, int k, const float *w, const float *x, float *y);

static void gemv(int m, int k, const float *w, const float *x, float *y) {
  cblas_sgemv(CblasRowMajor, CblasNoTrans, m, k, 1.0f, w, k, x, 1, 1.0f, y, 1);
}
static void gemm_n1(int m, int k, const float *w, const float *x, float *y) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, 1, k, 1.0f, w, k, x,
              1, 1.0f, y, 1);
}
static void gemvT(int m, int k, const float *w, const float *x, float *y) {
  cblas_sgemv(CblasRowMajor, CblasTrans, m, k, 1.0f, w, k, x, 1, 1.0f, y, 1);
}
static void gemm_m1(int m, int k, const float *w, const float *x, float *y) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1, k, m, 1.0f, x, m, w,
              k, 1.0f, y, k);
}

/* Median microseconds per call. */
static double timeit(kernel f, int m, int k, const float *w, const float *x,
                     float *y) {
  for (int i = 0; i < 20; ++i)
    f(m, k, w, x, y);
  double t0 = now();
  int calls = 0;
  while (now() - t0 < 2e-3) {
    f(m, k, w, x, y);
    ++calls;
  }
  double samples[kSamples];
  for (int s = 0; s < kSamples; ++s) {
    double start = now();
    for (int i = 0; i < calls; ++i)
      f(m, k, w, x, y);
    samples[s] = (now() - start) / calls * 1e6;
  }
  qsort(samples, kSamples, sizeof(double), cmp);
  return samples[kSamples / 2];
}

int main(void) {
  openblas_set_num_threads(1);
  static const int sizes[] = {100, 200, 500, 1000, 2000};
  enum { kSizes = sizeof sizes / sizeof sizes[0] };
  float *w = malloc(sizeof(float) * 2000 * 2000);
  float *x = malloc(sizeof(float) * 2000), *y = malloc(sizeof(float) * 2000);
  for (int i = 0; i < 2000 * 2000; ++i)
    w[i] = (float)(rand() / (double)RAND_MAX) - 0.5f;
  for (int i = 0; i < 2000; ++i)
    x[i] = (float)(rand() / (double)RAND_MAX) - 0.5f, y[i] = 0.0f;
  printf("| M | K | sgemv us | sgemm n=1 us | gemm/gemv | sgemv^T us | sgemm "
         "m=1 us | gemm/gemv |\n");
  printf("|--:|--:|--:|--:|--:|--:|--:|--:|\n");
  for (int i = 0; i < kSizes; ++i)
    for (int j = 0; j < kSizes; ++j) {
      int m = sizes[i], k = sizes[j];
      double a = timeit(gemv, m, k, w, x, y),
             b = timeit(gemm_n1, m, k, w, x, y);
      double c = timeit(gemvT, m, k, w, x, y),
             d = timeit(gemm_m1, m, k, w, x, y);
      printf("| %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n", m, k, a,
             b, b / a, c, d, d / c);
      fflush(stdout);
    }
  free(w), free(x), free(y);
  return 0;
}
