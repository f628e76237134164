/* An application of the self-attention model built by attnc_add_model
 * (CMakeLists.txt) or by the Makefile of ../make_app.
 *
 *   ./app [tokens]
 *
 * The weights are the file named by SELF_ATTENTION_WEIGHTS_PATH, which
 * attnc_add_model(... WEIGHTS w.safetensors) defines, or, without it, the
 * ones compiled into the model (WEIGHTS w.safetensors EMBED). The input is
 * x[i][j] = sin(0.1 * (i * D + j)), so that ../self_attention/check.py can
 * recompute the output with numpy. */
#include "self_attention.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef SELF_ATTENTION_WEIGHTS_PATH
static const char *const weights = SELF_ATTENTION_WEIGHTS_PATH;
#else
static const char *const weights = NULL; /* embedded in the object */
#endif

enum { D = 64 };

int main(int argc, char **argv) {
  if (argc > 2) {
    fprintf(stderr, "usage: %s [tokens]\n", argv[0]);
    return 2;
  }
  int64_t tokens = argc == 2 ? atoll(argv[1]) : 6;

  self_attention *model;
  if (self_attention_create(weights, &model) != ATTNRT_OK) {
    fprintf(stderr, "error: %s\n", attnrt_last_error());
    return 1;
  }
  float *x = malloc(sizeof(float) * self_attention_forward_x_count(tokens));
  float *y = malloc(sizeof(float) * self_attention_forward_y_count(tokens));
  if (!x || !y) {
    fprintf(stderr, "error: out of memory\n");
    free(x);
    free(y);
    self_attention_destroy(model);
    return 1;
  }
  for (int64_t i = 0; i < tokens * D; ++i)
    x[i] = (float)sin(0.1 * (double)i);

  int status = 0;
  if (self_attention_forward(model, tokens, x, y) != ATTNRT_OK) {
    fprintf(stderr, "error: %s\n", attnrt_last_error());
    status = 1;
  } else {
    printf("self_attention_forward: %lld tokens, weights %s\n",
           (long long)tokens, weights ? weights : "embedded");
    for (int64_t t = 0; t < tokens; ++t) {
      printf("  y[%lld][0:6] =", (long long)t);
      for (int j = 0; j < 6; ++j)
        printf(" %9.5f", y[t * D + j]);
      printf("\n");
    }
  }
  free(x);
  free(y);
  self_attention_destroy(model);
  return status;
}
