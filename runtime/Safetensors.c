/*===- Safetensors.c - Parse and validate safetensors headers -------------===*/

#include "Safetensors.h"

#include "Json.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kNameCapacity = 160, kShapeCapacity = 160 };

static const struct {
  const char *name;
  uint64_t size;
} dtypeInfo[ST_DTYPE_COUNT] = {
    [ST_F64] = {"F64", 8},         [ST_F32] = {"F32", 4},
    [ST_F16] = {"F16", 2},         [ST_BF16] = {"BF16", 2},
    [ST_F8_E4M3] = {"F8_E4M3", 1}, [ST_F8_E5M2] = {"F8_E5M2", 1},
    [ST_I64] = {"I64", 8},         [ST_I32] = {"I32", 4},
    [ST_I16] = {"I16", 2},         [ST_I8] = {"I8", 1},
    [ST_U64] = {"U64", 8},         [ST_U32] = {"U32", 4},
    [ST_U16] = {"U16", 2},         [ST_U8] = {"U8", 1},
    [ST_BOOL] = {"BOOL", 1},
};

const char *stDtypeName(StDtype dtype) {
  return (unsigned)dtype < ST_DTYPE_COUNT ? dtypeInfo[dtype].name : "?";
}

void stQuoteName(const char *name, size_t length, char *out, size_t capacity) {
  static const char hex[] = "0123456789abcdef";
  size_t used = 0;
  if (capacity == 0)
    return;
  for (size_t i = 0; i < length; ++i) {
    unsigned char c = (unsigned char)name[i];
    bool printable = c >= 0x20 && c < 0x7F && c != '\\';
    size_t need = printable ? 1 : 4;
    /* Keep room for "..." and the terminator. */
    if (used + need + 4 > capacity) {
      if (used + 4 <= capacity) {
        memcpy(out + used, "...", 3);
        used += 3;
      }
      break;
    }
    if (printable) {
      out[used++] = (char)c;
    } else {
      out[used++] = '\\';
      out[used++] = 'x';
      out[used++] = hex[c >> 4];
      out[used++] = hex[c & 15];
    }
  }
  out[used] = '\0';
}

void stFormatShape(const int64_t *shape, int64_t rank, char *out,
                   size_t capacity) {
  size_t used = 0;
  if (capacity < 8) {
    if (capacity)
      out[0] = '\0';
    return;
  }
  out[used++] = '[';
  for (int64_t i = 0; i < rank; ++i) {
    char dim[32];
    int n = snprintf(dim, sizeof(dim), "%s%" PRId64, i ? ", " : "", shape[i]);
    /* Keeps room for ", ...]" and the terminator. */
    if (used + (size_t)n + 7 > capacity) {
      memcpy(out + used, ", ...", 5);
      used += 5;
      break;
    }
    memcpy(out + used, dim, (size_t)n);
    used += (size_t)n;
  }
  out[used++] = ']';
  out[used] = '\0';
}

/*===----------------------------------------------------------------------===*
 * Parsing state
 *===----------------------------------------------------------------------===*/

typedef struct {
  JsonParser json;
  const char *source;
  StTensor *tensors;
  size_t count;
  size_t capacity;
} Reader;

/// Reports a JSON result other than JSON_OK as a status.
static attnrt_status jsonFailure(Reader *reader, JsonResult result) {
  if (result == JSON_NO_MEMORY)
    return attnrt_set_error(ATTNRT_ERROR_OUT_OF_MEMORY,
                            "%s: out of memory while reading the header",
                            reader->source);
  return attnrt_set_error(
      ATTNRT_ERROR_HEADER_JSON, "%s: invalid JSON in header at byte %zu: %s",
      reader->source, reader->json.errorOffset,
      reader->json.error ? reader->json.error : "syntax error");
}

static void freeTensor(StTensor *tensor) {
  free(tensor->name);
  free(tensor->shape);
  tensor->name = NULL;
  tensor->shape = NULL;
}

