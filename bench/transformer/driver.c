/* The C side of the transformer layer benchmark (bench/transformer_layer.sh):
 * one nn.TransformerEncoderLayer (d 512, 8 heads, ffn 2048, post-norm,
 * relu) compiled by attnc from bench/transformer/layer.attn, and the
 * OpenBLAS GEMM reference: the layer's matrix products alone, same shapes.
 * Built once by bench/transformer/run.py:
 *
 *   cc -DMODEL=encoder_layer -include encoder_layer.h driver.c \
 *      encoder_layer.o -lattnrt -lopenblas -lgomp -lm
 *   (and again with -DBENCH_PROFILE=1 for the profile role)
 *
 *   driver check B S --weights FILE --out DIR [--lens L0,L1,...]
 *   driver attnc B S --weights FILE [--samples S] [--seconds X] [--gemm]
 *   driver peak [--size N] [--samples S] [--seconds X]
 *   driver profile B S --weights FILE [--seconds X]   (-DBENCH_PROFILE=1)
 *
 * check: runs the layer once on random src : f32[B, S, 512] (uniform,
 *   variance 1, seeded) with lens (default: all S) and writes src.bin,
 *   lens.bin and out.bin (raw, row major) to DIR.
 * attnc: times encoder_layer_forward (bench.h's bench_measure: warm-up
 *   >= 0.2 s and >= 1 call, at most S samples (default 20), fewer when they
 *   would take more than X seconds (default 3), at least 3), lens all S.
 *   Peak memory: VmHWM, reset to the current RSS (clear_refs 5, after
 *   malloc_trim(0) returned free heap memory to the system) once the
 *   inputs, the output and the GEMM reference's buffers are allocated and
 *   touched, the reference ran once (OpenBLAS's buffers and threads) and the
 *   layer ran once at B = 1, S = 1 (its weights are mapped from the file:
 *   that call faults them in, so they are not counted as growth), and read
 *   again after the timed calls: the growth is the scratch the layer's
 *   calls at B, S add.
 *   --gemm: then, in the same process, times the GEMM reference in two
 *   groups (each with bench_measure): "dense", the four weight products
 *   (in_proj [B*S, 512] x [512, 1536], out_proj x [512, 512], linear1
 *   x [512, 2048], linear2 [B*S, 2048] x [2048, 512]); "attention", per
 *   batch row and head (B * 8 of each) Q_h K_h^T [S, 64] x [64, S] into an
 *   S x S buffer and that times V_h [S, S] x [S, 64], Q, K, V read in place
 *   from the in_proj output (leading dimension 1536), as PyTorch's paths
 *   do. cblas_sgemm, alpha 1, beta 0; no bias, softmax or norm.
 * peak: times one N x N x N cblas_sgemm (default N = 2048): the rate
 *   OpenBLAS reaches on large square products on this machine.
 * profile (a second build, -DBENCH_PROFILE=1, so the timed driver has no
 *   wrappers): where the layer's time goes. The executable interposes
 *   cblas_sgemm, cblas_sgemv and attnrt_parallel_for (see BENCH_PROFILE
 *   below); after one warm-up call, calls the layer for X seconds (default
 *   3; at least 1 call, at most 50) and prints the median call's total,
 *   its time in BLAS outside parallel loops (the weight products), in the
 *   parallel loops (the tiled attention, BLAS tiles included) and the rest
 *   (bias, relu, residual adds and layer norms, memory: attnc's own serial
 *   code).
 *
 * Threads: OMP_NUM_THREADS (libgomp, shared by OpenBLAS and attnrt). Prints
 * one JSON object on stdout. */
#if BENCH_PROFILE
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <stdatomic.h>
#endif
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/bench.h"

#ifndef MODEL
#error "compile with -DMODEL=<model name> -include <model>.h"
#endif

enum { D = 512, HEADS = 8, DH = D / HEADS, F = 2048 };

typedef struct {
  const MODEL *model;
  int64_t b, s;
  const float *src;
  const int32_t *lens;
  float *out;
} layer_args;

/* The GEMM reference's operands: weights (random) and activations. */
typedef struct {
  int b, s;
  const float *x, *w_in, *w_out, *w1, *w2;
  float *qkv, *attn, *proj, *hidden, *y, *scores;
} gemm_args;

static void run_attnc(void *context) {
  layer_args *a = context;
  attnrt_status status = MODEL_FN(forward)(a->model, a->b, a->s, a->src,
                                           a->lens, a->out);
  if (status) {
    fprintf(stderr, "driver: " BENCH_STR(MODEL) "_forward: %s: %s\n",
            attnrt_status_name(status), attnrt_last_error());
    exit(1);
  }
}

