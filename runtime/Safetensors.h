/*===- Safetensors.h - Validated safetensors headers (internal) -----------===*/

#ifndef ATTNRT_SAFETENSORS_H
#define ATTNRT_SAFETENSORS_H

#include "attnrt.h"

#include <stddef.h>
#include <stdint.h>

/// Largest header accepted, like the reference implementation (100 MB).
#define ATTNRT_MAX_HEADER_SIZE ((uint64_t)100000000)

/// Element types of the safetensors format.
typedef enum {
  ST_F64,
  ST_F32,
  ST_F16,
  ST_BF16,
  ST_F8_E4M3,
  ST_F8_E5M2,
  ST_I64,
  ST_I32,
  ST_I16,
  ST_I8,
  ST_U64,
  ST_U32,
  ST_U16,
  ST_U8,
  ST_BOOL,
  ST_DTYPE_COUNT
} StDtype;

/// One validated tensor entry. Its bytes are data + [begin, end) of the
/// owning StFile and their count equals the shape's element count times the
/// dtype size.
typedef struct {
  char *name;
  size_t nameLength;
  StDtype dtype;
  int64_t rank;
  int64_t *shape;
  uint64_t begin;
  uint64_t end;
} StTensor;

/// A validated safetensors image: tensors sorted by name, unique.
typedef struct {
  StTensor *tensors;
  size_t count;
  const unsigned char *data;
  uint64_t dataSize;
} StFile;

/// The safetensors name of a dtype, e.g. "F32".
const char *stDtypeName(StDtype dtype);

/// Validates the safetensors image of `size` bytes at `image` and fills
/// `*out`, which then points into `image`. On failure records a message that
/// starts with `source` (the file name), frees all it allocated, zeroes
/// `*out` and returns the status.
attnrt_status stParse(const unsigned char *image, size_t size,
                      const char *source, StFile *out);

/// Releases what stParse allocated. A zeroed StFile is fine.
void stFree(StFile *file);

/// Finds a tensor by NUL-terminated name, or returns NULL.
const StTensor *stFind(const StFile *file, const char *name);

/// Writes `name` for a message: printable ASCII kept, other bytes as \xNN,
/// cut with "..." to fit `capacity`.
void stQuoteName(const char *name, size_t length, char *out, size_t capacity);

/// Writes a shape as "[64, 32]", cut with "..." to fit `capacity`.
void stFormatShape(const int64_t *shape, int64_t rank, char *out,
                   size_t capacity);

#endif /* ATTNRT_SAFETENSORS_H */
