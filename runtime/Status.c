/*===- Status.c - Status names and the per-thread last error --------------===*/

#include "attnrt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { kMessageCapacity = 1024 };

/* One buffer per thread, so concurrent entry points never see each other's
 * messages and no allocation can fail while reporting an error. */
static _Thread_local char lastError[kMessageCapacity];

const char *attnrt_status_name(attnrt_status status) {
  switch (status) {
  case ATTNRT_OK:
    return "ATTNRT_OK";
  case ATTNRT_ERROR_INVALID_ARGUMENT:
    return "ATTNRT_ERROR_INVALID_ARGUMENT";
  case ATTNRT_ERROR_OUT_OF_RANGE:
    return "ATTNRT_ERROR_OUT_OF_RANGE";
  case ATTNRT_ERROR_OUT_OF_MEMORY:
    return "ATTNRT_ERROR_OUT_OF_MEMORY";
  case ATTNRT_ERROR_IO:
    return "ATTNRT_ERROR_IO";
  case ATTNRT_ERROR_HEADER_SIZE:
    return "ATTNRT_ERROR_HEADER_SIZE";
  case ATTNRT_ERROR_HEADER_JSON:
    return "ATTNRT_ERROR_HEADER_JSON";
  case ATTNRT_ERROR_DTYPE:
    return "ATTNRT_ERROR_DTYPE";
  case ATTNRT_ERROR_SHAPE:
    return "ATTNRT_ERROR_SHAPE";
  case ATTNRT_ERROR_OFFSETS:
    return "ATTNRT_ERROR_OFFSETS";
  case ATTNRT_ERROR_OVERLAP:
    return "ATTNRT_ERROR_OVERLAP";
  case ATTNRT_ERROR_MISSING_TENSOR:
    return "ATTNRT_ERROR_MISSING_TENSOR";
  case ATTNRT_ERROR_TENSOR_DTYPE:
    return "ATTNRT_ERROR_TENSOR_DTYPE";
  case ATTNRT_ERROR_TENSOR_SHAPE:
    return "ATTNRT_ERROR_TENSOR_SHAPE";
  default:
    return "ATTNRT_UNKNOWN_STATUS";
  }
}

const char *attnrt_last_error(void) { return lastError; }

attnrt_status attnrt_set_error(attnrt_status status, const char *format, ...) {
  if (!format) {
    lastError[0] = '\0';
    return status;
  }
  /* Format into a scratch buffer first: the arguments may point into
   * lastError itself. */
  char message[kMessageCapacity];
  va_list args;
  va_start(args, format);
  int length = vsnprintf(message, sizeof(message), format, args);
  va_end(args);
  if (length < 0)
    message[0] = '\0';
  memcpy(lastError, message, strlen(message) + 1);
  return status;
}
