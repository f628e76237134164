/* Creates the model of no_params.attn from argv[1] ("NULL": a null path),
 * runs attend with q = k = 0 (uniform weights: every row of o is the mean of
 * the rows of v) and prints the status and o[N-1]. */
#include "plain.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  const char *path = argc > 1 && strcmp(argv[1], "NULL") ? argv[1] : NULL;
  plain *model;
  attnrt_status status = plain_create(path, &model);
  if (status) {
    printf("create: %s: %s\n", attnrt_status_name(status), attnrt_last_error());
    return 1;
  }
  enum { N = 3, D = 4 };
  float q[N * D] = {0}, k[N * D] = {0}, v[N * D], o[N * D];
  for (int i = 0; i < N * D; ++i)
    v[i] = (float)i;
  status = plain_attend(model, N, q, k, v, o);
  printf("attend: %s: o[%d] = %g %g %g %g\n", attnrt_status_name(status), N - 1,
         o[(N - 1) * D], o[(N - 1) * D + 1], o[(N - 1) * D + 2],
         o[(N - 1) * D + 3]);
  plain_destroy(model);
  return status ? 1 : 0;
}
