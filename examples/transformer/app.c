/* A C application that runs the compiled 2-layer transformer: the encoder
 * on a batch of 3 source sequences of different lengths, padded to the
 * longest, then the decoder on 3 target sequences (causal, padded) that
 * attend to the encoder's output.
 *
 *   ./build.sh OUT_DIR              (attnc, then cc; see README.md)
 *   OUT_DIR/app encoder.safetensors decoder.safetensors [LEN0 LEN1 LEN2]
 *
 * LEN0..2 are the source lengths (default 12 5 8); S, the padded length, is
 * the largest. The target lengths are 6 3 1 (T = 6). The inputs follow a
 * fixed pattern so that check.py can recompute the outputs with PyTorch:
 *   src[b][s][d] = sin(0.37 d + 1.3 s + 2.1 b)   for s < LENb, else 0
 *   tgt[b][t][d] = cos(0.23 d + 0.7 t + 1.9 b)   for t < tgt_len[b], else 0
 * (in a real model these would be token embeddings plus positions). The
 * values at padded positions do not matter: keys there are masked, and the
 * rows there are computed but never read. */
#include "decoder.h"
#include "encoder.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { B = 3, D = 512, T = 6 };

/* Prints the error of a failed call and returns 1, or returns 0. */
static int failed(attnrt_status status, const char *what) {
  if (status == ATTNRT_OK)
    return 0;
  fprintf(stderr, "error: %s failed (%s): %s\n", what,
          attnrt_status_name(status), attnrt_last_error());
  return 1;
}

static float *alloc_floats(int64_t count) {
  float *p = calloc((size_t)count, sizeof(float));
  if (!p) {
    fprintf(stderr, "error: out of memory\n");
    exit(1);
  }
  return p;
}

/* The first values of a few rows, and the mean |value| over the valid rows
 * of each sequence. */
static void print_rows(const char *name, const float *out, int64_t rows,
                       const int32_t *lens) {
  for (int b = 0; b < B; ++b) {
    if (lens[b] == 0) { /* all keys masked: attnc's attention gives 0 */
      printf("%s[%d]: length 0\n", name, b);
      continue;
    }
    double sum = 0;
    for (int64_t r = 0; r < lens[b]; ++r)
      for (int d = 0; d < D; ++d)
        sum += fabs(out[(b * rows + r) * D + d]);
    printf("%s[%d]: length %d, mean |value| %.6f\n", name, b, lens[b],
           sum / ((double)lens[b] * D));
    int64_t shown[2] = {0, lens[b] - 1};
    for (int i = 0; i < (lens[b] > 1 ? 2 : 1); ++i) {
      printf("  %s[%d][%lld][0:4] =", name, b, (long long)shown[i]);
      for (int d = 0; d < 4; ++d)
        printf(" %10.6f", out[(b * rows + shown[i]) * D + d]);
      printf("\n");
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 3 && argc != 6) {
    fprintf(stderr, "usage: %s encoder.safetensors decoder.safetensors "
                    "[LEN0 LEN1 LEN2]\n", argv[0]);
    return 2;
  }
  int32_t src_lens[B] = {12, 5, 8}, tgt_lens[B] = {6, 3, 1};
  int64_t S = 0;
  for (int b = 0; b < B; ++b) {
    if (argc == 6)
      src_lens[b] = atoi(argv[3 + b]);
    if (src_lens[b] > S)
      S = src_lens[b];
  }
  if (S == 0)
    S = 1;

  /* Loading checks every tensor's name, dtype and shape. */
  encoder *enc = NULL;
  decoder *dec = NULL;
  if (failed(encoder_create(argv[1], &enc), "encoder_create") ||
      failed(decoder_create(argv[2], &dec), "decoder_create")) {
    encoder_destroy(enc);
    return 1;
  }

  float *src = alloc_floats(encoder_forward_src_count(B, S));
  float *memory = alloc_floats(encoder_forward_out_count(B, S));
  float *tgt = alloc_floats(decoder_forward_tgt_count(B, T, S));
  float *out = alloc_floats(decoder_forward_out_count(B, T, S));
  for (int b = 0; b < B; ++b)
    for (int64_t s = 0; s < src_lens[b]; ++s)
      for (int d = 0; d < D; ++d)
        src[(b * S + s) * D + d] = (float)sin(0.37 * d + 1.3 * s + 2.1 * b);
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < tgt_lens[b]; ++t)
      for (int d = 0; d < D; ++d)
        tgt[(b * T + t) * D + d] = (float)cos(0.23 * d + 0.7 * t + 1.9 * b);

  /* Bad dims (S above its bound) and bad lengths (below 0) come back as a
   * status, with nothing written. */
  int status = 1;
  if (failed(encoder_forward(enc, B, S, src, src_lens, memory),
             "encoder_forward"))
    goto done;
  printf("encoder: B = %d, S = %lld, D = %d\n", B, (long long)S, D);
  print_rows("memory", memory, S, src_lens);

  /* The decoder sees memory keys s < src_lens[b] only. */
  if (failed(decoder_forward(dec, B, T, S, tgt, memory, tgt_lens, src_lens,
                             out),
             "decoder_forward"))
    goto done;
  printf("decoder: B = %d, T = %d, S = %lld\n", B, T, (long long)S);
  print_rows("out", out, T, tgt_lens);
  status = 0;

done:
  free(src), free(memory), free(tgt), free(out);
  encoder_destroy(enc);
  decoder_destroy(dec);
  return status;
}
