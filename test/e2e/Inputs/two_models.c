/* Two compiled models in one program: the self-attention example compiled
 * twice, as `self_attention` and as `sa_copy` (the same .attn under another
 * model name), and the transformer example's encoder. Each object exports
 * only its model's API, so they link together; each model writes its
 * output to a file, compared by the test with the output of a program that
 * links that model alone.
 *   usage: two_models WEIGHTS_SA WEIGHTS_ENC OUT_SA OUT_COPY OUT_ENC */
#include <stdio.h>
#include <stdlib.h>

#include "encoder.h"
#include "sa_copy.h"
#include "self_attention.h"

static void fill(float *x, long n) {
  for (long i = 0; i < n; ++i)
    x[i] = (float)((i * 37) % 101) / 101.0f - 0.5f;
}

static int save(const char *path, const float *y, long n) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(y, sizeof(float), (size_t)n, f) != (size_t)n)
    return 1;
  return fclose(f) != 0;
}

/* On failure: the message, then exit code 1 after the cleanup. */
#define CHECK(call)                                                          \
  do {                                                                       \
    if ((call) != ATTNRT_OK) {                                               \
      fprintf(stderr, "%s: %s\n", #call, attnrt_last_error());               \
      result = 1;                                                            \
      goto done;                                                             \
    }                                                                        \
  } while (0)

int main(int argc, char **argv) {
  if (argc != 6)
    return 2;
  int64_t tokens = 7, batch = 2, length = 5;
  long n = self_attention_forward_x_count(tokens);
  long m = encoder_forward_src_count(batch, length);
  self_attention *a = NULL;
  sa_copy *b = NULL;
  encoder *e = NULL;
  float *x = NULL, *ya = NULL, *yb = NULL, *src = NULL, *out = NULL;
  int32_t lens[2] = {5, 3};
  int result = 0;
  CHECK(self_attention_create(argv[1], &a));
  CHECK(sa_copy_create(argv[1], &b));
  CHECK(encoder_create(argv[2], &e));
  x = malloc(sizeof(float) * n), ya = malloc(sizeof(float) * n);
  yb = malloc(sizeof(float) * n), src = malloc(sizeof(float) * m);
  out = malloc(sizeof(float) * m);
  fill(x, n);
  fill(src, m);
  CHECK(self_attention_forward(a, tokens, x, ya));
  CHECK(sa_copy_forward(b, tokens, x, yb));
  CHECK(encoder_forward(e, batch, length, src, lens, out));
  if (save(argv[3], ya, n) || save(argv[4], yb, n) || save(argv[5], out, m)) {
    result = 3;
    goto done;
  }
  printf("three models ran in one program\n");
done:
  self_attention_destroy(a);
  sa_copy_destroy(b);
  encoder_destroy(e);
  free(x), free(ya), free(yb), free(src), free(out);
  return result;
}
