/*===- scores.c - Harness of scores.mlir ----------------------------------===*/

#include "harness.h"

void _mlir_ciface_general_step(memref2_f32 *w, memref1_f32 *s,
                               memref2_f32 *keys, memref1_f32 *e,
                               memref1_f32 *c);
void _mlir_ciface_additive_step(memref2_f32 *wa, memref2_f32 *ua,
                                memref1_f32 *va, memref2_f32 *s,
                                memref3_f32 *keys, memref1_i32 *len,
                                memref2_f32 *o, memref2_f32 *w);
void _mlir_ciface_cosine(memref2_f32 *q, memref2_f32 *k, memref2_f32 *out);
void _mlir_ciface_location(memref2_f32 *w, memref3_f32 *q, memref3_f32 *k,
                           memref3_f32 *out);
void _mlir_ciface_scaled_dot_dynamic(memref2_f32 *q, memref2_f32 *k,
                                     memref2_f32 *out);
void _mlir_ciface_two_batch_dims(memref4_f32 *q, memref4_f32 *k,
                                 memref4_f32 *v, memref4_f32 *out);

/* out[dv] = sum_j a[j] values[j][dv]. */
static void refContextRow(const float *a, const float *values, int64_t nk,
                          int64_t dv, float *out) {
  for (int64_t d = 0; d < dv; ++d) {
    double sum = 0;
    for (int64_t j = 0; j < nk; ++j)
      sum += (double)a[j] * values[j * dv + d];
    out[d] = (float)sum;
  }
}

static void testGeneralStep(void) {
  enum { DQ = 16, DK = 12, NK = 9 };
  float *w = randomArray(DQ * DK, 0.3f), *s = randomArray(DQ, 1.0f);
  float *keys = randomArray(NK * DK, 1.0f);
  float *e = poisonedArray(NK), *c = poisonedArray(DK);
  float wantE[NK], wantA[NK], wantC[DK];
  int keep[NK];
  memref2_f32 dw, dkeys;
  memref1_f32 ds, de, dc;
  MAKE_MEMREF(dw, w, DQ, DK);
  MAKE_MEMREF(ds, s, DQ);
  MAKE_MEMREF(dkeys, keys, NK, DK);
  MAKE_MEMREF(de, e, NK);
  MAKE_MEMREF(dc, c, DK);
  _mlir_ciface_general_step(&dw, &ds, &dkeys, &de, &dc);
  for (int j = 0; j < NK; ++j) {
    wantE[j] = refScore(GENERAL, s, keys + j * DK, j, DQ, DK, w, NULL, NULL, 0,
                        0);
    keep[j] = 1;
  }
  refSoftmaxRow(wantE, keep, NK, wantA, 0, 0);
  refContextRow(wantA, keys, NK, DK, wantC);
  expectClose("general_step.scores", e, wantE, NK);
  expectClose("general_step.context", c, wantC, DK);
  free(w), free(s), free(keys), free(e), free(c);
}

static void testAdditiveStep(void) {
  enum { A = 10, DQ = 16, DK = 12, B = 2, NK = 7 };
  float *wa = randomArray(A * DQ, 0.3f), *ua = randomArray(A * DK, 0.3f);
  float *va = randomArray(A, 1.0f), *s = randomArray(B * DQ, 1.0f);
  float *keys = randomArray(B * NK * DK, 1.0f);
  int32_t len[B] = {7, 3};
  float *o = poisonedArray(B * DK), *w = poisonedArray(B * NK);
  float wantO[B * DK], wantW[B * NK], e[NK];
  int keep[NK];
  memref2_f32 dwa, dua, ds, dout, dw;
  memref1_f32 dva;
  memref3_f32 dkeys;
  memref1_i32 dlen;
  MAKE_MEMREF(dwa, wa, A, DQ);
  MAKE_MEMREF(dua, ua, A, DK);
  MAKE_MEMREF(dva, va, A);
  MAKE_MEMREF(ds, s, B, DQ);
  MAKE_MEMREF(dkeys, keys, B, NK, DK);
  MAKE_MEMREF(dlen, len, B);
  MAKE_MEMREF(dout, o, B, DK);
  MAKE_MEMREF(dw, w, B, NK);
  _mlir_ciface_additive_step(&dwa, &dua, &dva, &ds, &dkeys, &dlen, &dout, &dw);
  for (int b = 0; b < B; ++b) {
    for (int j = 0; j < NK; ++j) {
      e[j] = refScore(ADDITIVE, s + b * DQ, keys + (b * NK + j) * DK, j, DQ, DK,
                      wa, ua, va, A, 0);
      keep[j] = j < len[b];
    }
    refSoftmaxRow(e, keep, NK, wantW + b * NK, 0, 0);
    refContextRow(wantW + b * NK, keys + b * NK * DK, NK, DK, wantO + b * DK);
  }
  expectClose("additive_step.out", o, wantO, B * DK);
  expectClose("additive_step.weights", w, wantW, B * NK);
  free(wa), free(ua), free(va), free(s), free(keys), free(o), free(w);
}