static bool keyIs(const char *key, size_t length, const char *literal) {
  return length == strlen(literal) && memcmp(key, literal, length) == 0;
}

/*===----------------------------------------------------------------------===*
 * __metadata__
 *===----------------------------------------------------------------------===*/

typedef struct {
  char *text;
  size_t length;
} Key;

static int compareBytes(const char *a, size_t aLength, const char *b,
                        size_t bLength) {
  size_t common = aLength < bLength ? aLength : bLength;
  int order = common ? memcmp(a, b, common) : 0;
  if (order)
    return order;
  return aLength < bLength ? -1 : aLength > bLength ? 1 : 0;
}

static int compareKeys(const void *lhs, const void *rhs) {
  const Key *a = (const Key *)lhs, *b = (const Key *)rhs;
  return compareBytes(a->text, a->length, b->text, b->length);
}

/// Reads __metadata__: an object whose values are all strings, keys unique.
static attnrt_status readMetadata(Reader *reader) {
  attnrt_status status = ATTNRT_OK;
  JsonResult result;
  Key *keys = NULL;
  size_t count = 0, capacity = 0;
  char quoted[kNameCapacity];

  if (jsonPeek(&reader->json) != JSON_KIND_OBJECT)
    return attnrt_set_error(ATTNRT_ERROR_HEADER_JSON,
                            "%s: __metadata__ is not an object",
                            reader->source);
  if ((result = jsonObjectBegin(&reader->json)) != JSON_OK)
    return jsonFailure(reader, result);
  bool first = true, more;
  for (;;) {
    char *key;
    size_t keyLength;
    result = jsonObjectNext(&reader->json, &first, &more, &key, &keyLength);
    if (result != JSON_OK) {
      status = jsonFailure(reader, result);
      goto done;
    }
    if (!more)
      break;
    if (count == capacity) {
      size_t newCapacity = capacity ? capacity * 2 : 16;
      Key *grown = (Key *)realloc(keys, newCapacity * sizeof(Key));
      if (!grown) {
        free(key);
        status = jsonFailure(reader, JSON_NO_MEMORY);
        goto done;
      }
      keys = grown;
      capacity = newCapacity;
    }
    keys[count].text = key;
    keys[count].length = keyLength;
    ++count;
    if (jsonPeek(&reader->json) != JSON_KIND_STRING) {
      stQuoteName(key, keyLength, quoted, sizeof(quoted));
      status = attnrt_set_error(ATTNRT_ERROR_HEADER_JSON,
                                "%s: __metadata__ value of '%s' is not a "
                                "string",
                                reader->source, quoted);
      goto done;
    }
    if ((result = jsonSkipValue(&reader->json)) != JSON_OK) {
      status = jsonFailure(reader, result);
      goto done;
    }
  }
  if (count > 1)
    qsort(keys, count, sizeof(Key), compareKeys);
  for (size_t i = 1; i < count; ++i) {
    if (compareKeys(&keys[i - 1], &keys[i]) == 0) {
      stQuoteName(keys[i].text, keys[i].length, quoted, sizeof(quoted));
      status = attnrt_set_error(ATTNRT_ERROR_HEADER_JSON,
                                "%s: duplicate key '%s' in __metadata__",
                                reader->source, quoted);
      break;
    }
  }
done:
  for (size_t i = 0; i < count; ++i)
    free(keys[i].text);
  free(keys);
  return status;
}

/*===----------------------------------------------------------------------===*
 * Tensor entries
 *===----------------------------------------------------------------------===*/

/// Why a shape is unusable, found while reading it and reported after the
/// whole entry is read, so the order of checks does not depend on the order
/// of the fields.
typedef enum {
  DIM_OK,
  DIM_NEGATIVE,
  DIM_NOT_INTEGER,
  DIM_TOO_LARGE
} DimProblem;

