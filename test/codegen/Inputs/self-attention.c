/*===- self-attention.c - Harness of self-attention.mlir ------------------===*/

#include "harness.h"

void _mlir_ciface_forward(memref2_f32 *wq, memref2_f32 *wk, memref2_f32 *wv,
                          memref2_f32 *wo, memref2_f32 *x, memref2_f32 *y,
                          memref3_f32 *w);
void _mlir_ciface_attend(memref3_f32 *q, memref3_f32 *k, memref3_f32 *v,
                         memref1_i32 *len, memref3_f32 *o, memref3_f32 *w);

enum { D = 32, H = 4, DH = D / H };

static void testForward(int64_t n) {
  float *wq = randomArray(D * D, 0.3f), *wk = randomArray(D * D, 0.3f);
  float *wv = randomArray(D * D, 0.3f), *wo = randomArray(D * D, 0.3f);
  float *x = randomArray(n * D, 1.0f);
  float *y = poisonedArray(n * D), *w = poisonedArray(H * n * n);
  memref2_f32 dwq, dwk, dwv, dwo, dx, dy;
  memref3_f32 dw;
  MAKE_MEMREF(dwq, wq, D, D);
  MAKE_MEMREF(dwk, wk, D, D);
  MAKE_MEMREF(dwv, wv, D, D);
  MAKE_MEMREF(dwo, wo, D, D);
  MAKE_MEMREF(dx, x, n, D);
  MAKE_MEMREF(dy, y, n, D);
  MAKE_MEMREF(dw, w, H, n, n);
  _mlir_ciface_forward(&dwq, &dwk, &dwv, &dwo, &dx, &dy, &dw);

  float *q = malloc(sizeof(float) * n * D), *k = malloc(sizeof(float) * n * D);
  float *v = malloc(sizeof(float) * n * D), *o = malloc(sizeof(float) * n * D);
  float *wantY = malloc(sizeof(float) * n * D);
  float *wantW = malloc(sizeof(float) * H * n * n);
  float *e = malloc(sizeof(float) * n);
  int *keep = malloc(sizeof(int) * n);
  refMatmul(x, wq, q, n, D, D);
  refMatmul(x, wk, k, n, D, D);
  refMatmul(x, wv, v, n, D, D);
  float scale = 1.0f / sqrtf((float)DH);
  for (int h = 0; h < H; ++h)
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        e[j] = refScore(SCALED_DOT, q + i * D + h * DH, k + j * D + h * DH, j,
                        DH, DH, NULL, NULL, NULL, 0, scale);
        keep[j] = j <= i;
      }
      float *a = wantW + (h * n + i) * n;
      refSoftmaxRow(e, keep, n, a, 0, 0);
      for (int d = 0; d < DH; ++d) {
        double sum = 0;
        for (int64_t j = 0; j < n; ++j)
          sum += (double)a[j] * v[j * D + h * DH + d];
        o[i * D + h * DH + d] = (float)sum;
      }
    }
  refMatmul(o, wo, wantY, n, D, D);
  expectClose("forward.y", y, wantY, n * D);
  expectClose("forward.weights", w, wantW, H * n * n);
  free(wq), free(wk), free(wv), free(wo), free(x), free(y), free(w);
  free(q), free(k), free(v), free(o), free(wantY), free(wantW), free(e);
  free(keep);
}

static void testAttend(int64_t nq, int64_t nk) {
  enum { B = 2, DK = 16, DV = 8 };
  float *q = randomArray(B * nq * DK, 1.0f), *k = randomArray(B * nk * DK, 1.0f);
  float *v = randomArray(B * nk * DV, 1.0f);
  int32_t len[B] = {(int32_t)(nk - 2), 0}; /* the second sequence is empty */
  float *o = poisonedArray(B * nq * DV), *w = poisonedArray(B * nq * nk);
  memref3_f32 dq, dk, dv, dout, dw;
  memref1_i32 dlen;
  MAKE_MEMREF(dq, q, B, nq, DK);
  MAKE_MEMREF(dk, k, B, nk, DK);
  MAKE_MEMREF(dv, v, B, nk, DV);
  MAKE_MEMREF(dlen, len, B);
  MAKE_MEMREF(dout, o, B, nq, DV);
  MAKE_MEMREF(dw, w, B, nq, nk);
  _mlir_ciface_attend(&dq, &dk, &dv, &dlen, &dout, &dw);

  float *wantO = malloc(sizeof(float) * B * nq * DV);
  float *wantW = malloc(sizeof(float) * B * nq * nk);
  float *e = malloc(sizeof(float) * nk);
  int *keep = malloc(sizeof(int) * nk);
  for (int b = 0; b < B; ++b)
    for (int64_t i = 0; i < nq; ++i) {
      for (int64_t j = 0; j < nk; ++j) {
        e[j] = refScore(SCALED_DOT, q + (b * nq + i) * DK, k + (b * nk + j) * DK,
                        j, DK, DK, NULL, NULL, NULL, 0, 0.5f);
        keep[j] = j < len[b];
      }
      float *a = wantW + (b * nq + i) * nk;
      refSoftmaxRow(e, keep, nk, a, 0, 0);
      for (int d = 0; d < DV; ++d) {
        double sum = 0;
        for (int64_t j = 0; j < nk; ++j)
          sum += (double)a[j] * v[(b * nk + j) * DV + d];
        wantO[(b * nq + i) * DV + d] = (float)sum;
      }
    }
  expectClose("attend.out", o, wantO, B * nq * DV);
  expectClose("attend.weights", w, wantW, B * nq * nk);
  free(q), free(k), free(v), free(o), free(w), free(wantO), free(wantW);
  free(e), free(keep);
}

int main(void) {
  testForward(7);
  testAttend(5, 9);
#ifndef ATTNC_USE_ATTNRT
  printf("sgemm calls: %d\n", sgemmCalls);
#endif
  return finish();
}
