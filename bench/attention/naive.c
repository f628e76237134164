/* Naive unfused attention on OpenBLAS, the peer of attnc's attention in
 * bench/attention.sh: S = Q K^T / sqrt(D) with cblas_sgemm into a full
 * N x N matrix (allocated per call), a max-subtracted softmax per row (keys
 * j <= i only when causal; the rest of the row set to 0, so P V is still
 * the full N x N x D product), O = P V with cblas_sgemm.
 *
 * The softmax loop is parallel over rows (OpenMP, libgomp: the pool OpenBLAS
 * uses) and vectorized: this file is compiled with gcc -fopenmp -ffast-math
 * (-c only; without crtfastmath at link time the process keeps IEEE
 * denormals), which lets gcc call glibc's vector expf (libmvec). The loops
 * only see finite scores, so fast-math changes no result beyond rounding. */
#include "naive.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void naive_attention(int n, int d, int causal, const float *q, const float *k,
                     const float *v, float *o) {
  float *s = malloc(sizeof(float) * (size_t)n * (size_t)n);
  if (!s) {
    fprintf(stderr, "naive_attention: out of memory\n");
    exit(1);
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, d,
              1.0f / sqrtf((float)d), q, d, k, d, 0.0f, s, n);
#pragma omp parallel for schedule(static, 8)
  for (int i = 0; i < n; ++i) {
    float *row = s + (size_t)i * (size_t)n;
    int keys = causal ? i + 1 : n;
    float max = row[0], sum = 0.0f;
    for (int j = 1; j < keys; ++j)
      max = fmaxf(max, row[j]);
    for (int j = 0; j < keys; ++j) {
      row[j] = expf(row[j] - max);
      sum += row[j];
    }
    float scale = 1.0f / sum;
    for (int j = 0; j < keys; ++j)
      row[j] *= scale;
    for (int j = keys; j < n; ++j)
      row[j] = 0.0f;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, d, n, 1.0f, s, n,
              v, d, 0.0f, o, d);
  free(s);
}
