/*===- Model.c - Model weights: open, bind, param, destroy ----------------===*/

#include "attnrt.h"

#include "Safetensors.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/// Alignment of every parameter's data, enough for AVX-512 aligned loads.
enum { kParamAlignment = 64, kTextCapacity = 160 };

typedef struct {
  const void *data;
  /// The aligned copy, when the data in the image was misaligned.
  void *copy;
  bool bound;
} Param;

struct attnrt_model {
  char *source;
  /// The read-only file mapping, or NULL for attnrt_model_open_memory.
  void *mapping;
  size_t mappingSize;
  StFile file;
  int64_t numParams;
  Param *params;
};

static char *duplicateString(const char *text) {
  size_t length = strlen(text) + 1;
  char *copy = (char *)malloc(length);
  if (copy)
    memcpy(copy, text, length);
  return copy;
}

void attnrt_model_destroy(attnrt_model *model) {
  if (!model)
    return;
  if (model->params)
    for (int64_t i = 0; i < model->numParams; ++i)
      free(model->params[i].copy);
  free(model->params);
  stFree(&model->file);
  if (model->mapping)
    munmap(model->mapping, model->mappingSize);
  free(model->source);
  free(model);
}

/// Builds a model over `image`; takes ownership of `mapping` in all cases.
static attnrt_status createModel(const unsigned char *image, size_t size,
                                 void *mapping, const char *source,
                                 int64_t numParams, attnrt_model **out) {
  attnrt_model *model = (attnrt_model *)calloc(1, sizeof(attnrt_model));
  if (!model) {
    if (mapping)
      munmap(mapping, size);
    return attnrt_set_error(ATTNRT_ERROR_OUT_OF_MEMORY, "%s: out of memory",
                            source);
  }
  model->mapping = mapping;
  model->mappingSize = size;
  model->numParams = numParams;
  model->source = duplicateString(source);
  /* calloc(0, ...) may return NULL; keep one slot so NULL means failure. */
  model->params =
      (Param *)calloc(numParams > 0 ? (size_t)numParams : 1, sizeof(Param));
  if (!model->source || !model->params) {
    attnrt_model_destroy(model);
    return attnrt_set_error(ATTNRT_ERROR_OUT_OF_MEMORY,
                            "%s: out of memory for %" PRId64 " parameters",
                            source, numParams);
  }
  attnrt_status status = stParse(image, size, model->source, &model->file);
  if (status != ATTNRT_OK) {
    attnrt_model_destroy(model);
    return status;
  }
  *out = model;
  return ATTNRT_OK;
}

static bool checkNumParams(int64_t numParams, const char *source) {
  if (numParams < 0 || (uint64_t)numParams > SIZE_MAX / sizeof(Param)) {
    attnrt_set_error(ATTNRT_ERROR_INVALID_ARGUMENT,
                     "%s: invalid number of parameters %" PRId64, source,
                     numParams);
    return false;
  }
  return true;
}

attnrt_status attnrt_model_open(const char *safetensors_path,
                                int64_t num_params, attnrt_model **out) {
  if (out)
    *out = NULL;
  if (!safetensors_path || !out)
    return attnrt_set_error(ATTNRT_ERROR_INVALID_ARGUMENT,
                            "attnrt_model_open: %s is NULL",
                            out ? "the path" : "the output pointer");
  const char *path = safetensors_path;
  if (!checkNumParams(num_params, path))
    return ATTNRT_ERROR_INVALID_ARGUMENT;

  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return attnrt_set_error(ATTNRT_ERROR_IO, "%s: cannot open: %s", path,
                            strerror(errno));
  struct stat info;
  if (fstat(fd, &info) != 0) {
    int error = errno;
    close(fd);
    return attnrt_set_error(ATTNRT_ERROR_IO, "%s: cannot stat: %s", path,
                            strerror(error));
  }
  if (!S_ISREG(info.st_mode)) {
    close(fd);
    return attnrt_set_error(ATTNRT_ERROR_IO, "%s: not a regular file", path);
  }
  if (info.st_size < 8) {
    close(fd);
    return attnrt_set_error(ATTNRT_ERROR_HEADER_SIZE,
                            "%s: file has %lld bytes, too short for the "
                            "8-byte header length",
                            path, (long long)info.st_size);
  }
  if ((uint64_t)info.st_size > SIZE_MAX) {
    close(fd);
    return attnrt_set_error(ATTNRT_ERROR_IO, "%s: too large to map", path);
  }
  size_t size = (size_t)info.st_size;
  void *mapping = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  int error = errno;
  close(fd);
  if (mapping == MAP_FAILED)
    return attnrt_set_error(ATTNRT_ERROR_IO, "%s: cannot mmap: %s", path,
                            strerror(error));
  return createModel((const unsigned char *)mapping, size, mapping, path,
                     num_params, out);
}

attnrt_status attnrt_model_open_memory(const void *data, size_t size,
                                       int64_t num_params, attnrt_model **out) {
  static const char source[] = "<memory>";
  if (out)
    *out = NULL;
  if (!data || !out)
    return attnrt_set_error(ATTNRT_ERROR_INVALID_ARGUMENT,
                            "attnrt_model_open_memory: %s is NULL",
                            out ? "the data pointer" : "the output pointer");
  if (!checkNumParams(num_params, source))
    return ATTNRT_ERROR_INVALID_ARGUMENT;
  return createModel((const unsigned char *)data, size, NULL, source,
                     num_params, out);
}

