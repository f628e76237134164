/*===- Json.h - A small strict pull parser for JSON (internal) ------------===*
 *
 * Enough JSON for safetensors headers without depending on libLLVM: the
 * caller walks objects and arrays member by member and decodes only what its
 * schema needs. The parser accepts exactly RFC 8259 JSON text (UTF-8 checked,
 * no extensions), limits nesting depth and never reads outside [data, size).
 *
 *===----------------------------------------------------------------------===*/

#ifndef ATTNRT_JSON_H
#define ATTNRT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/// Deepest nesting of arrays and objects jsonSkipValue accepts.
enum { kJsonMaxDepth = 64 };

/// What the next value is, judged by its first byte.
typedef enum {
  JSON_KIND_INVALID,
  JSON_KIND_NULL,
  JSON_KIND_BOOL,
  JSON_KIND_NUMBER,
  JSON_KIND_STRING,
  JSON_KIND_ARRAY,
  JSON_KIND_OBJECT
} JsonKind;

/// Results of the parsing calls.
typedef enum { JSON_OK = 0, JSON_SYNTAX = 1, JSON_NO_MEMORY = 2 } JsonResult;

typedef struct {
  const unsigned char *begin;
  const unsigned char *cur;
  const unsigned char *end;
  unsigned depth;
  /// Static description of the first syntax error, or NULL.
  const char *error;
  /// Byte offset of the first syntax error from `begin`.
  size_t errorOffset;
} JsonParser;

/// A number token: `value` holds it when `isInteger` (no fraction, no
/// exponent) and not `overflow` (outside int64_t).
typedef struct {
  bool isInteger;
  bool overflow;
  int64_t value;
} JsonNumber;

/// Starts parsing `size` bytes at `data`.
void jsonInit(JsonParser *parser, const void *data, size_t size);

/// Skips whitespace and classifies the next value without consuming it.
JsonKind jsonPeek(JsonParser *parser);

/// Consumes and validates one complete value of any kind.
JsonResult jsonSkipValue(JsonParser *parser);

/// Consumes trailing whitespace; fails unless the input ends there.
JsonResult jsonExpectEnd(JsonParser *parser);

/// Consumes the '{' of an object.
JsonResult jsonObjectBegin(JsonParser *parser);

/// Advances to the next member of the object being read. On JSON_OK sets
/// `*hasMember`; when true, `*key` is the decoded key (malloc'ed, NUL
/// terminated, owned by the caller, may contain NUL bytes: use
/// `*keyLength`) and the parser stands at the member's value; when false the
/// closing '}' has been consumed. `*first` must be true before the first call
/// on an object and is maintained by the parser.
JsonResult jsonObjectNext(JsonParser *parser, bool *first, bool *hasMember,
                          char **key, size_t *keyLength);

/// Consumes the '[' of an array.
JsonResult jsonArrayBegin(JsonParser *parser);

/// Advances to the next element of the array being read, like
/// jsonObjectNext without a key.
JsonResult jsonArrayNext(JsonParser *parser, bool *first, bool *hasElement);

/// Consumes a string and returns it decoded (malloc'ed, NUL terminated,
/// owned by the caller).
JsonResult jsonParseString(JsonParser *parser, char **out, size_t *length);

/// Consumes a number.
JsonResult jsonParseNumber(JsonParser *parser, JsonNumber *out);

#endif /* ATTNRT_JSON_H */
