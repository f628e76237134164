/* The C side of the attention benchmark (bench/attention.sh): one
 * attention model compiled by attnc, a naive unfused attention on OpenBLAS,
 * and the OpenBLAS sgemm reference, on q, k, v : f32[N, D]. Built once per
 * model by bench/attention/run.py:
 *
 *   gcc -O3 -march=native -fopenmp -ffast-math -c naive.c        (once)
 *   cc -DMODEL=sd_d64_causal -DCAUSAL=1 -DNAIVE=1 -include sd_d64_causal.h \
 *      driver.c naive.o sd_d64_causal.o -lattnrt -lopenblas -lgomp -lm
 *
 * MODEL is the model name; its fn is `attend(q, k, v) -> (o)`, or
 * `-> (o, w)` with -DWEIGHTS_OUT=1 (w : f32[N, N], the attention weights).
 * CAUSAL=1: the model's mask is causal (the naive implementation then masks
 * too). NAIVE=1: the model's score is scaled_dot, so the naive
 * implementation (naive.c) computes the same function.
 *
 *   driver ROLE N [--weights FILE] [--samples S] [--seconds X] [--out DIR]
 *                 [--sgemm]
 *
 * ROLE check: runs the model (and the naive implementation) once on random
 *   q, k, v and writes q.bin, k.bin, v.bin, attnc_o.bin (attnc_w.bin) and
 *   naive_o.bin to DIR (raw float32, row major).
 * ROLE attnc | naive: times that implementation (bench.h's bench_measure:
 *   warm-up >= 0.2 s and >= 1 call, at most S samples (default 20), fewer
 *   when they would take more than X seconds (default 3), at least 3).
 *   Peak memory: the peak RSS (VmHWM), reset to the current RSS after the
 *   model, the inputs and the outputs are allocated and touched and
 *   OpenBLAS and its threads are warmed up (one call of the sgemm reference
 *   below, whose N x N buffer stays allocated), and again after the timed
 *   calls; the growth is what the implementation's calls add (scratch, the
 *   score matrix).
 *   --sgemm (with attnc): then, in the same process, times the sgemm
 *   reference: the two products of attention with cblas_sgemm on the same
 *   shapes (S = Q K^T, N x N x D; O = P V, N x D x N; back to back,
 *   alpha = 1, beta = 0).
 *
 * Threads: OMP_NUM_THREADS (libgomp, shared by OpenBLAS, attnrt and the
 * naive softmax loop). Prints one JSON object on stdout. */
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/bench.h"
#include "naive.h"

#ifndef MODEL
#error "compile with -DMODEL=<model name> -include <model>.h"
#endif
#ifndef CAUSAL
#define CAUSAL 0
#endif
#ifndef NAIVE
#define NAIVE 0
#endif
#ifndef WEIGHTS_OUT
#define WEIGHTS_OUT 0
#endif

typedef struct {
  const MODEL *model;
  int64_t n, d;
  const float *q, *k, *v;
  float *o, *w; /* w: the weights, with WEIGHTS_OUT */
  float *s;     /* the sgemm reference's N x N product */
} attention_args;

static void run_attnc(void *context) {
  attention_args *a = context;
#if WEIGHTS_OUT
  attnrt_status status =
      MODEL_FN(attend)(a->model, a->n, a->q, a->k, a->v, a->o, a->w);
#else
  attnrt_status status =
      MODEL_FN(attend)(a->model, a->n, a->q, a->k, a->v, a->o);
#endif
  if (status) {
    fprintf(stderr, "driver: " BENCH_STR(MODEL) "_attend: %s: %s\n",
            attnrt_status_name(status), attnrt_last_error());
    exit(1);
  }
}

static void run_naive(void *context) {
  attention_args *a = context;
  naive_attention((int)a->n, (int)a->d, CAUSAL, a->q, a->k, a->v, a->o);
}

static void run_sgemm(void *context) {
  attention_args *a = context;
  int n = (int)a->n, d = (int)a->d;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, d, 1.0f, a->q, d,
              a->k, d, 0.0f, a->s, n);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, d, n, 1.0f, a->s, n,
              a->v, d, 0.0f, a->o, d);
}

static void usage(void) {
  fprintf(stderr, "usage: driver check|attnc|naive N [--weights FILE] "
                  "[--samples S] [--seconds X] [--out DIR] [--sgemm]\n");
  exit(2);
}

