/*===- softmax-masks.c - Harness of softmax-masks.mlir --------------------===*/

#include "harness.h"

DEFINE_MEMREF(memref2_i64, int64_t, 2)

void _mlir_ciface_padding(memref3_f32 *e, memref1_i32 *len, memref3_f32 *out);
void _mlir_ciface_causal_padding(memref3_f32 *e, memref2_i64 *len,
                                 memref3_f32 *out);
void _mlir_ciface_window(memref2_f32 *e, memref2_f32 *out);
void _mlir_ciface_local_p(memref2_f32 *e, memref1_f32 *pos, memref1_i32 *len,
                          memref2_f32 *out);
void _mlir_ciface_all_neg_inf(memref2_f32 *e, memref2_f32 *out);
void _mlir_ciface_local_m_gaussian(memref2_f32 *e, memref2_f32 *out);
void _mlir_ciface_heads(memref3_f32 *q, memref3_f32 *k, memref3_f32 *v,
                        memref1_i32 *len, memref2_f32 *pos, memref3_f32 *o,
                        memref4_f32 *w);

enum { MAXN = 64 };

static void testPadding(void) {
  enum { B = 3, NQ = 4, NK = 6 };
  float *e = randomArray(B * NQ * NK, 4.0f), *out = poisonedArray(B * NQ * NK);
  float want[B * NQ * NK];
  int32_t len[B] = {6, 0, 3};
  memref3_f32 de, dout;
  memref1_i32 dlen;
  MAKE_MEMREF(de, e, B, NQ, NK);
  MAKE_MEMREF(dlen, len, B);
  MAKE_MEMREF(dout, out, B, NQ, NK);
  _mlir_ciface_padding(&de, &dlen, &dout);
  int keep[NK];
  for (int b = 0; b < B; ++b)
    for (int i = 0; i < NQ; ++i) {
      for (int j = 0; j < NK; ++j)
        keep[j] = j < len[b];
      refSoftmaxRow(e + (b * NQ + i) * NK, keep, NK, want + (b * NQ + i) * NK,
                    0, 0);
    }
  expectClose("padding", out, want, B * NQ * NK);
  free(e), free(out);
}

static void testCausalPadding(void) {
  enum { B = 2, NQ = 5, NK = 5 };
  float *e = randomArray(B * NQ * NK, 4.0f), *out = poisonedArray(B * NQ * NK);
  float want[B * NQ * NK];
  int64_t len[B * NQ] = {5, 4, 3, 2, 1, 0, 5, 1, 5, 2};
  memref3_f32 de, dout;
  memref2_i64 dlen;
  MAKE_MEMREF(de, e, B, NQ, NK);
  MAKE_MEMREF(dlen, len, B, NQ);
  MAKE_MEMREF(dout, out, B, NQ, NK);
  _mlir_ciface_causal_padding(&de, &dlen, &dout);
  int keep[NK];
  for (int b = 0; b < B; ++b)
    for (int i = 0; i < NQ; ++i) {
      for (int j = 0; j < NK; ++j)
        keep[j] = j <= i && j < len[b * NQ + i];
      refSoftmaxRow(e + (b * NQ + i) * NK, keep, NK, want + (b * NQ + i) * NK,
                    0, 0);
    }
  expectClose("causal_padding", out, want, B * NQ * NK);
  free(e), free(out);
}

static void testWindow(void) {
  enum { NQ = 6, NK = 9 };
  float *e = randomArray(NQ * NK, 4.0f), *out = poisonedArray(NQ * NK);
  float want[NQ * NK];
  memref2_f32 de, dout;
  MAKE_MEMREF(de, e, NQ, NK);
  MAKE_MEMREF(dout, out, NQ, NK);
  _mlir_ciface_window(&de, &dout);
  int keep[NK];
  for (int i = 0; i < NQ; ++i) {
    for (int j = 0; j < NK; ++j)
      keep[j] = abs(j - i) <= 2;
    refSoftmaxRow(e + i * NK, keep, NK, want + i * NK, 0, 0);
  }
  expectClose("window", out, want, NQ * NK);
  free(e), free(out);
}

static void testLocalP(void) {
  enum { B = 3, NK = 10 };
  float *e = randomArray(B * NK, 4.0f), *out = poisonedArray(B * NK);
  float want[B * NK];
  float pos[B] = {3.4f, 8.9f, 1.0f};
  int32_t len[B] = {10, 7, 10}; /* the second window lies past its length */
  memref2_f32 de, dout;
  memref1_f32 dpos;
  memref1_i32 dlen;
  MAKE_MEMREF(de, e, B, NK);
  MAKE_MEMREF(dpos, pos, B);
  MAKE_MEMREF(dlen, len, B);
  MAKE_MEMREF(dout, out, B, NK);
  _mlir_ciface_local_p(&de, &dpos, &dlen, &dout);
  int keep[NK];
  for (int b = 0; b < B; ++b) {
    for (int j = 0; j < NK; ++j)
      keep[j] = j < len[b] && fabsf((float)j - pos[b]) <= 2.0f;
    refSoftmaxRow(e + b * NK, keep, NK, want + b * NK, 2, pos[b]);
  }
  expectClose("local_p", out, want, B * NK);
  free(e), free(out);
}

