/*===- Blas.c - BLAS wrappers over OpenBLAS (sgemm, sgemv) ----------------===*/

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

/// y = alpha op(A) x + beta y through cblas_sgemv, arguments already checked
/// and within int. With beta == 0, y is cleared first: whether OpenBLAS's
/// scaling by 0 clears a NaN in y has changed between versions.
static void blasSgemv(bool transA, int64_t m, int64_t n, float alpha,
                      const float *a, int64_t lda, const float *x, int64_t incx,
                      float beta, float *y, int64_t incy) {
  if (beta == 0.0f) {
    int64_t lengthY = transA ? n : m;
    for (int64_t i = 0; i < lengthY; ++i)
      y[i * incy] = 0.0f;
  }
  cblas_sgemv(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, (int)m, (int)n,
              alpha, a, (int)lda, x, (int)incx, beta, y, (int)incy);
}

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
  /* One column or one row of C is a matrix-vector product: OpenBLAS 0.3.21
   * packs both operands of every sgemm, and sgemv is 2.7-5.7x faster for
   * such shapes (bench/blas/gemv_vs_gemm.c). */
  if (n == 1) {
    /* C[:, 0] = op(A) op(B)[:, 0]; op(B)'s column is B's column (stride
     * ldb) or, transposed, its row. */
    blasSgemv(transA, transA ? k : m, transA ? m : k, alpha, a, lda, b,
              transB ? 1 : ldb, beta, c, ldc);
    return;
  }
  if (m == 1) {
    /* C[0, :] = op(B)^T op(A)[0, :]; op(A)'s row is A's row or, transposed,
     * its column (stride lda). */
    blasSgemv(!transB, transB ? n : k, transB ? k : n, alpha, b, ldb, a,
              transA ? lda : 1, beta, c, 1);
    return;
  }
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
              transB ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, alpha,
              a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
}

/// Fallback for sizes cblas' int arguments cannot express: correct, slow.
/// Also the whole product when x is empty (y = beta * y).
static void referenceSgemv(bool trans, int64_t m, int64_t n, float alpha,
                           const float *a, int64_t lda, const float *x,
                           int64_t incx, float beta, float *y, int64_t incy) {
  int64_t lengthY = trans ? n : m, lengthX = trans ? m : n;
  for (int64_t i = 0; i < lengthY; ++i) {
    float sum = 0.0f;
    for (int64_t p = 0; p < lengthX; ++p)
      sum += (trans ? a[p * lda + i] : a[i * lda + p]) * x[p * incx];
    float *out = &y[i * incy];
    *out = beta == 0.0f ? alpha * sum : alpha * sum + beta * *out;
  }
}

void attnrt_sgemv(int32_t trans, int64_t m, int64_t n, float alpha,
                  const float *a, int64_t lda, const float *x, int64_t incx,
                  float beta, float *y, int64_t incy) {
  bool transA = trans != 0;
  if (m < 0 || n < 0) {
    attnrt_set_error(ATTNRT_ERROR_INVALID_ARGUMENT,
                     "attnrt_sgemv: negative size m=%" PRId64 " n=%" PRId64, m,
                     n);
    return;
  }
  if (lda < atLeastOne(n) || incx < 1 || incy < 1) {
    attnrt_set_error(ATTNRT_ERROR_INVALID_ARGUMENT,
                     "attnrt_sgemv: lda=%" PRId64 " incx=%" PRId64
                     " incy=%" PRId64 " are invalid for m=%" PRId64
                     " n=%" PRId64 " (lda >= max(1, n), increments >= 1)",
                     lda, incx, incy, m, n);
    return;
  }
  int64_t lengthY = transA ? n : m, lengthX = transA ? m : n;
  if (lengthY == 0)
    return;
  if (!y || (lengthX > 0 && (!a || !x))) {
    attnrt_set_error(ATTNRT_ERROR_INVALID_ARGUMENT,
                     "attnrt_sgemv: NULL matrix or vector pointer");
    return;
  }
  if (lengthX == 0 || m > INT_MAX || n > INT_MAX || lda > INT_MAX ||
      incx > INT_MAX || incy > INT_MAX) {
    /* BLAS returns early on an empty x without scaling y; and sizes cblas'
     * int cannot hold. */
    referenceSgemv(transA, m, n, alpha, a, lda, x, incx, beta, y, incy);
    return;
  }
  blasSgemv(transA, m, n, alpha, a, lda, x, incx, beta, y, incy);
}
