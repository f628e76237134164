/* Times one decoder step of a seq2seq model compiled by attnc, and the
 * OpenBLAS floor of that step, in one process. Built once per model by
 * bench/seq2seq_step.sh:
 *
 *   cc -DMODEL=date -include date.h step_bench.c date.o -lattnrt -lopenblas
 *
 *   step_bench WEIGHTS INPUT OUTPUT FLOOR_SHAPES [SAMPLES]
 *
 * INPUT (written by torch_step.py): int32 S, int32 y, int32 src[S].
 * The harness calls MODEL_encode(src) once, then MODEL_step(y, s0, keys,
 * pkeys), and writes OUTPUT: float32 keys[S*K], pkeys[S*A], s0[D],
 * logits[VT], int32 token, float32 s1[D], align[S] (what the step was timed
 * on and what it returned, for the comparison with PyTorch).
 *
 * Timing (CLOCK_MONOTONIC): the step with the same inputs, called in a loop
 * after a warm-up of at least 0.2 s; SAMPLES samples (default 200), each of
 * `reps` consecutive steps with reps chosen so that a sample lasts >= 1 ms;
 * min and median per step. The floor: FLOOR_SHAPES lists the weight
 * matrices the step multiplies ("64x128,384x144,..."); one cblas_sgemv per
 * matrix (y = W x, row major, separate buffers of the same shapes), timed
 * the same way. Threads: OMP_NUM_THREADS (OpenBLAS's OpenMP pool, shared by
 * attnrt and the floor). Prints one JSON object on stdout. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/bench.h"

#ifndef MODEL
#error "compile with -DMODEL=<model name> -include <model>.h"
#endif

typedef struct {
  const MODEL *model;
  int64_t S;
  int32_t y;
  const float *s, *keys, *pkeys;
  float *logits, *s1, *align;
  int32_t token;
} step_args;

static void run_step(void *context) {
  step_args *a = context;
  attnrt_status status =
      MODEL_FN(step)(a->model, a->S, &a->y, a->s, a->keys, a->pkeys, a->logits,
                     &a->token, a->s1, a->align);
  if (status) {
    fprintf(stderr, "step_bench: step: %s: %s\n", attnrt_status_name(status),
            attnrt_last_error());
    exit(1);
  }
}

enum { kMaxMatrices = 16 };

typedef struct {
  int count;
  int rows[kMaxMatrices], cols[kMaxMatrices];
  float *w[kMaxMatrices], *x[kMaxMatrices], *y[kMaxMatrices];
} floor_args;

static void run_floor(void *context) {
  floor_args *f = context;
  for (int i = 0; i < f->count; ++i)
    cblas_sgemv(CblasRowMajor, CblasNoTrans, f->rows[i], f->cols[i], 1.0f,
                f->w[i], f->cols[i], f->x[i], 1, 0.0f, f->y[i], 1);
}

static int parse_shapes(const char *text, floor_args *f) {
  f->count = 0;
  while (*text) {
    int rows, cols, used;
    if (f->count == kMaxMatrices ||
        sscanf(text, "%dx%d%n", &rows, &cols, &used) != 2 || rows < 1 ||
        cols < 1)
      return -1;
    f->rows[f->count] = rows, f->cols[f->count] = cols, ++f->count;
    text += used;
    if (*text == ',')
      ++text;
    else if (*text)
      return -1;
  }
  return f->count ? 0 : -1;
}

static void write_all(FILE *f, const void *data, size_t bytes) {
  if (fwrite(data, 1, bytes, f) != bytes) {
    fprintf(stderr, "step_bench: write failed\n");
    exit(1);
  }
}

int main(int argc, char **argv) {
  if (argc < 5 || argc > 6) {
    fprintf(stderr, "usage: step_bench WEIGHTS INPUT OUTPUT FLOOR_SHAPES "
                    "[SAMPLES]\n");
    return 2;
  }
  int samples = argc == 6 ? atoi(argv[5]) : 200;
  if (samples < 1)
    samples = 1;
  floor_args floor;
  if (parse_shapes(argv[4], &floor)) {
    fprintf(stderr, "step_bench: bad FLOOR_SHAPES '%s'\n", argv[4]);
    return 2;
  }

  FILE *in = fopen(argv[2], "rb");
  int32_t header[2];
  if (!in || fread(header, sizeof(int32_t), 2, in) != 2 || header[0] < 1) {
    fprintf(stderr, "step_bench: cannot read %s\n", argv[2]);
    return 1;
  }
  int64_t S = header[0];
  int32_t *src = bench_alloc(sizeof(int32_t) * (size_t)S);
  if (fread(src, sizeof(int32_t), (size_t)S, in) != (size_t)S) {
    fprintf(stderr, "step_bench: %s is too short\n", argv[2]);
    return 1;
  }
  fclose(in);

  MODEL *model;
  attnrt_status status = MODEL_FN(create)(argv[1], &model);
  if (status) {
    fprintf(stderr, "step_bench: %s: %s: %s\n", argv[1],
            attnrt_status_name(status), attnrt_last_error());
    return 1;
  }
  int64_t nKeys = MODEL_FN(step_keys_count)(S),
          nPkeys = MODEL_FN(step_pkeys_count)(S);
  int64_t nS = MODEL_FN(step_s_count)(S),
          nLogits = MODEL_FN(step_logits_count)(S);
  int64_t nAlign = MODEL_FN(step_align_count)(S);
  float *keys = bench_alloc(sizeof(float) * (size_t)nKeys);
  float *pkeys = bench_alloc(sizeof(float) * (size_t)nPkeys);
  float *s0 = bench_alloc(sizeof(float) * (size_t)nS);
  status = MODEL_FN(encode)(model, S, src, keys, pkeys, s0);
  if (status) {
    fprintf(stderr, "step_bench: encode: %s: %s\n", attnrt_status_name(status),
            attnrt_last_error());
    return 1;
  }
  step_args args = {model,
                    S,
                    header[1],
                    s0,
                    keys,
                    pkeys,
                    bench_alloc(sizeof(float) * (size_t)nLogits),
                    bench_alloc(sizeof(float) * (size_t)nS),
                    bench_alloc(sizeof(float) * (size_t)nAlign),
                    -1};
  run_step(&args);

  FILE *out = fopen(argv[3], "wb");
  if (!out) {
    perror(argv[3]);
    return 1;
  }
  write_all(out, keys, sizeof(float) * (size_t)nKeys);
  write_all(out, pkeys, sizeof(float) * (size_t)nPkeys);
  write_all(out, s0, sizeof(float) * (size_t)nS);
  write_all(out, args.logits, sizeof(float) * (size_t)nLogits);
  write_all(out, &args.token, sizeof(int32_t));
  write_all(out, args.s1, sizeof(float) * (size_t)nS);
  write_all(out, args.align, sizeof(float) * (size_t)nAlign);
  if (fclose(out)) {
    perror(argv[3]);
    return 1;
  }

  bench_timing step = bench_measure(run_step, &args, samples, 100, 0);

  unsigned seed = 12345;
  long long bytes = 0;
  for (int i = 0; i < floor.count; ++i) {
    size_t r = (size_t)floor.rows[i], c = (size_t)floor.cols[i];
    floor.w[i] = bench_random_floats(r * c, 1.0f, &seed);
    floor.x[i] = bench_random_floats(c, 1.0f, &seed);
    floor.y[i] = bench_alloc(sizeof(float) * r);
    bytes += (long long)(r * c * sizeof(float));
  }
  bench_timing blas = bench_measure(run_floor, &floor, samples, 100, 0);

  printf("{\"model\": \"%s\", \"S\": %lld, \"openblas_threads\": %d, "
         "\"attnc_min_us\": %.4f, \"attnc_median_us\": %.4f, "
         "\"attnc_reps\": %ld, \"floor_min_us\": %.4f, "
         "\"floor_median_us\": %.4f, \"floor_reps\": %ld, "
         "\"floor_bytes\": %lld, \"samples\": %d}\n",
         BENCH_STR(MODEL), (long long)S, openblas_get_num_threads(),
         step.min_us, step.median_us, step.reps, blas.min_us, blas.median_us,
         blas.reps, bytes, samples);
  MODEL_FN(destroy)(model);
  return 0;
}