typedef struct {
  bool hasDtype, hasShape, hasOffsets;
  char *dtype;
  size_t dtypeLength;
  int64_t *dims;
  size_t rank;
  size_t dimsCapacity;
  DimProblem dimProblem;
  size_t badDim;
  int64_t badValue;
  /// Offsets: JsonNumber per element; offsetCount counts all elements.
  JsonNumber offsets[2];
  size_t offsetCount;
  bool offsetNotNumber;
} RawEntry;

static attnrt_status entryError(Reader *reader, const StTensor *tensor,
                                attnrt_status status, const char *what) {
  char quoted[kNameCapacity];
  stQuoteName(tensor->name, tensor->nameLength, quoted, sizeof(quoted));
  return attnrt_set_error(status, "%s: tensor '%s' %s", reader->source, quoted,
                          what);
}

static attnrt_status readShape(Reader *reader, StTensor *tensor,
                               RawEntry *raw) {
  JsonResult result;
  if (jsonPeek(&reader->json) != JSON_KIND_ARRAY)
    return entryError(reader, tensor, ATTNRT_ERROR_HEADER_JSON,
                      "has a 'shape' that is not an array");
  if ((result = jsonArrayBegin(&reader->json)) != JSON_OK)
    return jsonFailure(reader, result);
  bool first = true, more;
  for (;;) {
    if ((result = jsonArrayNext(&reader->json, &first, &more)) != JSON_OK)
      return jsonFailure(reader, result);
    if (!more)
      return ATTNRT_OK;
    int64_t value = 0;
    DimProblem problem = DIM_OK;
    if (jsonPeek(&reader->json) == JSON_KIND_NUMBER) {
      JsonNumber number;
      if ((result = jsonParseNumber(&reader->json, &number)) != JSON_OK)
        return jsonFailure(reader, result);
      if (!number.isInteger)
        problem = DIM_NOT_INTEGER;
      else if (number.overflow)
        problem = DIM_TOO_LARGE;
      else if (number.value < 0)
        problem = DIM_NEGATIVE;
      value = number.value;
    } else {
      if ((result = jsonSkipValue(&reader->json)) != JSON_OK)
        return jsonFailure(reader, result);
      problem = DIM_NOT_INTEGER;
    }
    if (problem != DIM_OK && raw->dimProblem == DIM_OK) {
      raw->dimProblem = problem;
      raw->badDim = raw->rank;
      raw->badValue = value;
    }
    if (raw->rank == raw->dimsCapacity) {
      size_t newCapacity = raw->dimsCapacity ? raw->dimsCapacity * 2 : 4;
      int64_t *grown =
          (int64_t *)realloc(raw->dims, newCapacity * sizeof(int64_t));
      if (!grown)
        return jsonFailure(reader, JSON_NO_MEMORY);
      raw->dims = grown;
      raw->dimsCapacity = newCapacity;
    }
    raw->dims[raw->rank++] = value;
  }
}

static attnrt_status readOffsets(Reader *reader, StTensor *tensor,
                                 RawEntry *raw) {
  JsonResult result;
  if (jsonPeek(&reader->json) != JSON_KIND_ARRAY)
    return entryError(reader, tensor, ATTNRT_ERROR_HEADER_JSON,
                      "has 'data_offsets' that are not an array");
  if ((result = jsonArrayBegin(&reader->json)) != JSON_OK)
    return jsonFailure(reader, result);
  bool first = true, more;
  for (;;) {
    if ((result = jsonArrayNext(&reader->json, &first, &more)) != JSON_OK)
      return jsonFailure(reader, result);
    if (!more)
      return ATTNRT_OK;
    if (jsonPeek(&reader->json) == JSON_KIND_NUMBER) {
      JsonNumber number;
      if ((result = jsonParseNumber(&reader->json, &number)) != JSON_OK)
        return jsonFailure(reader, result);
      if (raw->offsetCount < 2)
        raw->offsets[raw->offsetCount] = number;
    } else {
      if ((result = jsonSkipValue(&reader->json)) != JSON_OK)
        return jsonFailure(reader, result);
      raw->offsetNotNumber = true;
    }
    ++raw->offsetCount;
  }
}