static int32_t dtypeFromStDtype(StDtype dtype) {
  switch (dtype) {
  case ST_F32:
    return ATTNRT_DTYPE_F32;
  case ST_I32:
    return ATTNRT_DTYPE_I32;
  default:
    return -1;
  }
}

static const char *declaredDtypeName(int32_t dtype) {
  return dtype == ATTNRT_DTYPE_F32 ? "F32" : "I32";
}

attnrt_status attnrt_model_bind(attnrt_model *model, int64_t index,
                                const char *name, int32_t dtype, int64_t rank,
                                const int64_t *shape) {
  if (!model)
    return attnrt_set_error(ATTNRT_ERROR_INVALID_ARGUMENT,
                            "attnrt_model_bind: the model is NULL");
  const char *source = model->source;
  if (!name)
    return attnrt_set_error(
        ATTNRT_ERROR_INVALID_ARGUMENT,
        "%s: bind of parameter %" PRId64 ": the name is NULL", source, index);
  char quoted[kTextCapacity];
  stQuoteName(name, strlen(name), quoted, sizeof(quoted));
  if (index < 0 || index >= model->numParams)
    return attnrt_set_error(ATTNRT_ERROR_INVALID_ARGUMENT,
                            "%s: bind of '%s': parameter index %" PRId64
                            " is out of range [0, %" PRId64 ")",
                            source, quoted, index, model->numParams);
  Param *param = &model->params[index];
  if (param->bound)
    return attnrt_set_error(ATTNRT_ERROR_INVALID_ARGUMENT,
                            "%s: bind of '%s': parameter %" PRId64
                            " is already bound",
                            source, quoted, index);
  if (dtype != ATTNRT_DTYPE_F32 && dtype != ATTNRT_DTYPE_I32)
    return attnrt_set_error(ATTNRT_ERROR_INVALID_ARGUMENT,
                            "%s: bind of '%s': invalid dtype %" PRId32, source,
                            quoted, dtype);
  if (rank < 0 || (rank > 0 && !shape))
    return attnrt_set_error(ATTNRT_ERROR_INVALID_ARGUMENT,
                            "%s: bind of '%s': invalid rank %" PRId64
                            " or NULL shape",
                            source, quoted, rank);
  for (int64_t i = 0; i < rank; ++i)
    if (shape[i] < 0)
      return attnrt_set_error(ATTNRT_ERROR_INVALID_ARGUMENT,
                              "%s: bind of '%s': negative dimension %" PRId64
                              " at index %" PRId64,
                              source, quoted, shape[i], i);

  const StTensor *tensor = stFind(&model->file, name);
  if (!tensor)
    return attnrt_set_error(ATTNRT_ERROR_MISSING_TENSOR,
                            "%s: tensor '%s' is not in the file", source,
                            quoted);
  if (dtypeFromStDtype(tensor->dtype) != dtype)
    return attnrt_set_error(ATTNRT_ERROR_TENSOR_DTYPE,
                            "%s: tensor '%s' has dtype %s, the model "
                            "declares %s",
                            source, quoted, stDtypeName(tensor->dtype),
                            declaredDtypeName(dtype));
  bool sameShape = tensor->rank == rank;
  for (int64_t i = 0; sameShape && i < rank; ++i)
    sameShape = tensor->shape[i] == shape[i];
  if (!sameShape) {
    char fileShape[kTextCapacity], declaredShape[kTextCapacity];
    stFormatShape(tensor->shape, tensor->rank, fileShape, sizeof(fileShape));
    stFormatShape(shape, rank, declaredShape, sizeof(declaredShape));
    return attnrt_set_error(ATTNRT_ERROR_TENSOR_SHAPE,
                            "%s: tensor '%s' has shape %s, the model "
                            "declares %s",
                            source, quoted, fileShape, declaredShape);
  }

  const unsigned char *data = model->file.data + tensor->begin;
  size_t bytes = (size_t)(tensor->end - tensor->begin);
  if ((uintptr_t)data % kParamAlignment != 0) {
    /* Generated code may use aligned vector loads on parameters. */
    size_t capacity =
        (bytes + kParamAlignment - 1) / kParamAlignment * kParamAlignment;
    void *copy =
        aligned_alloc(kParamAlignment, capacity ? capacity : kParamAlignment);
    if (!copy)
      return attnrt_set_error(ATTNRT_ERROR_OUT_OF_MEMORY,
                              "%s: out of memory copying tensor '%s' "
                              "(%zu bytes)",
                              source, quoted, bytes);
    if (bytes)
      memcpy(copy, data, bytes);
    param->copy = copy;
    data = (const unsigned char *)copy;
  }
  param->data = data;
  param->bound = true;
  return ATTNRT_OK;
}

const void *attnrt_model_param(const attnrt_model *model, int64_t index) {
  if (!model || index < 0 || index >= model->numParams)
    return NULL;
  const Param *param = &model->params[index];
  return param->bound ? param->data : NULL;
}
