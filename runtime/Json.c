/*===- Json.c - A small strict pull parser for JSON -----------------------===*/

#include "Json.h"

#include <stdlib.h>
#include <string.h>

static JsonResult fail(JsonParser *parser, const char *message) {
  if (!parser->error) {
    parser->error = message;
    parser->errorOffset = (size_t)(parser->cur - parser->begin);
  }
  return JSON_SYNTAX;
}

static size_t remaining(const JsonParser *parser) {
  return (size_t)(parser->end - parser->cur);
}

static void skipWhitespace(JsonParser *parser) {
  while (parser->cur < parser->end) {
    unsigned char c = *parser->cur;
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
      return;
    ++parser->cur;
  }
}

static bool isDigit(unsigned char c) { return c >= '0' && c <= '9'; }

void jsonInit(JsonParser *parser, const void *data, size_t size) {
  parser->begin = (const unsigned char *)data;
  parser->cur = parser->begin;
  parser->end = parser->begin + size;
  parser->depth = 0;
  parser->error = NULL;
  parser->errorOffset = 0;
}

JsonKind jsonPeek(JsonParser *parser) {
  skipWhitespace(parser);
  if (parser->cur == parser->end)
    return JSON_KIND_INVALID;
  unsigned char c = *parser->cur;
  switch (c) {
  case '{':
    return JSON_KIND_OBJECT;
  case '[':
    return JSON_KIND_ARRAY;
  case '"':
    return JSON_KIND_STRING;
  case 't':
  case 'f':
    return JSON_KIND_BOOL;
  case 'n':
    return JSON_KIND_NULL;
  default:
    return (c == '-' || isDigit(c)) ? JSON_KIND_NUMBER : JSON_KIND_INVALID;
  }
}

/*===----------------------------------------------------------------------===*
 * Strings
 *===----------------------------------------------------------------------===*/

static int hexValue(unsigned char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/// Reads the four hex digits of a \u escape (the parser stands after 'u').
static JsonResult readHex4(JsonParser *parser, uint32_t *out) {
  if (remaining(parser) < 4)
    return fail(parser, "truncated \\u escape");
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    int digit = hexValue(parser->cur[i]);
    if (digit < 0)
      return fail(parser, "invalid \\u escape");
    value = value * 16 + (uint32_t)digit;
  }
  parser->cur += 4;
  *out = value;
  return JSON_OK;
}

static size_t encodeUtf8(uint32_t codePoint, unsigned char *out) {
  if (codePoint < 0x80) {
    out[0] = (unsigned char)codePoint;
    return 1;
  }
  if (codePoint < 0x800) {
    out[0] = (unsigned char)(0xC0 | (codePoint >> 6));
    out[1] = (unsigned char)(0x80 | (codePoint & 0x3F));
    return 2;
  }
  if (codePoint < 0x10000) {
    out[0] = (unsigned char)(0xE0 | (codePoint >> 12));
    out[1] = (unsigned char)(0x80 | ((codePoint >> 6) & 0x3F));
    out[2] = (unsigned char)(0x80 | (codePoint & 0x3F));
    return 3;
  }
  out[0] = (unsigned char)(0xF0 | (codePoint >> 18));
  out[1] = (unsigned char)(0x80 | ((codePoint >> 12) & 0x3F));
  out[2] = (unsigned char)(0x80 | ((codePoint >> 6) & 0x3F));
  out[3] = (unsigned char)(0x80 | (codePoint & 0x3F));
  return 4;
}

/// Checks one multi-byte UTF-8 sequence at the parser and returns its length,
/// or 0 if it is malformed, overlong, a surrogate or beyond U+10FFFF.
static size_t utf8SequenceLength(const JsonParser *parser) {
  const unsigned char *s = parser->cur;
  size_t available = remaining(parser);
  unsigned char lead = s[0];
  size_t length;
  uint32_t codePoint, minimum;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    codePoint = lead & 0x1F;
    minimum = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    codePoint = lead & 0x0F;
    minimum = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    codePoint = lead & 0x07;
    minimum = 0x10000;
  } else {
    return 0;
  }
  if (available < length)
    return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    codePoint = (codePoint << 6) | (s[i] & 0x3F);
  }
  if (codePoint < minimum || codePoint > 0x10FFFF ||
      (codePoint >= 0xD800 && codePoint <= 0xDFFF))
    return 0;
  return length;
}

