/*===- SafetensorsFuzzer.c - libFuzzer target: the weights loader ---------===*
 *
 * Every input is a safetensors image given to libattnrt twice: from memory
 * (attnrt_model_open_memory, as embedded weights are) and as a file
 * (attnrt_model_open on a memfd, which maps it), then bound to four params
 * of the shapes the seed corpus (fuzz/corpus/safetensors) holds, and every
 * byte of each bound param is read, so that AddressSanitizer sees any read
 * outside the image. Built by fuzz/CMakeLists.txt; run by scripts/fuzz.sh.
 *
 *===----------------------------------------------------------------------===*/

#define _GNU_SOURCE
#include "attnrt.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct {
  const char *name;
  int32_t dtype;
  int64_t rank;
  int64_t shape[2];
} Param;

static const Param kParams[] = {
    {"w", ATTNRT_DTYPE_F32, 2, {2, 3}},
    {"b", ATTNRT_DTYPE_F32, 1, {3}},
    {"ids", ATTNRT_DTYPE_I32, 1, {4}},
    {"scale", ATTNRT_DTYPE_F32, 0, {0}},
};
enum { kNumParams = sizeof(kParams) / sizeof(kParams[0]) };

/* Binds what it can and reads every byte bound; the checksum keeps the
 * reads from being optimized away. */
static unsigned bindAndRead(attnrt_model *model) {
  unsigned sum = 0;
  for (int64_t i = 0; i < kNumParams; ++i) {
    const Param *param = &kParams[i];
    if (attnrt_model_bind(model, i, param->name, param->dtype, param->rank,
                          param->shape) != ATTNRT_OK)
      continue;
    const unsigned char *data = attnrt_model_param(model, i);
    int64_t count = 1;
    for (int64_t d = 0; d < param->rank; ++d)
      count *= param->shape[d];
    for (int64_t b = 0; b < 4 * count; ++b)
      sum += data[b];
  }
  return sum;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  static volatile unsigned sink;
  attnrt_model *model = NULL;
  if (attnrt_model_open_memory(data, size, kNumParams, &model) == ATTNRT_OK)
    sink += bindAndRead(model);
  attnrt_model_destroy(model);

  int fd = memfd_create("weights", MFD_CLOEXEC);
  if (fd < 0)
    return 0;
  if (write(fd, data, size) == (ssize_t)size) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    model = NULL;
    if (attnrt_model_open(path, kNumParams, &model) == ATTNRT_OK)
      sink += bindAndRead(model);
    attnrt_model_destroy(model);
  }
  close(fd);
  return 0;
}