static void testCosine(void) {
  enum { NQ = 5, NK = 6, D = 8 };
  float *q = randomArray(NQ * D, 1.0f), *k = randomArray(NK * D, 1.0f);
  for (int d = 0; d < D; ++d)
    k[3 * D + d] = 0.0f;
  float *out = poisonedArray(NQ * NK), want[NQ * NK];
  memref2_f32 dq, dk, dout;
  MAKE_MEMREF(dq, q, NQ, D);
  MAKE_MEMREF(dk, k, NK, D);
  MAKE_MEMREF(dout, out, NQ, NK);
  _mlir_ciface_cosine(&dq, &dk, &dout);
  for (int i = 0; i < NQ; ++i)
    for (int j = 0; j < NK; ++j)
      want[i * NK + j] = refScore(COSINE, q + i * D, k + j * D, j, D, D, NULL,
                                  NULL, NULL, 0, 0);
  expectClose("cosine", out, want, NQ * NK);
  free(q), free(k), free(out);
}

static void testLocation(void) {
  enum { L = 10, D = 8, B = 2, NQ = 3, NK = 6, DK = 6 };
  float *w = randomArray(L * D, 0.5f), *q = randomArray(B * NQ * D, 1.0f);
  float *k = randomArray(B * NK * DK, 1.0f);
  float *out = poisonedArray(B * NQ * NK), want[B * NQ * NK];
  memref2_f32 dw;
  memref3_f32 dq, dk, dout;
  MAKE_MEMREF(dw, w, L, D);
  MAKE_MEMREF(dq, q, B, NQ, D);
  MAKE_MEMREF(dk, k, B, NK, DK);
  MAKE_MEMREF(dout, out, B, NQ, NK);
  _mlir_ciface_location(&dw, &dq, &dk, &dout);
  for (int b = 0; b < B; ++b)
    for (int i = 0; i < NQ; ++i)
      for (int j = 0; j < NK; ++j)
        want[(b * NQ + i) * NK + j] = refScore(
            LOCATION, q + (b * NQ + i) * D, NULL, j, D, DK, w, NULL, NULL, 0, 0);
  expectClose("location", out, want, B * NQ * NK);
  free(w), free(q), free(k), free(out);
}

static void testScaledDotDynamic(void) {
  enum { NQ = 4, NK = 5, D = 7 };
  float *q = randomArray(NQ * D, 1.0f), *k = randomArray(NK * D, 1.0f);
  float *out = poisonedArray(NQ * NK), want[NQ * NK];
  memref2_f32 dq, dk, dout;
  MAKE_MEMREF(dq, q, NQ, D);
  MAKE_MEMREF(dk, k, NK, D);
  MAKE_MEMREF(dout, out, NQ, NK);
  _mlir_ciface_scaled_dot_dynamic(&dq, &dk, &dout);
  for (int i = 0; i < NQ; ++i)
    for (int j = 0; j < NK; ++j)
      want[i * NK + j] = refScore(SCALED_DOT, q + i * D, k + j * D, j, D, D,
                                  NULL, NULL, NULL, 0, 1.0f / sqrtf(D));
  expectClose("scaled_dot_dynamic", out, want, NQ * NK);
  free(q), free(k), free(out);
}

static void testTwoBatchDims(void) {
  enum { B0 = 2, B1 = 3, N = 5, DK = 4, DV = 5, G = B0 * B1 };
  float *q = randomArray(G * N * DK, 1.0f), *k = randomArray(G * N * DK, 1.0f);
  float *v = randomArray(G * N * DV, 1.0f);
  float *out = poisonedArray(G * N * DV), want[G * N * DV], e[N], a[N];
  int keep[N];
  memref4_f32 dq, dk, dv, dout;
  MAKE_MEMREF(dq, q, B0, B1, N, DK);
  MAKE_MEMREF(dk, k, B0, B1, N, DK);
  MAKE_MEMREF(dv, v, B0, B1, N, DV);
  MAKE_MEMREF(dout, out, B0, B1, N, DV);
  _mlir_ciface_two_batch_dims(&dq, &dk, &dv, &dout);
  for (int g = 0; g < G; ++g)
    for (int i = 0; i < N; ++i) {
      for (int j = 0; j < N; ++j) {
        e[j] = refScore(DOT, q + (g * N + i) * DK, k + (g * N + j) * DK, j, DK,
                        DK, NULL, NULL, NULL, 0, 0);
        keep[j] = j <= i;
      }
      refSoftmaxRow(e, keep, N, a, 0, 0);
      refContextRow(a, v + g * N * DV, N, DV, want + (g * N + i) * DV);
    }
  expectClose("two_batch_dims", out, want, G * N * DV);
  free(q), free(k), free(v), free(out);
}

int main(void) {
  testGeneralStep();
  testAdditiveStep();
  testCosine();
  testLocation();
  testScaledDotDynamic();
  testTwoBatchDims();
  return finish();
}