/// Consumes a string token. With `out` NULL only validates; otherwise writes
/// the decoded bytes to `out`, which must hold the raw token length.
static JsonResult scanString(JsonParser *parser, unsigned char *out,
                             size_t *length) {
  size_t written = 0;
  if (parser->cur == parser->end || *parser->cur != '"')
    return fail(parser, "expected a string");
  ++parser->cur;
  for (;;) {
    if (parser->cur == parser->end)
      return fail(parser, "unterminated string");
    unsigned char c = *parser->cur;
    if (c == '"') {
      ++parser->cur;
      break;
    }
    if (c < 0x20)
      return fail(parser, "control character in string");
    if (c >= 0x80) {
      size_t n = utf8SequenceLength(parser);
      if (n == 0)
        return fail(parser, "invalid UTF-8 in string");
      if (out)
        memcpy(out + written, parser->cur, n);
      written += n;
      parser->cur += n;
      continue;
    }
    ++parser->cur;
    if (c != '\\') {
      if (out)
        out[written] = c;
      ++written;
      continue;
    }
    if (parser->cur == parser->end)
      return fail(parser, "unterminated string");
    unsigned char escape = *parser->cur++;
    uint32_t codePoint;
    switch (escape) {
    case '"':
    case '\\':
    case '/':
      codePoint = escape;
      break;
    case 'b':
      codePoint = '\b';
      break;
    case 'f':
      codePoint = '\f';
      break;
    case 'n':
      codePoint = '\n';
      break;
    case 'r':
      codePoint = '\r';
      break;
    case 't':
      codePoint = '\t';
      break;
    case 'u': {
      if (readHex4(parser, &codePoint) != JSON_OK)
        return JSON_SYNTAX;
      if (codePoint >= 0xDC00 && codePoint <= 0xDFFF)
        return fail(parser, "unpaired low surrogate in \\u escape");
      if (codePoint >= 0xD800 && codePoint <= 0xDBFF) {
        uint32_t low;
        if (remaining(parser) < 2 || parser->cur[0] != '\\' ||
            parser->cur[1] != 'u')
          return fail(parser, "unpaired high surrogate in \\u escape");
        parser->cur += 2;
        if (readHex4(parser, &low) != JSON_OK)
          return JSON_SYNTAX;
        if (low < 0xDC00 || low > 0xDFFF)
          return fail(parser, "unpaired high surrogate in \\u escape");
        codePoint = 0x10000 + ((codePoint - 0xD800) << 10) + (low - 0xDC00);
      }
      break;
    }
    default:
      return fail(parser, "invalid escape in string");
    }
    unsigned char encoded[4];
    size_t n = encodeUtf8(codePoint, encoded);
    if (out)
      memcpy(out + written, encoded, n);
    written += n;
  }
  if (length)
    *length = written;
  return JSON_OK;
}

JsonResult jsonParseString(JsonParser *parser, char **out, size_t *length) {
  *out = NULL;
  *length = 0;
  skipWhitespace(parser);
  const unsigned char *start = parser->cur;
  size_t decodedLength;
  JsonResult result = scanString(parser, NULL, &decodedLength);
  if (result != JSON_OK)
    return result;
  char *buffer = (char *)malloc(decodedLength + 1);
  if (!buffer)
    return JSON_NO_MEMORY;
  /* Decoding cannot fail where validation succeeded. */
  parser->cur = start;
  scanString(parser, (unsigned char *)buffer, &decodedLength);
  buffer[decodedLength] = '\0';
  *out = buffer;
  *length = decodedLength;
  return JSON_OK;
}

/*===----------------------------------------------------------------------===*
 * Numbers and literals
 *===----------------------------------------------------------------------===*/

JsonResult jsonParseNumber(JsonParser *parser, JsonNumber *out) {
  skipWhitespace(parser);
  bool negative = false;
  uint64_t magnitude = 0;
  bool overflow = false;
  bool isInteger = true;
  if (parser->cur < parser->end && *parser->cur == '-') {
    negative = true;
    ++parser->cur;
  }
  if (parser->cur == parser->end || !isDigit(*parser->cur))
    return fail(parser, "expected a digit");
  if (*parser->cur == '0') {
    ++parser->cur;
    if (parser->cur < parser->end && isDigit(*parser->cur))
      return fail(parser, "leading zero in number");
  } else {
    while (parser->cur < parser->end && isDigit(*parser->cur)) {
      uint64_t digit = (uint64_t)(*parser->cur - '0');
      if (magnitude > (UINT64_MAX - digit) / 10)
        overflow = true;
      else
        magnitude = magnitude * 10 + digit;
      ++parser->cur;
    }
  }
  if (parser->cur < parser->end && *parser->cur == '.') {
    isInteger = false;
    ++parser->cur;
    if (parser->cur == parser->end || !isDigit(*parser->cur))
      return fail(parser, "expected a digit after '.'");
    while (parser->cur < parser->end && isDigit(*parser->cur))
      ++parser->cur;
  }
  if (parser->cur < parser->end &&
      (*parser->cur == 'e' || *parser->cur == 'E')) {
    isInteger = false;
    ++parser->cur;
    if (parser->cur < parser->end &&
        (*parser->cur == '+' || *parser->cur == '-'))
      ++parser->cur;
    if (parser->cur == parser->end || !isDigit(*parser->cur))
      return fail(parser, "expected a digit in exponent");
    while (parser->cur < parser->end && isDigit(*parser->cur))
      ++parser->cur;
  }
  uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
  if (magnitude > limit)
    overflow = true;
  out->isInteger = isInteger;
  out->overflow = overflow;
  if (overflow)
    out->value = 0;
  else if (negative)
    out->value =
        magnitude == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)magnitude;
  else
    out->value = (int64_t)magnitude;
  return JSON_OK;
}