/// Reads the fields of one entry into `raw`; syntax and field-level errors.
static attnrt_status readEntryFields(Reader *reader, StTensor *tensor,
                                     RawEntry *raw) {
  JsonResult result;
  char message[kNameCapacity + 64];
  char quoted[kNameCapacity];
  if (jsonPeek(&reader->json) != JSON_KIND_OBJECT)
    return entryError(reader, tensor, ATTNRT_ERROR_HEADER_JSON,
                      "is not an object");
  if ((result = jsonObjectBegin(&reader->json)) != JSON_OK)
    return jsonFailure(reader, result);
  bool first = true, more;
  for (;;) {
    char *key;
    size_t keyLength;
    result = jsonObjectNext(&reader->json, &first, &more, &key, &keyLength);
    if (result != JSON_OK)
      return jsonFailure(reader, result);
    if (!more)
      return ATTNRT_OK;
    attnrt_status status = ATTNRT_OK;
    bool *seen = keyIs(key, keyLength, "dtype")          ? &raw->hasDtype
                 : keyIs(key, keyLength, "shape")        ? &raw->hasShape
                 : keyIs(key, keyLength, "data_offsets") ? &raw->hasOffsets
                                                         : NULL;
    stQuoteName(key, keyLength, quoted, sizeof(quoted));
    if (!seen) {
      snprintf(message, sizeof(message), "has an unknown field '%s'", quoted);
      status = entryError(reader, tensor, ATTNRT_ERROR_HEADER_JSON, message);
    } else if (*seen) {
      snprintf(message, sizeof(message), "has a duplicate field '%s'", quoted);
      status = entryError(reader, tensor, ATTNRT_ERROR_HEADER_JSON, message);
    } else if (seen == &raw->hasDtype) {
      if (jsonPeek(&reader->json) != JSON_KIND_STRING) {
        status = entryError(reader, tensor, ATTNRT_ERROR_HEADER_JSON,
                            "has a 'dtype' that is not a string");
      } else {
        result = jsonParseString(&reader->json, &raw->dtype, &raw->dtypeLength);
        if (result != JSON_OK)
          status = jsonFailure(reader, result);
      }
    } else if (seen == &raw->hasShape) {
      status = readShape(reader, tensor, raw);
    } else {
      status = readOffsets(reader, tensor, raw);
    }
    free(key);
    if (status != ATTNRT_OK)
      return status;
    *seen = true;
  }
}