#if BENCH_PROFILE
/* Where attnc's time goes (the profile role; built with -DBENCH_PROFILE=1):
 * this executable defines cblas_sgemm, cblas_sgemv and attnrt_parallel_for,
 * so libattnrt's BLAS calls and the model's parallel loops (the tiled
 * attention's query blocks) come here; each times the call and forwards it
 * to the real function (dlsym RTLD_NEXT). BLAS calls made outside a
 * parallel loop (the weight products) add their wall time to blas_ns;
 * those inside one (attention tiles, on the loop's threads) their summed
 * thread time to loop_blas_ns; each loop its wall time to loop_ns. */
static _Atomic long long blas_ns, loop_blas_ns, loop_ns;
static _Atomic int in_loop;

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *real_function(const char *name) {
  void *f = dlsym(RTLD_NEXT, name);
  if (!f) {
    fprintf(stderr, "driver: no %s after this executable: %s\n", name,
            dlerror());
    exit(1);
  }
  return f;
}

static void add_blas_time(long long start) {
  long long spent = now_ns() - start;
  atomic_fetch_add(atomic_load(&in_loop) ? &loop_blas_ns : &blas_ns, spent);
}

typedef void (*sgemm_fn)(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE,
                         enum CBLAS_TRANSPOSE, blasint, blasint, blasint,
                         float, const float *, blasint, const float *,
                         blasint, float, float *, blasint);
typedef void (*sgemv_fn)(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, blasint,
                         blasint, float, const float *, blasint,
                         const float *, blasint, float, float *, blasint);
typedef void (*parallel_for_fn)(int64_t, attnrt_parallel_body, void *);

void cblas_sgemm(OPENBLAS_CONST enum CBLAS_ORDER order,
                 OPENBLAS_CONST enum CBLAS_TRANSPOSE trans_a,
                 OPENBLAS_CONST enum CBLAS_TRANSPOSE trans_b,
                 OPENBLAS_CONST blasint m, OPENBLAS_CONST blasint n,
                 OPENBLAS_CONST blasint k, OPENBLAS_CONST float alpha,
                 OPENBLAS_CONST float *a, OPENBLAS_CONST blasint lda,
                 OPENBLAS_CONST float *b, OPENBLAS_CONST blasint ldb,
                 OPENBLAS_CONST float beta, float *c,
                 OPENBLAS_CONST blasint ldc) {
  static _Atomic(sgemm_fn) real;
  if (!atomic_load(&real))
    atomic_store(&real, (sgemm_fn)real_function("cblas_sgemm"));
  long long start = now_ns();
  atomic_load(&real)(order, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb,
                     beta, c, ldc);
  add_blas_time(start);
}

void cblas_sgemv(OPENBLAS_CONST enum CBLAS_ORDER order,
                 OPENBLAS_CONST enum CBLAS_TRANSPOSE trans,
                 OPENBLAS_CONST blasint m, OPENBLAS_CONST blasint n,
                 OPENBLAS_CONST float alpha, OPENBLAS_CONST float *a,
                 OPENBLAS_CONST blasint lda, OPENBLAS_CONST float *x,
                 OPENBLAS_CONST blasint incx, OPENBLAS_CONST float beta,
                 float *y, OPENBLAS_CONST blasint incy) {
  static _Atomic(sgemv_fn) real;
  if (!atomic_load(&real))
    atomic_store(&real, (sgemv_fn)real_function("cblas_sgemv"));
  long long start = now_ns();
  atomic_load(&real)(order, trans, m, n, alpha, a, lda, x, incx, beta, y,
                     incy);
  add_blas_time(start);
}

void attnrt_parallel_for(int64_t count, attnrt_parallel_body body,
                         void *context) {
  static _Atomic(parallel_for_fn) real;
  if (!atomic_load(&real))
    atomic_store(&real,
                 (parallel_for_fn)real_function("attnrt_parallel_for"));
  long long start = now_ns();
  atomic_store(&in_loop, 1);
  atomic_load(&real)(count, body, context);
  atomic_store(&in_loop, 0);
  atomic_fetch_add(&loop_ns, now_ns() - start);
}

typedef struct {
  double total_us, blas_us, loop_us, loop_blas_us;
} profile_call;

static int compare_calls(const void *a, const void *b) {
  double x = ((const profile_call *)a)->total_us,
         y = ((const profile_call *)b)->total_us;
  return (x > y) - (x < y);
}

/* Calls the layer (after one warm-up call) until `seconds` have passed, at
 * least once and at most 50 times; prints the parts of the median call. */
