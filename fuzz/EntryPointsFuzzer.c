/*===- EntryPointsFuzzer.c - libFuzzer target: generated entry points -----===*
 *
 * Calls the date translator's entry points (compiled by attnc with its
 * weights embedded) through their C API with what the input says: which
 * fn, the run-time dim S (any int64), token ids and padding of any value,
 * and null pointers. Buffers are sized for S clamped to its bound, so an
 * entry point that let a bad S through would write outside them
 * (AddressSanitizer); outputs start filled with a canary, and an entry
 * point that fails must leave every byte of it: otherwise the target
 * aborts. libattnrt is built with coverage; the generated code is not.
 *
 *===----------------------------------------------------------------------===*/

#include "date.h"

#include <stdlib.h>
#include <string.h>

enum { kMaxS = DATE_S_MAX, kK = 128, kA = 64, kD = 128, kVT = 13 };

static date *model;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  if (date_create(NULL, &model) != ATTNRT_OK)
    abort();
  return 0;
}

/* The input as a stream of bytes; zeros once it runs out. */
typedef struct {
  const unsigned char *data;
  size_t size, at;
} Stream;

static unsigned char next(Stream *in) {
  return in->at < in->size ? in->data[in->at++] : 0;
}

static int64_t nextInt64(Stream *in) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i)
    value = value << 8 | next(in);
  return (int64_t)value;
}

static int32_t nextInt32(Stream *in) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i)
    value = value << 8 | next(in);
  return (int32_t)value;
}

/* A buffer of `count` elements of 4 bytes (at least 1 so that it can be
 * written if the entry point misbehaves), filled with the canary; NULL when
 * `null` asks for it. */
static void *buffer(int64_t count, int null) {
  if (null)
    return NULL;
  void *data = malloc(4 * (size_t)(count > 0 ? count : 1));
  memset(data, 0xA5, 4 * (size_t)(count > 0 ? count : 1));
  return data;
}

static void expectUntouched(const void *data, int64_t count) {
  const unsigned char *bytes = data;
  for (int64_t i = 0; data && i < 4 * (count > 0 ? count : 1); ++i)
    if (bytes[i] != 0xA5)
      abort(); /* a failed call wrote an output */
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  Stream in = {data, size, 0};
  unsigned char which = next(&in) % 2, nulls = next(&in);
  int64_t S = nextInt64(&in);
  /* Mostly valid sizes, so that the checks of values get their turn. */
  if (next(&in) & 1)
    S = (S & 0xff) % (kMaxS + 8) - 2;
  int64_t room = S < 0 ? 0 : S > kMaxS ? kMaxS : S;

  if (which == 0) {
    int32_t *src = buffer(room, nulls & 1);
    for (int64_t i = 0; src && i < room; ++i)
      src[i] = next(&in) & 0x80 ? nextInt32(&in) : next(&in) % 64;
    float *keys = buffer(room * kK, nulls & 2), *pkeys = buffer(room * kA, nulls & 4),
          *s0 = buffer(kD, nulls & 8);
    if (date_encode(model, S, src, keys, pkeys, s0) != ATTNRT_OK) {
      expectUntouched(keys, room * kK);
      expectUntouched(pkeys, room * kA);
      expectUntouched(s0, kD);
    }
    free(src), free(keys), free(pkeys), free(s0);
    return 0;
  }
  int32_t *y = buffer(1, nulls & 1);
  if (y)
    *y = next(&in) & 0x80 ? nextInt32(&in) : next(&in) % 16;
  float *s = buffer(kD, nulls & 2), *keys = buffer(room * kK, nulls & 4),
        *pkeys = buffer(room * kA, nulls & 8);
  for (int64_t i = 0; s && i < kD; ++i)
    s[i] = (float)(int8_t)next(&in) / 32.0f;
  for (int64_t i = 0; keys && i < room * kK; ++i)
    keys[i] = (float)(int8_t)next(&in) / 32.0f;
  for (int64_t i = 0; pkeys && i < room * kA; ++i)
    pkeys[i] = (float)(int8_t)next(&in) / 32.0f;
  float *logits = buffer(kVT, nulls & 16), *s1 = buffer(kD, nulls & 32),
        *align = buffer(room, nulls & 64);
  int32_t *token = buffer(1, nulls & 128);
  if (date_step(model, S, y, s, keys, pkeys, logits, token, s1, align) !=
      ATTNRT_OK) {
    expectUntouched(logits, kVT);
    expectUntouched(token, 1);
    expectUntouched(s1, kD);
    expectUntouched(align, room);
  }
  free(y), free(s), free(keys), free(pkeys), free(logits), free(token),
      free(s1), free(align);
  return 0;
}