/// Checks one entry on its own: fields present, dtype known, dims valid,
/// offsets in the data section and matching the byte size.
static attnrt_status checkEntry(Reader *reader, StTensor *tensor, RawEntry *raw,
                                uint64_t dataSize) {
  char message[kNameCapacity + kShapeCapacity];
  char shapeText[kShapeCapacity];
  if (!raw->hasDtype)
    return entryError(reader, tensor, ATTNRT_ERROR_HEADER_JSON,
                      "has no 'dtype'");
  if (!raw->hasShape)
    return entryError(reader, tensor, ATTNRT_ERROR_HEADER_JSON,
                      "has no 'shape'");
  if (!raw->hasOffsets)
    return entryError(reader, tensor, ATTNRT_ERROR_HEADER_JSON,
                      "has no 'data_offsets'");

  int dtype = -1;
  for (int i = 0; i < ST_DTYPE_COUNT; ++i)
    if (keyIs(raw->dtype, raw->dtypeLength, dtypeInfo[i].name))
      dtype = i;
  if (dtype < 0) {
    char quoted[kNameCapacity];
    stQuoteName(raw->dtype, raw->dtypeLength, quoted, sizeof(quoted));
    snprintf(message, sizeof(message), "has an unknown dtype '%s'", quoted);
    return entryError(reader, tensor, ATTNRT_ERROR_DTYPE, message);
  }
  tensor->dtype = (StDtype)dtype;

  switch (raw->dimProblem) {
  case DIM_OK:
    break;
  case DIM_NEGATIVE:
    snprintf(message, sizeof(message),
             "has a negative dimension %" PRId64 " at index %zu of its shape",
             raw->badValue, raw->badDim);
    return entryError(reader, tensor, ATTNRT_ERROR_SHAPE, message);
  case DIM_NOT_INTEGER:
    snprintf(message, sizeof(message),
             "has a non-integer dimension at index %zu of its shape",
             raw->badDim);
    return entryError(reader, tensor, ATTNRT_ERROR_SHAPE, message);
  case DIM_TOO_LARGE:
    snprintf(message, sizeof(message),
             "has a dimension too large for int64 at index %zu of its shape",
             raw->badDim);
    return entryError(reader, tensor, ATTNRT_ERROR_SHAPE, message);
  }

  if (raw->offsetNotNumber || raw->offsetCount != 2)
    return entryError(reader, tensor, ATTNRT_ERROR_HEADER_JSON,
                      "has 'data_offsets' that are not two integers");
  for (int i = 0; i < 2; ++i) {
    const JsonNumber *number = &raw->offsets[i];
    if (!number->isInteger || number->overflow || number->value < 0)
      return entryError(reader, tensor, ATTNRT_ERROR_OFFSETS,
                        "has 'data_offsets' that are not non-negative "
                        "64-bit integers");
  }
  uint64_t begin = (uint64_t)raw->offsets[0].value;
  uint64_t end = (uint64_t)raw->offsets[1].value;
  if (begin > end) {
    snprintf(message, sizeof(message),
             "has data_offsets [%" PRIu64 ", %" PRIu64 "] with begin > end",
             begin, end);
    return entryError(reader, tensor, ATTNRT_ERROR_OFFSETS, message);
  }
  if (end > dataSize) {
    snprintf(message, sizeof(message),
             "has data_offsets [%" PRIu64 ", %" PRIu64
             "] beyond the data section of %" PRIu64 " bytes",
             begin, end, dataSize);
    return entryError(reader, tensor, ATTNRT_ERROR_OFFSETS, message);
  }

  /* Zero elements make zero bytes even if the other dims would overflow. */
  uint64_t bytes = dtypeInfo[dtype].size;
  bool overflow = false;
  for (size_t i = 0; i < raw->rank; ++i)
    if (raw->dims[i] == 0)
      bytes = 0;
  for (size_t i = 0; i < raw->rank && bytes; ++i) {
    uint64_t dim = (uint64_t)raw->dims[i];
    if (bytes > UINT64_MAX / dim) {
      overflow = true;
      break;
    }
    bytes *= dim;
  }
  stFormatShape(raw->dims, (int64_t)raw->rank, shapeText, sizeof(shapeText));
  if (overflow || bytes > (uint64_t)INT64_MAX) {
    snprintf(message, sizeof(message), "has shape %s whose byte size overflows",
             shapeText);
    return entryError(reader, tensor, ATTNRT_ERROR_SHAPE, message);
  }
  if (bytes != end - begin) {
    snprintf(message, sizeof(message),
             "has shape %s of %s needing %" PRIu64
             " bytes, but data_offsets span %" PRIu64 " bytes",
             shapeText, dtypeInfo[dtype].name, bytes, end - begin);
    return entryError(reader, tensor, ATTNRT_ERROR_SHAPE, message);
  }

  tensor->begin = begin;
  tensor->end = end;
  tensor->rank = (int64_t)raw->rank;
  tensor->shape = raw->dims;
  raw->dims = NULL;
  return ATTNRT_OK;
}