int main(int argc, char **argv) {
  if (argc < 3)
    usage();
  const char *role = argv[1], *weights = NULL, *out = ".";
  long long n = atoll(argv[2]);
  int samples = 20, sgemm = 0;
  double seconds = 3.0;
  for (int i = 3; i < argc; ++i) {
    if (!strcmp(argv[i], "--sgemm"))
      sgemm = 1;
    else if (i + 1 == argc)
      usage();
    else if (!strcmp(argv[i], "--weights"))
      weights = argv[++i];
    else if (!strcmp(argv[i], "--samples"))
      samples = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--seconds"))
      seconds = atof(argv[++i]);
    else if (!strcmp(argv[i], "--out"))
      out = argv[++i];
    else
      usage();
  }
  int check = !strcmp(role, "check"), naive = !strcmp(role, "naive");
  if (n < 1 || n > 65536 || samples < 1 ||
      (!check && !naive && strcmp(role, "attnc")) || (naive && !NAIVE))
    usage();

  MODEL *model;
  attnrt_status status = MODEL_FN(create)(weights, &model);
  if (status) {
    fprintf(stderr, "driver: %s: %s: %s\n", weights ? weights : "(no file)",
            attnrt_status_name(status), attnrt_last_error());
    return 1;
  }
  int64_t d = MODEL_FN(attend_q_count)(n) / n;
  unsigned seed = 2026;
  const float unit = 2.0f * sqrtf(3.0f); /* uniform with variance 1 */
  attention_args args = {model,
                         n,
                         d,
                         bench_random_floats((size_t)(n * d), unit, &seed),
                         bench_random_floats((size_t)(n * d), unit, &seed),
                         bench_random_floats((size_t)(n * d), unit, &seed),
                         bench_alloc(sizeof(float) * (size_t)(n * d)),
                         NULL,
                         NULL};
#if WEIGHTS_OUT
  args.w = bench_alloc(sizeof(float) * (size_t)MODEL_FN(attend_w_count)(n));
#endif

  if (check) {
    size_t bytes = sizeof(float) * (size_t)(n * d);
    run_attnc(&args);
    bench_write_file(out, "q", args.q, bytes);
    bench_write_file(out, "k", args.k, bytes);
    bench_write_file(out, "v", args.v, bytes);
    bench_write_file(out, "attnc_o", args.o, bytes);
#if WEIGHTS_OUT
    bench_write_file(out, "attnc_w", args.w, sizeof(float) * (size_t)(n * n));
#endif
#if NAIVE
    run_naive(&args);
    bench_write_file(out, "naive_o", args.o, bytes);
#endif
    MODEL_FN(destroy)(model);
    return 0;
  }

  /* OpenBLAS's buffers and threads, warmed up on the shapes of attention
   * (one call of the sgemm reference) before the baseline; its buffers stay
   * allocated, so the peak RSS grows only by what the timed calls add. */
  args.s = bench_alloc(sizeof(float) * (size_t)(n * n));
  run_sgemm(&args);
  bench_reset_peak_rss(0); /* 0: no malloc_trim, as this driver always did */
  long rss_before = bench_peak_rss_kib();
  bench_timing t =
      bench_measure(naive ? run_naive : run_attnc, &args, samples, 1, seconds);
  long rss_after = bench_peak_rss_kib();
  printf("{\"model\": \"%s\", \"role\": \"%s\", \"N\": %lld, \"D\": %lld, "
         "\"causal\": %d, \"openblas_threads\": %d, \"min_us\": %.3f, "
         "\"median_us\": %.3f, \"reps\": %ld, \"samples\": %ld, "
         "\"rss_before_kib\": %ld, \"rss_after_kib\": %ld",
         BENCH_STR(MODEL), role, n, (long long)d, CAUSAL,
         openblas_get_num_threads(), t.min_us, t.median_us, t.reps, t.samples,
         rss_before, rss_after);
  if (sgemm) {
    bench_timing ts = bench_measure(run_sgemm, &args, samples, 1, seconds);
    printf(", \"sgemm_min_us\": %.3f, \"sgemm_median_us\": %.3f, "
           "\"sgemm_reps\": %ld, \"sgemm_samples\": %ld",
           ts.min_us, ts.median_us, ts.reps, ts.samples);
  }
  printf("}\n");
  MODEL_FN(destroy)(model);
  return 0;
}