static void profile(layer_args *args, double seconds) {
  run_attnc(args);
  profile_call calls[50];
  int n = 0;
  double start = bench_now();
  while (n < 50 && (n < 1 || bench_now() - start < seconds)) {
    atomic_store(&blas_ns, 0);
    atomic_store(&loop_blas_ns, 0);
    atomic_store(&loop_ns, 0);
    long long t0 = now_ns();
    run_attnc(args);
    long long total = now_ns() - t0;
    calls[n++] = (profile_call){total / 1e3, atomic_load(&blas_ns) / 1e3,
                                atomic_load(&loop_ns) / 1e3,
                                atomic_load(&loop_blas_ns) / 1e3};
  }
  qsort(calls, (size_t)n, sizeof calls[0], compare_calls);
  profile_call m = calls[n / 2];
  printf("{\"role\": \"profile\", \"B\": %lld, \"S\": %lld, \"calls\": %d, "
         "\"total_us\": %.3f, \"blas_us\": %.3f, \"loop_us\": %.3f, "
         "\"loop_blas_thread_us\": %.3f, \"other_us\": %.3f}\n",
         (long long)args->b, (long long)args->s, n, m.total_us, m.blas_us,
         m.loop_us, m.loop_blas_us, m.total_us - m.blas_us - m.loop_us);
}
#endif

/* y[m, n] = a[m, k] w[n, k]^T: nn.Linear's product. */
static void linear(int m, int n, int k, const float *a, const float *w,
                   float *y) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, a, k, w,
              k, 0.0f, y, n);
}

static void run_dense(void *context) {
  gemm_args *g = context;
  int rows = g->b * g->s;
  linear(rows, 3 * D, D, g->x, g->w_in, g->qkv);
  linear(rows, D, D, g->attn, g->w_out, g->proj);
  linear(rows, F, D, g->proj, g->w1, g->hidden);
  linear(rows, D, F, g->hidden, g->w2, g->y);
}

static void run_attention(void *context) {
  gemm_args *g = context;
  int s = g->s;
  for (int b = 0; b < g->b; ++b)
    for (int h = 0; h < HEADS; ++h) {
      const float *q = g->qkv + (size_t)b * s * 3 * D + h * DH;
      const float *k = q + D, *v = q + 2 * D;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, s, s, DH, 1.0f, q,
                  3 * D, k, 3 * D, 0.0f, g->scores, s);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s, DH, s, 1.0f,
                  g->scores, s, v, 3 * D, 0.0f,
                  g->attn + (size_t)b * s * D + h * DH, D);
    }
}

typedef struct {
  int n;
  const float *a, *b;
  float *c;
} peak_args;

static void run_peak(void *context) {
  peak_args *p = context;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, p->n, p->n, p->n,
              1.0f, p->a, p->n, p->b, p->n, 0.0f, p->c, p->n);
}

static void usage(void) {
  fprintf(stderr,
          "usage: driver check B S --weights FILE --out DIR [--lens L,...]\n"
          "       driver attnc B S --weights FILE [--samples S] [--seconds X] "
          "[--gemm]\n"
          "       driver peak [--size N] [--samples S] [--seconds X]\n"
          "       driver profile B S --weights FILE [--seconds X]   "
          "(-DBENCH_PROFILE=1)\n");
  exit(2);
}

static void print_timing(const char *prefix, bench_timing t) {
  printf(", \"%smin_us\": %.3f, \"%smedian_us\": %.3f, \"%sreps\": %ld, "
         "\"%ssamples\": %ld",
         prefix, t.min_us, prefix, t.median_us, prefix, t.reps, prefix,
         t.samples);
}