/// Reads the entry of tensor `name` (ownership taken) into the table.
static attnrt_status readEntry(Reader *reader, char *name, size_t nameLength,
                               uint64_t dataSize) {
  if (reader->count == reader->capacity) {
    size_t newCapacity = reader->capacity ? reader->capacity * 2 : 16;
    StTensor *grown =
        (StTensor *)realloc(reader->tensors, newCapacity * sizeof(StTensor));
    if (!grown) {
      free(name);
      return jsonFailure(reader, JSON_NO_MEMORY);
    }
    reader->tensors = grown;
    reader->capacity = newCapacity;
  }
  /* The table owns the tensor from here, so every path below frees it. */
  StTensor *tensor = &reader->tensors[reader->count++];
  memset(tensor, 0, sizeof(*tensor));
  tensor->name = name;
  tensor->nameLength = nameLength;

  RawEntry raw;
  memset(&raw, 0, sizeof(raw));
  attnrt_status status = readEntryFields(reader, tensor, &raw);
  if (status == ATTNRT_OK)
    status = checkEntry(reader, tensor, &raw, dataSize);
  free(raw.dtype);
  free(raw.dims);
  return status;
}

/*===----------------------------------------------------------------------===*
 * Whole-file checks
 *===----------------------------------------------------------------------===*/

static int compareTensorNames(const void *lhs, const void *rhs) {
  const StTensor *a = (const StTensor *)lhs, *b = (const StTensor *)rhs;
  return compareBytes(a->name, a->nameLength, b->name, b->nameLength);
}

static int compareTensorRanges(const void *lhs, const void *rhs) {
  const StTensor *a = *(const StTensor *const *)lhs;
  const StTensor *b = *(const StTensor *const *)rhs;
  if (a->begin != b->begin)
    return a->begin < b->begin ? -1 : 1;
  if (a->end != b->end)
    return a->end < b->end ? -1 : 1;
  return 0;
}

static attnrt_status checkUniqueNames(Reader *reader) {
  if (reader->count > 1)
    qsort(reader->tensors, reader->count, sizeof(StTensor), compareTensorNames);
  for (size_t i = 1; i < reader->count; ++i)
    if (compareTensorNames(&reader->tensors[i - 1], &reader->tensors[i]) == 0)
      return entryError(reader, &reader->tensors[i], ATTNRT_ERROR_HEADER_JSON,
                        "is a duplicate key in the header");
  return ATTNRT_OK;
}

static attnrt_status checkNoOverlap(Reader *reader) {
  if (reader->count < 2)
    return ATTNRT_OK;
  const StTensor **order =
      (const StTensor **)malloc(reader->count * sizeof(StTensor *));
  if (!order)
    return jsonFailure(reader, JSON_NO_MEMORY);
  for (size_t i = 0; i < reader->count; ++i)
    order[i] = &reader->tensors[i];
  qsort(order, reader->count, sizeof(StTensor *), compareTensorRanges);
  /* Empty tensors share no byte with anything; among the others, compare
   * each with the one reaching furthest so far. */
  const StTensor *furthest = NULL;
  attnrt_status status = ATTNRT_OK;
  for (size_t i = 0; i < reader->count; ++i) {
    const StTensor *tensor = order[i];
    if (tensor->begin == tensor->end)
      continue;
    if (furthest && tensor->begin < furthest->end) {
      char first[kNameCapacity], second[kNameCapacity];
      stQuoteName(furthest->name, furthest->nameLength, first, sizeof(first));
      stQuoteName(tensor->name, tensor->nameLength, second, sizeof(second));
      status =
          attnrt_set_error(ATTNRT_ERROR_OVERLAP,
                           "%s: tensors '%s' [%" PRIu64 ", %" PRIu64
                           ") and '%s' [%" PRIu64 ", %" PRIu64 ") overlap",
                           reader->source, first, furthest->begin,
                           furthest->end, second, tensor->begin, tensor->end);
      break;
    }
    if (!furthest || tensor->end > furthest->end)
      furthest = tensor;
  }
  free(order);
  return status;
}

