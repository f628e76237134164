/*===- Checks.c - Range checks of the values of entry-point arguments -----===*/

#include "attnrt.h"

attnrt_status attnrt_check_range(const int32_t *values, int64_t count,
                                 int64_t max, const char *name,
                                 const char *what) {
  for (int64_t i = 0; i < count; ++i)
    if (values[i] < 0 || values[i] > max)
      return attnrt_set_error(ATTNRT_ERROR_OUT_OF_RANGE,
                              "%s[%lld] = %d is not %s (0 to %lld)",
                              name ? name : "?", (long long)i, (int)values[i],
                              what ? what : "in range", (long long)max);
  return ATTNRT_OK;
}