static JsonResult scanLiteral(JsonParser *parser, const char *literal) {
  size_t length = strlen(literal);
  if (remaining(parser) < length || memcmp(parser->cur, literal, length) != 0)
    return fail(parser, "invalid literal");
  parser->cur += length;
  return JSON_OK;
}

/*===----------------------------------------------------------------------===*
 * Containers
 *===----------------------------------------------------------------------===*/

static JsonResult containerBegin(JsonParser *parser, unsigned char open,
                                 const char *expected) {
  skipWhitespace(parser);
  if (parser->cur == parser->end || *parser->cur != open)
    return fail(parser, expected);
  if (parser->depth >= kJsonMaxDepth)
    return fail(parser, "nesting too deep");
  ++parser->cur;
  ++parser->depth;
  return JSON_OK;
}

/// Handles the separator before an element or member: returns JSON_OK with
/// `*more` false after consuming `close`.
static JsonResult containerNext(JsonParser *parser, unsigned char close,
                                bool *first, bool *more) {
  *more = false;
  skipWhitespace(parser);
  if (parser->cur == parser->end)
    return fail(parser, "unexpected end of input");
  unsigned char c = *parser->cur;
  if (c == close) {
    ++parser->cur;
    --parser->depth;
    return JSON_OK;
  }
  if (!*first) {
    if (c != ',')
      return fail(parser,
                  close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
    ++parser->cur;
    skipWhitespace(parser);
  }
  *first = false;
  *more = true;
  return JSON_OK;
}

JsonResult jsonObjectBegin(JsonParser *parser) {
  return containerBegin(parser, '{', "expected '{'");
}

JsonResult jsonArrayBegin(JsonParser *parser) {
  return containerBegin(parser, '[', "expected '['");
}

/// jsonObjectNext with an optional key: a NULL `key` only validates it.
static JsonResult objectNext(JsonParser *parser, bool *first, bool *hasMember,
                             char **key, size_t *keyLength) {
  JsonResult result = containerNext(parser, '}', first, hasMember);
  if (result != JSON_OK || !*hasMember)
    return result;
  if (parser->cur == parser->end || *parser->cur != '"')
    return fail(parser, "expected a string key");
  result = key ? jsonParseString(parser, key, keyLength)
               : scanString(parser, NULL, NULL);
  if (result != JSON_OK)
    return result;
  skipWhitespace(parser);
  if (parser->cur == parser->end || *parser->cur != ':') {
    if (key) {
      free(*key);
      *key = NULL;
    }
    return fail(parser, "expected ':'");
  }
  ++parser->cur;
  return JSON_OK;
}

JsonResult jsonObjectNext(JsonParser *parser, bool *first, bool *hasMember,
                          char **key, size_t *keyLength) {
  *key = NULL;
  *keyLength = 0;
  return objectNext(parser, first, hasMember, key, keyLength);
}

JsonResult jsonArrayNext(JsonParser *parser, bool *first, bool *hasElement) {
  return containerNext(parser, ']', first, hasElement);
}

JsonResult jsonSkipValue(JsonParser *parser) {
  JsonResult result;
  bool first = true, more = false;
  switch (jsonPeek(parser)) {
  case JSON_KIND_OBJECT:
    if ((result = jsonObjectBegin(parser)) != JSON_OK)
      return result;
    for (;;) {
      if ((result = objectNext(parser, &first, &more, NULL, NULL)) != JSON_OK)
        return result;
      if (!more)
        return JSON_OK;
      if ((result = jsonSkipValue(parser)) != JSON_OK)
        return result;
    }
  case JSON_KIND_ARRAY:
    if ((result = jsonArrayBegin(parser)) != JSON_OK)
      return result;
    for (;;) {
      if ((result = jsonArrayNext(parser, &first, &more)) != JSON_OK)
        return result;
      if (!more)
        return JSON_OK;
      if ((result = jsonSkipValue(parser)) != JSON_OK)
        return result;
    }
  case JSON_KIND_STRING:
    return scanString(parser, NULL, NULL);
  case JSON_KIND_NUMBER: {
    JsonNumber number;
    return jsonParseNumber(parser, &number);
  }
  case JSON_KIND_BOOL:
    return scanLiteral(parser, *parser->cur == 't' ? "true" : "false");
  case JSON_KIND_NULL:
    return scanLiteral(parser, "null");
  case JSON_KIND_INVALID:
    break;
  }
  return fail(parser, parser->cur == parser->end ? "unexpected end of input"
                                                 : "unexpected character");
}

JsonResult jsonExpectEnd(JsonParser *parser) {
  skipWhitespace(parser);
  if (parser->cur != parser->end)
    return fail(parser, "unexpected data after the top-level value");
  return JSON_OK;
}
