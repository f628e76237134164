/*===- harness.h - Shared pieces of the codegen end-to-end tests ----------===*
 *
 * Memref descriptors as the `_mlir_ciface_` wrappers take them, a seeded
 * random fill, a comparison with a stated tolerance, and plain C references
 * of the attention pieces (one row or one block at a time, written for
 * clarity, not speed). Tests compare against these loops, never against
 * compiler output.
 *
 *===----------------------------------------------------------------------===*/

#ifndef ATTNC_TEST_CODEGEN_HARNESS_H
#define ATTNC_TEST_CODEGEN_HARNESS_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Descriptors of ranked f32/i32 memrefs (identity layout). */
#define DEFINE_MEMREF(NAME, T, RANK)                                           \
  typedef struct {                                                             \
    T *allocated;                                                              \
    T *aligned;                                                                \
    int64_t offset;                                                            \
    int64_t sizes[RANK];                                                       \
    int64_t strides[RANK];                                                     \
  } NAME;
DEFINE_MEMREF(memref1_f32, float, 1)
DEFINE_MEMREF(memref2_f32, float, 2)
DEFINE_MEMREF(memref3_f32, float, 3)
DEFINE_MEMREF(memref4_f32, float, 4)
DEFINE_MEMREF(memref1_i32, int32_t, 1)
DEFINE_MEMREF(memref2_i32, int32_t, 2)

/* Fills a descriptor for a dense row-major buffer of `rank` dims. */
#define MAKE_MEMREF(desc, data, ...)                                           \
  do {                                                                         \
    int64_t dims_[] = {__VA_ARGS__};                                           \
    int rank_ = (int)(sizeof(dims_) / sizeof(dims_[0]));                       \
    (desc).allocated = (desc).aligned = (data);                                \
    (desc).offset = 0;                                                         \
    int64_t stride_ = 1;                                                       \
    for (int d_ = rank_ - 1; d_ >= 0; --d_) {                                  \
      (desc).sizes[d_] = dims_[d_];                                            \
      (desc).strides[d_] = stride_;                                            \
      stride_ *= dims_[d_];                                                    \
    }                                                                          \
  } while (0)

static uint64_t rngState = 0x2545F4914F6CDD1DULL;

/* Uniform in [-scale, scale), reproducible across runs. */
static float randomFloat(float scale) {
  rngState = rngState * 6364136223846793005ULL + 1442695040888963407ULL;
  return scale * ((float)(rngState >> 40) / (float)(1 << 23) - 1.0f);
}

/* Heap arrays (randomArray, poisonedArray): the caller frees them, which
 * LeakSanitizer checks in a sanitizer build. */
static float *randomArray(int64_t count, float scale) {
  float *data = (float *)malloc(sizeof(float) * (count ? count : 1));
  for (int64_t i = 0; i < count; ++i)
    data[i] = randomFloat(scale);
  return data;
}

/* NaN-filled, so that an element the code forgets to write is caught. */
static float *poisonedArray(int64_t count) {
  float *data = (float *)malloc(sizeof(float) * (count ? count : 1));
  for (int64_t i = 0; i < count; ++i)
    data[i] = NAN;
  return data;
}

static int failures = 0;

/* |got - want| <= 1e-4 * max(|want|, 1): 1e-4 relative, and absolute for the
 * values below 1 (weights, scores near 0). NaN never passes. */
static void expectClose(const char *what, const float *got, const float *want,
                        int64_t count) {
  int reported = 0;
  for (int64_t i = 0; i < count; ++i) {
    float tolerance = 1e-4f * fmaxf(fabsf(want[i]), 1.0f);
    if (!(fabsf(got[i] - want[i]) <= tolerance)) {
      if (reported++ < 5)
        printf("FAIL %s[%lld]: got %.8g, want %.8g\n", what, (long long)i,
               got[i], want[i]);
      ++failures;
    }
  }
  if (!reported)
    printf("ok %s (%lld values)\n", what, (long long)count);
}

static int finish(void) {
  printf(failures ? "FAIL (%d mismatches)\n" : "PASS\n", failures);
  return failures ? 1 : 0;
}

#ifndef ATTNC_USE_ATTNRT
/* Until libattnrt is linked: the same contract as attnrt_sgemm, naively.
 * Counts its calls so that a test can check the BLAS path was taken. */
