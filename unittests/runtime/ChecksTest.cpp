//===- ChecksTest.cpp - attnrt_check_range --------------------------------===//

#include "TestUtil.h"

#include <cstring>

namespace {

TEST(RuntimeChecks, ValuesInsideTheRangePass) {
  const int32_t ids[] = {0, 5, 12};
  EXPECT_EQ(attnrt_check_range(ids, 3, 12, "m_f: y", "an id"), ATTNRT_OK);
  EXPECT_EQ(attnrt_check_range(nullptr, 0, 12, "m_f: y", "an id"), ATTNRT_OK);
}

TEST(RuntimeChecks, FirstValueOutsideIsReported) {
  const int32_t ids[] = {3, 13, -1};
  EXPECT_EQ(attnrt_check_range(ids, 3, 12, "m_step: y",
                               "an id of the embedding table 'emb'"),
            ATTNRT_ERROR_OUT_OF_RANGE);
  EXPECT_STREQ(attnrt_last_error(),
               "m_step: y[1] = 13 is not an id of the embedding table 'emb' "
               "(0 to 12)");
}

TEST(RuntimeChecks, NegativeValuesAreOutside) {
  const int32_t lengths[] = {-4};
  EXPECT_EQ(attnrt_check_range(lengths, 1, 7, "m_f: len", "a padding length"),
            ATTNRT_ERROR_OUT_OF_RANGE);
  EXPECT_STREQ(attnrt_last_error(),
               "m_f: len[0] = -4 is not a padding length (0 to 7)");
}

} // namespace
