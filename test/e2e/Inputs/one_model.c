/* One model alone (the reference of two_models.c): MODEL is
 * self_attention or encoder, chosen with -DENCODER. WEIGHTS "-" passes a
 * null path to _create (no params, or weights embedded in the object).
 *   usage: one_model WEIGHTS OUT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef ENCODER
#include "encoder.h"
#else
#include "self_attention.h"
#endif

static int fail(void) {
  fprintf(stderr, "%s\n", attnrt_last_error());
  return 1;
}

static void fill(float *x, long n) {
  for (long i = 0; i < n; ++i)
    x[i] = (float)((i * 37) % 101) / 101.0f - 0.5f;
}

int main(int argc, char **argv) {
  if (argc != 3)
    return 2;
  const char *weights = strcmp(argv[1], "-") ? argv[1] : NULL;
#ifdef ENCODER
  int64_t batch = 2, length = 5;
  int32_t lens[2] = {5, 3};
  encoder *model;
  if (encoder_create(weights, &model))
    return fail();
  long n = encoder_forward_src_count(batch, length);
  float *x = malloc(sizeof(float) * n), *y = malloc(sizeof(float) * n);
  fill(x, n);
  int result = encoder_forward(model, batch, length, x, lens, y) ? fail() : 0;
  encoder_destroy(model);
#else
  int64_t tokens = 7;
  self_attention *model;
  if (self_attention_create(weights, &model))
    return fail();
  long n = self_attention_forward_x_count(tokens);
  float *x = malloc(sizeof(float) * n), *y = malloc(sizeof(float) * n);
  fill(x, n);
  int result = self_attention_forward(model, tokens, x, y) ? fail() : 0;
  self_attention_destroy(model);
#endif
  if (!result) {
    FILE *f = fopen(argv[2], "wb");
    if (!f || fwrite(y, sizeof(float), (size_t)n, f) != (size_t)n) {
      if (f)
        fclose(f);
      result = 3;
    } else {
      result = fclose(f) != 0;
    }
  }
  free(x);
  free(y);
  return result;
}