static int sgemmCalls = 0;
void attnrt_sgemm(int32_t transA, int32_t transB, int64_t m, int64_t n,
                  int64_t k, float alpha, const float *a, int64_t lda,
                  const float *b, int64_t ldb, float beta, float *c,
                  int64_t ldc) {
  ++sgemmCalls;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float sum = 0.0f;
      for (int64_t p = 0; p < k; ++p) {
        float x = transA ? a[p * lda + i] : a[i * lda + p];
        float y = transB ? b[j * ldb + p] : b[p * ldb + j];
        sum += x * y;
      }
      float *out = &c[i * ldc + j];
      *out = beta == 0.0f ? alpha * sum : alpha * sum + beta * *out;
    }
}

/* The same contract as attnrt_parallel_for, on the calling thread: the
 * iterations run in order. Counts its calls (tiled attention uses it). */
static int parallelForCalls = 0;
void attnrt_parallel_for(int64_t count,
                         void (*body)(int64_t, int64_t, void *),
                         void *context) {
  ++parallelForCalls;
  if (count > 0 && body)
    body(0, count, context);
}

/* The heap buffers of generated code (runtime/Alloc.c): plain malloc. */
void *_mlir_memref_to_llvm_alloc(size_t size) { return malloc(size); }
void _mlir_memref_to_llvm_free(void *pointer) { free(pointer); }
#endif

/*===----------------------------------------------------------------------===*
 * References
 *===----------------------------------------------------------------------===*/

/* c[m x n] = a[m x k] * b[k x n], all dense. */
static void refMatmul(const float *a, const float *b, float *c, int64_t m,
                      int64_t n, int64_t k) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (int64_t p = 0; p < k; ++p)
        sum += (double)a[i * k + p] * b[p * n + j];
      c[i * n + j] = (float)sum;
    }
}

enum ScoreKind { DOT, SCALED_DOT, GENERAL, ADDITIVE, COSINE, LOCATION };

/* Score of query s[dq] against key h[dk] number `j`. W, U, v as in
 * docs/AttnDialect.md: general W[dq x dk]; additive W[A x dq], U[A x dk],
 * v[A]; location W[L x dq]. */
static float refScore(enum ScoreKind kind, const float *s, const float *h,
                      int64_t j, int64_t dq, int64_t dk, const float *W,
                      const float *U, const float *v, int64_t A, float scale) {
  double sum = 0;
  switch (kind) {
  case DOT:
  case SCALED_DOT:
    for (int64_t p = 0; p < dq; ++p)
      sum += (double)s[p] * h[p];
    return (float)(kind == DOT ? sum : sum * scale);
  case GENERAL:
    for (int64_t p = 0; p < dq; ++p)
      for (int64_t q = 0; q < dk; ++q)
        sum += (double)s[p] * W[p * dk + q] * h[q];
    return (float)sum;
  case ADDITIVE:
    for (int64_t a = 0; a < A; ++a) {
      double pre = 0;
      for (int64_t p = 0; p < dq; ++p)
        pre += (double)W[a * dq + p] * s[p];
      for (int64_t q = 0; q < dk; ++q)
        pre += (double)U[a * dk + q] * h[q];
      sum += v[a] * tanh(pre);
    }
    return (float)sum;
  case COSINE: {
    double ss = 0, hh = 0;
    for (int64_t p = 0; p < dq; ++p) {
      sum += (double)s[p] * h[p];
      ss += (double)s[p] * s[p];
      hh += (double)h[p] * h[p];
    }
    double denom = sqrt(ss) * sqrt(hh);
    return (float)(sum / (denom > 1e-8 ? denom : 1e-8));
  }
  case LOCATION:
    for (int64_t p = 0; p < dq; ++p)
      sum += (double)W[j * dq + p] * s[p];
    return (float)sum;
  }
  return NAN;
}

/* Masked softmax of one row e[nk] into a[nk]: keep[j] says which keys count;
 * gaussian > 0 multiplies by exp(-(j - center)^2 / (2 (gaussian/2)^2)). A row
 * with no kept key is all zeros. */
static void refSoftmaxRow(const float *e, const int *keep, int64_t nk,
                          float *a, int64_t gaussian, double center) {
  double max = -INFINITY, sum = 0;
  for (int64_t j = 0; j < nk; ++j)
    if (keep[j] && e[j] > max)
      max = e[j];
  for (int64_t j = 0; j < nk; ++j)
    sum += keep[j] && max > -INFINITY ? exp(e[j] - max) : 0.0;
  for (int64_t j = 0; j < nk; ++j) {
    double w = keep[j] && sum > 0 ? exp(e[j] - max) / sum : 0.0;
    if (gaussian > 0) {
      double sigma = gaussian / 2.0, d = j - center;
      w *= exp(-d * d / (2 * sigma * sigma));
    }
    a[j] = (float)w;
  }
}

#endif /* ATTNC_TEST_CODEGEN_HARNESS_H */
