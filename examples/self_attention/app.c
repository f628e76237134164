/* A C application that uses the compiled self-attention model.
 *
 *   attnc self_attention.attn -o self_attention.o --header self_attention.h
 *   cc app.c self_attention.o -I<attnc>/runtime/include -L<attnc>/build/lib \
 *      -Wl,-rpath,<attnc>/build/lib -lattnrt -lopenblas -lm -o app
 *   ./app weights.safetensors [tokens]
 *
 * The input is a fixed pattern (x[i][j] = sin(0.1 * (i * D + j))) so that
 * check.py can recompute the output independently with numpy. */
#include "self_attention.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { D = 64 };

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: %s weights.safetensors [tokens]\n", argv[0]);
    return 2;
  }
  int64_t tokens = argc == 3 ? atoll(argv[2]) : 6;

  self_attention *model;
  attnrt_status status = self_attention_create(argv[1], &model);
  if (status != ATTNRT_OK) {
    fprintf(stderr, "error: %s\n", attnrt_last_error());
    return 1;
  }

  float *x = malloc(sizeof(float) * self_attention_forward_x_count(tokens));
  float *y = malloc(sizeof(float) * self_attention_forward_y_count(tokens));
  if (!x || !y) {
    fprintf(stderr, "error: out of memory\n");
    free(x), free(y), self_attention_destroy(model);
    return 1;
  }
  for (int64_t i = 0; i < tokens * D; ++i)
    x[i] = (float)sin(0.1 * (double)i);

  /* Bad arguments (here, too many tokens) come back as a status. */
  status = self_attention_forward(model, tokens, x, y);
  if (status != ATTNRT_OK) {
    fprintf(stderr, "error: %s\n", attnrt_last_error());
    free(x), free(y), self_attention_destroy(model);
    return 1;
  }

  printf("self_attention_forward: %lld tokens of width %d\n",
         (long long)tokens, D);
  for (int64_t t = 0; t < tokens; ++t) {
    printf("  y[%lld][0:6] =", (long long)t);
    for (int j = 0; j < 6; ++j)
      printf(" %9.5f", y[t * D + j]);
    printf("\n");
  }
  free(x), free(y);
  self_attention_destroy(model);
  return 0;
}
