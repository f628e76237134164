/*===- Blas.c - BLAS wrappers over OpenBLAS -------------------------------===*/

#include "attnrt.h"

#include <cblas.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>

/// Fallback for sizes cblas' int arguments cannot express: correct, slow.
static void referenceSgemm(bool transA, bool transB, int64_t m, int64_t n,
                           int64_t k, float alpha, const float *a, int64_t lda,
                           const float *b, int64_t ldb, float beta, float *c,
                           int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
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
}

static int64_t atLeastOne(int64_t value) { return value > 1 ? value : 1; }

void attnrt_sgemm(int32_t trans_a, int32_t trans_b, int64_t m, int64_t n,
                  int64_t k, float alpha, const float *a, int64_t lda,
                  const float *b, int64_t ldb, float beta, float *c,
                  int64_t ldc) {
  bool transA = trans_a != 0, transB = trans_b != 0;
  if (m < 0 || n < 0 || k < 0) {
    attnrt_set_error(ATTNRT_ERROR_INVALID_ARGUMENT,
                     "attnrt_sgemm: negative size m=%" PRId64 " n=%" PRId64
                     " k=%" PRId64,
                     m, n, k);
    return;
  }
  /* Row-major strides must cover the stored width of each matrix. */
  int64_t widthA = transA ? m : k, widthB = transB ? k : n;
  if (lda < atLeastOne(widthA) || ldb < atLeastOne(widthB) ||
      ldc < atLeastOne(n)) {
    attnrt_set_error(ATTNRT_ERROR_INVALID_ARGUMENT,
                     "attnrt_sgemm: leading dimensions lda=%" PRId64
                     " ldb=%" PRId64 " ldc=%" PRId64
                     " are too small for m=%" PRId64 " n=%" PRId64
                     " k=%" PRId64,
                     lda, ldb, ldc, m, n, k);
    return;
  }
  if (m == 0 || n == 0)
    return;
  if (!c || (k > 0 && (!a || !b))) {
    attnrt_set_error(ATTNRT_ERROR_INVALID_ARGUMENT,
                     "attnrt_sgemm: NULL matrix pointer");
    return;
  }
  if (m > INT_MAX || n > INT_MAX || k > INT_MAX || lda > INT_MAX ||
      ldb > INT_MAX || ldc > INT_MAX) {
    referenceSgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c,
                   ldc);
    return;
  }
  if (k == 0) {
    /* Nothing to multiply; avoid handing BLAS null A/B pointers. */
    referenceSgemm(transA, transB, m, n, 0, alpha, a, lda, b, ldb, beta, c,
                   ldc);
    return;
  }
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
              transB ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, alpha,
              a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
}