static attnrt_status readHeader(Reader *reader, uint64_t dataSize) {
  JsonResult result;
  if (jsonPeek(&reader->json) != JSON_KIND_OBJECT)
    return attnrt_set_error(ATTNRT_ERROR_HEADER_JSON,
                            "%s: header is not a JSON object", reader->source);
  if ((result = jsonObjectBegin(&reader->json)) != JSON_OK)
    return jsonFailure(reader, result);
  bool first = true, more, sawMetadata = false;
  for (;;) {
    char *key;
    size_t keyLength;
    result = jsonObjectNext(&reader->json, &first, &more, &key, &keyLength);
    if (result != JSON_OK)
      return jsonFailure(reader, result);
    if (!more)
      break;
    attnrt_status status;
    if (keyIs(key, keyLength, "__metadata__")) {
      free(key);
      if (sawMetadata)
        return attnrt_set_error(ATTNRT_ERROR_HEADER_JSON,
                                "%s: duplicate key '__metadata__' in header",
                                reader->source);
      sawMetadata = true;
      status = readMetadata(reader);
    } else {
      status = readEntry(reader, key, keyLength, dataSize);
    }
    if (status != ATTNRT_OK)
      return status;
  }
  if ((result = jsonExpectEnd(&reader->json)) != JSON_OK)
    return jsonFailure(reader, result);
  attnrt_status status = checkUniqueNames(reader);
  if (status == ATTNRT_OK)
    status = checkNoOverlap(reader);
  return status;
}

attnrt_status stParse(const unsigned char *image, size_t size,
                      const char *source, StFile *out) {
  memset(out, 0, sizeof(*out));
  if (size < 8)
    return attnrt_set_error(ATTNRT_ERROR_HEADER_SIZE,
                            "%s: file has %zu bytes, too short for the 8-byte "
                            "header length",
                            source, size);
  uint64_t headerSize = 0;
  for (int i = 7; i >= 0; --i)
    headerSize = (headerSize << 8) | image[i];
  if (headerSize > ATTNRT_MAX_HEADER_SIZE)
    return attnrt_set_error(ATTNRT_ERROR_HEADER_SIZE,
                            "%s: header length %" PRIu64
                            " exceeds the limit of %" PRIu64 " bytes",
                            source, headerSize, ATTNRT_MAX_HEADER_SIZE);
  if (headerSize > size - 8)
    return attnrt_set_error(ATTNRT_ERROR_HEADER_SIZE,
                            "%s: header length %" PRIu64
                            " exceeds the %zu bytes after the length field",
                            source, headerSize, size - 8);

  Reader reader;
  memset(&reader, 0, sizeof(reader));
  reader.source = source;

  /* Check the syntax of the whole header first, so a syntax error is
   * reported as such even when an earlier entry is also wrong. */
  jsonInit(&reader.json, image + 8, (size_t)headerSize);
  JsonResult result = jsonSkipValue(&reader.json);
  if (result == JSON_OK)
    result = jsonExpectEnd(&reader.json);
  if (result != JSON_OK)
    return jsonFailure(&reader, result);

  uint64_t dataSize = size - 8 - headerSize;
  jsonInit(&reader.json, image + 8, (size_t)headerSize);
  attnrt_status status = readHeader(&reader, dataSize);
  if (status != ATTNRT_OK) {
    for (size_t i = 0; i < reader.count; ++i)
      freeTensor(&reader.tensors[i]);
    free(reader.tensors);
    return status;
  }
  out->tensors = reader.tensors;
  out->count = reader.count;
  out->data = image + 8 + headerSize;
  out->dataSize = dataSize;
  return ATTNRT_OK;
}

void stFree(StFile *file) {
  for (size_t i = 0; i < file->count; ++i)
    freeTensor(&file->tensors[i]);
  free(file->tensors);
  memset(file, 0, sizeof(*file));
}

const StTensor *stFind(const StFile *file, const char *name) {
  size_t length = strlen(name);
  size_t low = 0, high = file->count;
  while (low < high) {
    size_t mid = low + (high - low) / 2;
    const StTensor *tensor = &file->tensors[mid];
    int order = compareBytes(tensor->name, tensor->nameLength, name, length);
    if (order == 0)
      return tensor;
    if (order < 0)
      low = mid + 1;
    else
      high = mid;
  }
  return NULL;
}