static void testAllNegInf(void) {
  enum { NQ = 3, NK = 4 };
  float e[NQ * NK], want[NQ * NK];
  float *out = poisonedArray(NQ * NK);
  for (int i = 0; i < NQ * NK; ++i)
    e[i] = -INFINITY;
  e[2 * NK + 0] = 1.0f, e[2 * NK + 1] = 2.0f, e[2 * NK + 3] = 0.5f;
  memref2_f32 de, dout;
  MAKE_MEMREF(de, e, NQ, NK);
  MAKE_MEMREF(dout, out, NQ, NK);
  _mlir_ciface_all_neg_inf(&de, &dout);
  int keep[NK] = {1, 1, 1, 1};
  for (int i = 0; i < NQ; ++i)
    refSoftmaxRow(e + i * NK, keep, NK, want + i * NK, 0, 0);
  expectClose("all_neg_inf", out, want, NQ * NK);
  free(out);
}

static void testLocalMGaussian(void) {
  enum { N = 8 };
  float *e = randomArray(N * N, 4.0f), *out = poisonedArray(N * N);
  float want[N * N];
  memref2_f32 de, dout;
  MAKE_MEMREF(de, e, N, N);
  MAKE_MEMREF(dout, out, N, N);
  _mlir_ciface_local_m_gaussian(&de, &dout);
  int keep[N];
  for (int i = 0; i < N; ++i) {
    for (int j = 0; j < N; ++j)
      keep[j] = j <= i && abs(j - i) <= 3;
    refSoftmaxRow(e + i * N, keep, N, want + i * N, 3, i);
  }
  expectClose("local_m_gaussian", out, want, N * N);
  free(e), free(out);
}

static void testHeads(void) {
  enum { B = 2, H = 2, NQ = 4, NK = 7, D = 8, DV = 6, DH = D / H, DVH = DV / H };
  float *q = randomArray(B * NQ * D, 1.0f), *k = randomArray(B * NK * D, 1.0f);
  float *v = randomArray(B * NK * DV, 1.0f);
  int32_t len[B] = {5, 7};
  float pos[B * NQ] = {0.0f, 2.5f, 6.0f, 5.2f, 1.0f, 3.0f, 6.9f, 9.0f};
  float *o = poisonedArray(B * NQ * DV), *w = poisonedArray(B * H * NQ * NK);
  float wantO[B * NQ * DV], wantW[B * H * NQ * NK];
  memref3_f32 dq, dk, dv, dout;
  memref1_i32 dlen;
  memref2_f32 dpos;
  memref4_f32 dw;
  MAKE_MEMREF(dq, q, B, NQ, D);
  MAKE_MEMREF(dk, k, B, NK, D);
  MAKE_MEMREF(dv, v, B, NK, DV);
  MAKE_MEMREF(dlen, len, B);
  MAKE_MEMREF(dpos, pos, B, NQ);
  MAKE_MEMREF(dout, o, B, NQ, DV);
  MAKE_MEMREF(dw, w, B, H, NQ, NK);
  _mlir_ciface_heads(&dq, &dk, &dv, &dlen, &dpos, &dout, &dw);
  float e[NK];
  int keep[NK];
  for (int b = 0; b < B; ++b)
    for (int h = 0; h < H; ++h)
      for (int i = 0; i < NQ; ++i) {
        float c = pos[b * NQ + i];
        for (int j = 0; j < NK; ++j) {
          e[j] = refScore(DOT, q + (b * NQ + i) * D + h * DH,
                          k + (b * NK + j) * D + h * DH, j, DH, DH, NULL, NULL,
                          NULL, 0, 0);
          keep[j] = j < len[b] && fabsf((float)j - c) <= 1.0f;
        }
        float *a = wantW + ((b * H + h) * NQ + i) * NK;
        refSoftmaxRow(e, keep, NK, a, 1, c);
        for (int d = 0; d < DVH; ++d) {
          double sum = 0;
          for (int j = 0; j < NK; ++j)
            sum += (double)a[j] * v[(b * NK + j) * DV + h * DVH + d];
          wantO[(b * NQ + i) * DV + h * DVH + d] = (float)sum;
        }
      }
  expectClose("heads.out", o, wantO, B * NQ * DV);
  expectClose("heads.weights", w, wantW, B * H * NQ * NK);
  free(q), free(k), free(v), free(o), free(w);
}

int main(void) {
  testPadding();
  testCausalPadding();
  testWindow();
  testLocalP();
  testAllNegInf();
  testLocalMGaussian();
  testHeads();
  return finish();
}
