/*===- CApiTest.c - libattnrt used from plain C11 -------------------------===*
 *
 * Compiled as strict C11 and linked like an application would be, so the
 * public header stays valid C. Exits nonzero on the first failure.
 *
 *===----------------------------------------------------------------------===*/

#include "attnrt.h"

#include <stdio.h>
#include <string.h>

#define CHECK(condition)                                                       \
  do {                                                                         \
    if (!(condition)) {                                                        \
      fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", __FILE__,  \
              __LINE__, #condition, attnrt_last_error());                      \
      return 1;                                                                \
    }                                                                          \
  } while (0)

int main(void) {
  static const char header[] =
      "{\"w\": {\"dtype\": \"F32\", \"shape\": [2, 2], "
      "\"data_offsets\": [0, 16]}}";
  const float weights[4] = {1.0f, 2.0f, 3.0f, 4.0f};
  unsigned char image[8 + sizeof(header) - 1 + sizeof(weights)];
  size_t headerLength = sizeof(header) - 1;
  for (int i = 0; i < 8; ++i)
    image[i] = (unsigned char)((uint64_t)headerLength >> (8 * i));
  memcpy(image + 8, header, headerLength);
  memcpy(image + 8 + headerLength, weights, sizeof(weights));

  attnrt_model *model = NULL;
  CHECK(attnrt_model_open_memory(image, sizeof(image), 1, &model) == ATTNRT_OK);
  const int64_t shape[2] = {2, 2};
  CHECK(attnrt_model_bind(model, 0, "w", ATTNRT_DTYPE_F32, 2, shape) ==
        ATTNRT_OK);
  const float *w = (const float *)attnrt_model_param(model, 0);
  CHECK(w != NULL && w[3] == 4.0f);

  /* out = w * w^T */
  float out[4] = {0};
  attnrt_sgemm(0, 1, 2, 2, 2, 1.0f, w, 2, w, 2, 0.0f, out, 2);
  CHECK(out[0] == 5.0f && out[1] == 11.0f && out[2] == 11.0f &&
        out[3] == 25.0f);

  const int64_t wrong[2] = {4, 1};
  CHECK(attnrt_model_bind(model, 0, "w", ATTNRT_DTYPE_F32, 2, wrong) ==
        ATTNRT_ERROR_INVALID_ARGUMENT);
  CHECK(strcmp(attnrt_status_name(ATTNRT_ERROR_SHAPE), "ATTNRT_ERROR_SHAPE") ==
        0);
  attnrt_model_destroy(model);
  puts("ok");
  return 0;
}
