/* Translates dates read from stdin ("24 November 2026", "11/24/26", ...)
 * into "2026-11-24", one line per input line, with the model compiled by
 * attnc from date.attn (or date_noattention.attn). The program owns the
 * decoding loop: encode the sentence once, then call the step function
 * with the previous token until the end token (greedy decoding).
 *
 *   translate [--weights FILE] [--no-attention] [--heatmap FILE.svg] < dates
 *
 * --heatmap writes the attention weights of the first line as an SVG image:
 * source characters across, output characters down, darker = more weight.
 */
#include "date.h"
#include "date_noattention.h"
#include "vocab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kMaxLine = 256 };

typedef struct {
  int attention;           /* which of the two models */
  date *with;              /* date.attn */
  date_noattention *without;
} translator;

/* Source ids of `text` (1 + index in DATE_SRC_CHARS); -1 and a message for
 * a character the model has never seen or a length out of range. */
static int64_t encode_source(const char *text, int32_t *ids) {
  int64_t n = (int64_t)strlen(text);
  if (n < 1 || n > DATE_S_MAX) {
    fprintf(stderr, "error: '%s': %lld characters, expected 1 to %d\n", text,
            (long long)n, DATE_S_MAX);
    return -1;
  }
  for (int64_t i = 0; i < n; ++i) {
    const char *at = text[i] ? strchr(DATE_SRC_CHARS, text[i]) : NULL;
    if (!at) {
      unsigned char c = (unsigned char)text[i];
      if (c >= 0x20 && c < 0x7f)
        fprintf(stderr, "error: '%s': character '%c' is not in the vocabulary\n",
                text, c);
      else
        fprintf(stderr, "error: '%s': byte 0x%02x (outside ASCII) is not in the "
                        "vocabulary\n", text, c);
      return -1;
    }
    ids[i] = 1 + (int32_t)(at - DATE_SRC_CHARS);
  }
  return n;
}

static int fail(const char *what, attnrt_status status) {
  fprintf(stderr, "error: %s: %s: %s\n", what, attnrt_status_name(status),
          attnrt_last_error());
  return -1;
}

/* Greedy decoding of one sentence of S ids into `out` (a C string). When
 * `align` is given, row t receives the attention weights of output t.
 * Returns the number of output characters, or -1. */
static int translate(const translator *tr, int64_t S, const int32_t *ids,
                     char *out, float *align) {
  float keys[DATE_S_MAX * DATE_K], pkeys[DATE_S_MAX * DATE_A];
  float state[DATE_D], next[DATE_D], logits[DATE_VT], weights[DATE_S_MAX];
  attnrt_status status =
      tr->attention ? date_encode(tr->with, S, ids, keys, pkeys, state)
                    : date_noattention_encode(tr->without, S, ids, keys, state);
  if (status)
    return fail("encode", status);
  int32_t token = DATE_START_ID;
  int length = 0;
  for (int t = 0; t < DATE_MAX_OUT; ++t) {
    int32_t best;
    status = tr->attention
                 ? date_step(tr->with, S, &token, state, keys, pkeys, logits,
                             &best, next, weights)
                 : date_noattention_step(tr->without, &token, state, keys,
                                         logits, &best, next);
    if (status)
      return fail("step", status);
    if (best == DATE_END_ID)
      break;
    out[length++] = DATE_TGT_CHARS[best - DATE_TGT_FIRST_CHAR_ID];
    if (align)
      memcpy(align + (size_t)t * S, weights, sizeof(float) * (size_t)S);
    memcpy(state, next, sizeof state);
    token = best;
  }
  out[length] = '\0';
  return length;
}

/* Escapes one character for SVG text. */
static const char *svg_char(char c, char buffer[2]) {
  switch (c) {
  case '&': return "&amp;";
  case '<': return "&lt;";
  case '>': return "&gt;";
  case ' ': return "&#9251;"; /* a visible space */
  default: buffer[0] = c; buffer[1] = '\0'; return buffer;
  }
}

