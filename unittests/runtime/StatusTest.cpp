//===- StatusTest.cpp - Status names and the per-thread last error --------===//

#include "TestUtil.h"

#include <thread>

namespace {

TEST(RuntimeStatus, Names) {
  const std::pair<attnrt_status, const char *> names[] = {
      {ATTNRT_OK, "ATTNRT_OK"},
      {ATTNRT_ERROR_INVALID_ARGUMENT, "ATTNRT_ERROR_INVALID_ARGUMENT"},
      {ATTNRT_ERROR_OUT_OF_RANGE, "ATTNRT_ERROR_OUT_OF_RANGE"},
      {ATTNRT_ERROR_OUT_OF_MEMORY, "ATTNRT_ERROR_OUT_OF_MEMORY"},
      {ATTNRT_ERROR_IO, "ATTNRT_ERROR_IO"},
      {ATTNRT_ERROR_HEADER_SIZE, "ATTNRT_ERROR_HEADER_SIZE"},
      {ATTNRT_ERROR_HEADER_JSON, "ATTNRT_ERROR_HEADER_JSON"},
      {ATTNRT_ERROR_DTYPE, "ATTNRT_ERROR_DTYPE"},
      {ATTNRT_ERROR_SHAPE, "ATTNRT_ERROR_SHAPE"},
      {ATTNRT_ERROR_OFFSETS, "ATTNRT_ERROR_OFFSETS"},
      {ATTNRT_ERROR_OVERLAP, "ATTNRT_ERROR_OVERLAP"},
      {ATTNRT_ERROR_MISSING_TENSOR, "ATTNRT_ERROR_MISSING_TENSOR"},
      {ATTNRT_ERROR_TENSOR_DTYPE, "ATTNRT_ERROR_TENSOR_DTYPE"},
      {ATTNRT_ERROR_TENSOR_SHAPE, "ATTNRT_ERROR_TENSOR_SHAPE"},
  };
  for (const auto &[status, name] : names)
    EXPECT_STREQ(attnrt_status_name(status), name);
  EXPECT_STREQ(attnrt_status_name(14), "ATTNRT_UNKNOWN_STATUS");
  EXPECT_STREQ(attnrt_status_name(-1), "ATTNRT_UNKNOWN_STATUS");
}

TEST(RuntimeStatus, SetErrorFormatsAndReturnsStatus) {
  EXPECT_EQ(attnrt_set_error(ATTNRT_ERROR_SHAPE, "dim %d of %s", 3, "x"),
            ATTNRT_ERROR_SHAPE);
  EXPECT_STREQ(attnrt_last_error(), "dim 3 of x");
  // The message may quote the previous one.
  attnrt_set_error(ATTNRT_ERROR_IO, "wrapped: %s", attnrt_last_error());
  EXPECT_STREQ(attnrt_last_error(), "wrapped: dim 3 of x");
  std::string longText(5000, 'z');
  attnrt_set_error(ATTNRT_ERROR_IO, "%s", longText.c_str());
  EXPECT_EQ(std::string(attnrt_last_error()), longText.substr(0, 1023));
  EXPECT_EQ(attnrt_set_error(ATTNRT_ERROR_IO, nullptr), ATTNRT_ERROR_IO);
  EXPECT_STREQ(attnrt_last_error(), "");
}

TEST(RuntimeStatus, LastErrorIsPerThread) {
  attnrt_set_error(ATTNRT_ERROR_IO, "main thread message");
  std::string seenBefore, seenAfter;
  std::thread worker([&] {
    seenBefore = attnrt_last_error();
    attnrt_set_error(ATTNRT_ERROR_SHAPE, "worker message");
    seenAfter = attnrt_last_error();
  });
  worker.join();
  EXPECT_EQ(seenBefore, "");
  EXPECT_EQ(seenAfter, "worker message");
  EXPECT_STREQ(attnrt_last_error(), "main thread message");
}

TEST(RuntimeStatus, FailingOpensOnManyThreadsKeepTheirMessages) {
  std::vector<std::thread> threads;
  std::vector<std::string> messages(8);
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      attnrt_model *model = nullptr;
      std::string path = attnrt_test::tempPath("missing" + std::to_string(t));
      for (int i = 0; i < 200; ++i)
        attnrt_model_open(path.c_str(), 0, &model);
      messages[t] = attnrt_last_error();
    });
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < 8; ++t)
    EXPECT_NE(messages[t].find("missing" + std::to_string(t) + ": cannot open"),
              std::string::npos)
        << messages[t];
}

} // namespace