int main(int argc, char **argv) {
  if (argc < 2)
    usage();
  const char *role = argv[1], *weights = NULL, *out = ".", *lens_text = NULL;
  int check = !strcmp(role, "check"), peak = !strcmp(role, "peak");
  int profiling = !strcmp(role, "profile");
  if (!check && !peak && !profiling && strcmp(role, "attnc"))
    usage();
#if !BENCH_PROFILE
  if (profiling) {
    fprintf(stderr, "driver: the profile role needs -DBENCH_PROFILE=1\n");
    return 2;
  }
#endif
  int first = peak ? 2 : 4;
  if (argc < first)
    usage();
  long long b = peak ? 0 : atoll(argv[2]), s = peak ? 0 : atoll(argv[3]);
  int samples = 20, gemm = 0, size = 2048;
  double seconds = 3.0;
  for (int i = first; i < argc; ++i) {
    if (!strcmp(argv[i], "--gemm"))
      gemm = 1;
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
    else if (!strcmp(argv[i], "--lens"))
      lens_text = argv[++i];
    else if (!strcmp(argv[i], "--size"))
      size = atoi(argv[++i]);
    else
      usage();
  }
  if (samples < 1 || size < 1 ||
      (!peak && (b < 1 || s < 1 || !weights)))
    usage();

  if (peak) {
    unsigned seed = 7;
    size_t count = (size_t)size * (size_t)size;
    peak_args p = {size, bench_random_floats(count, 1.0f, &seed),
                   bench_random_floats(count, 1.0f, &seed),
                   bench_alloc(sizeof(float) * count)};
    bench_timing t = bench_measure(run_peak, &p, samples, 1, seconds);
    printf("{\"role\": \"peak\", \"size\": %d, \"openblas_threads\": %d, "
           "\"openblas_core\": \"%s\", \"openblas_config\": \"%s\"",
           size, openblas_get_num_threads(), openblas_get_corename(),
           openblas_get_config());
    print_timing("", t);
    printf("}\n");
    return 0;
  }

  MODEL *model;
  attnrt_status status = MODEL_FN(create)(weights, &model);
  if (status) {
    fprintf(stderr, "driver: %s: %s: %s\n", weights,
            attnrt_status_name(status), attnrt_last_error());
    return 1;
  }
  size_t rows = (size_t)(b * s);
  unsigned seed = 2026;
  const float unit = 2.0f * sqrtf(3.0f); /* uniform with variance 1 */
  int32_t *lens = bench_alloc(sizeof(int32_t) * (size_t)b);
  for (long long i = 0; i < b; ++i)
    lens[i] = (int32_t)s;
  if (lens_text) {
    const char *p = lens_text;
    for (long long i = 0; i < b; ++i) {
      char *end;
      long value = strtol(p, &end, 10);
      if (end == p || value < 0 || value > s) {
        fprintf(stderr, "driver: --lens needs %lld values in [0, %lld]\n", b,
                s);
        return 2;
      }
      lens[i] = (int32_t)value;
      p = *end == ',' ? end + 1 : end;
    }
  }
  layer_args args = {model, b, s,
                     bench_random_floats(rows * D, unit, &seed), lens,
                     bench_alloc(sizeof(float) * rows * D)};

#if BENCH_PROFILE
  if (profiling) {
    profile(&args, seconds);
    MODEL_FN(destroy)(model);
    return 0;
  }
#endif
  if (check) {
    run_attnc(&args);
    bench_write_file(out, "src", args.src, sizeof(float) * rows * D);
    bench_write_file(out, "lens", lens, sizeof(int32_t) * (size_t)b);
    bench_write_file(out, "out", args.out, sizeof(float) * rows * D);
    MODEL_FN(destroy)(model);
    return 0;
  }

  /* The GEMM reference's buffers, allocated and warmed up (one call of
   * each group: OpenBLAS's buffers and threads) before the baseline. */
  const float scale = 2.0f * sqrtf(3.0f / D); /* variance 1 / D */
  gemm_args g = {(int)b,
                 (int)s,
                 args.src,
                 bench_random_floats((size_t)3 * D * D, scale, &seed),
                 bench_random_floats((size_t)D * D, scale, &seed),
                 bench_random_floats((size_t)F * D, scale, &seed),
                 bench_random_floats((size_t)D * F, scale, &seed),
                 bench_alloc(sizeof(float) * rows * 3 * D),
                 bench_alloc(sizeof(float) * rows * D),
                 bench_alloc(sizeof(float) * rows * D),
                 bench_alloc(sizeof(float) * rows * F),
                 bench_alloc(sizeof(float) * rows * D),
                 bench_alloc(sizeof(float) * (size_t)(s * s))};
  run_dense(&g);
  run_attention(&g);
  /* The layer once at B = 1, S = 1: faults in the mapped weights. */
  float one_out[D];
  int32_t one_len = 1;
  layer_args one = {model, 1, 1, args.src, &one_len, one_out};
  run_attnc(&one);

  bench_reset_peak_rss(1);
  long rss_before = bench_peak_rss_kib();
  bench_timing t = bench_measure(run_attnc, &args, samples, 1, seconds);
  long rss_after = bench_peak_rss_kib();
  printf("{\"model\": \"%s\", \"role\": \"attnc\", \"B\": %lld, \"S\": %lld, "
         "\"openblas_threads\": %d, \"rss_before_kib\": %ld, "
         "\"rss_after_kib\": %ld",
         BENCH_STR(MODEL), b, s, openblas_get_num_threads(), rss_before,
         rss_after);
  print_timing("", t);
  if (gemm) {
    print_timing("dense_", bench_measure(run_dense, &g, samples, 1, seconds));
    print_timing("attention_",
                 bench_measure(run_attention, &g, samples, 1, seconds));
  }
  printf("}\n");
  MODEL_FN(destroy)(model);
  return 0;
}