/* The alignment matrix as a heatmap: a column per source character, a row
 * per output character, white (0) to dark blue (1). */
static int write_heatmap(const char *path, const char *source, int64_t S,
                         const char *output, int T, const float *align) {
  FILE *f = fopen(path, "w");
  if (!f) {
    perror(path);
    return -1;
  }
  const int cell = 24, left = 40, top = 40;
  static const char caption[] =
      "source across, output down; darker = more attention";
  /* A monospace character at 14px is about 8.4px wide: 9 keeps the caption
   * inside the picture. */
  const int caption_width = left + 9 * (int)(sizeof(caption) - 1) + 10;
  int width = left + (int)S * cell + 10, height = top + T * cell + 30;
  if (width < caption_width)
    width = caption_width;
  fprintf(f,
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
          "height=\"%d\" font-family=\"monospace\" font-size=\"14\">\n"
          "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
          width, height);
  char buffer[2];
  for (int64_t j = 0; j < S; ++j)
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
            left + (int)j * cell + cell / 2, top - 10,
            svg_char(source[j], buffer));
  for (int t = 0; t < T; ++t) {
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
            left / 2, top + t * cell + cell / 2 + 5,
            svg_char(output[t], buffer));
    for (int64_t j = 0; j < S; ++j) {
      float w = align[(size_t)t * S + j];
      int shade = (int)(255.0f * (1.0f - (w < 0 ? 0 : w > 1 ? 1 : w)));
      fprintf(f,
              "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
              "fill=\"rgb(%d,%d,255)\"><title>%.3f</title></rect>\n",
              left + (int)j * cell, top + t * cell, cell, cell, shade, shade,
              w);
    }
  }
  fprintf(f, "<text x=\"%d\" y=\"%d\">%s</text>\n</svg>\n", left,
          top + T * cell + 20, caption);
  return fclose(f) == 0 ? 0 : -1;
}

static void usage(FILE *to) {
  fprintf(to, "usage: translate [--weights FILE] [--no-attention] "
              "[--heatmap FILE.svg] < dates\n");
}

int main(int argc, char **argv) {
  translator tr = {1, NULL, NULL};
  const char *weights = NULL, *heatmap = NULL;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--weights") && i + 1 < argc) {
      weights = argv[++i];
    } else if (!strcmp(argv[i], "--heatmap") && i + 1 < argc) {
      heatmap = argv[++i];
    } else if (!strcmp(argv[i], "--no-attention")) {
      tr.attention = 0;
    } else if (!strcmp(argv[i], "--help")) {
      usage(stdout);
      return 0;
    } else {
      usage(stderr);
      return 2;
    }
  }
  if (heatmap && !tr.attention) {
    fprintf(stderr, "error: --heatmap needs the attention model\n");
    return 2;
  }
  if (!weights)
    weights = tr.attention ? "date_attention.safetensors"
                           : "date_noattention.safetensors";
  attnrt_status status = tr.attention
                             ? date_create(weights, &tr.with)
                             : date_noattention_create(weights, &tr.without);
  if (status) {
    fprintf(stderr, "error: %s: %s\n", attnrt_status_name(status),
            attnrt_last_error());
    return 1;
  }

  char line[kMaxLine];
  int errors = 0, first = 1;
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\r\n")] = '\0';
    int32_t ids[DATE_S_MAX];
    char out[DATE_MAX_OUT + 1];
    static float align[DATE_MAX_OUT * DATE_S_MAX];
    int64_t S = encode_source(line, ids);
    int T = S < 0 ? -1
                  : translate(&tr, S, ids, out, heatmap && first ? align : NULL);
    if (T < 0) {
      ++errors;
      printf("\n");   /* one output line per input line */
      continue;
    }
    printf("%s\n", out);
    if (heatmap && first && write_heatmap(heatmap, line, S, out, T, align))
      ++errors;
    first = 0;
  }
  date_destroy(tr.with);
  date_noattention_destroy(tr.without);
  return errors ? 1 : 0;
}
