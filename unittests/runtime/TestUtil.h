//===- TestUtil.h - Shared helpers of the libattnrt unit tests ------------===//

#ifndef ATTNRT_UNITTESTS_TESTUTIL_H
#define ATTNRT_UNITTESTS_TESTUTIL_H

#include "SafetensorsBuilder.h"
#include "attnrt.h"

#include "gtest/gtest.h"

#include <string>
#include <unistd.h>

namespace attnrt_test {

/// Succeeds when `actual` is `expected` and the thread's last error contains
/// `substring`.
inline ::testing::AssertionResult failsWith(attnrt_status actual,
                                            attnrt_status expected,
                                            const std::string &substring) {
  std::string message = attnrt_last_error();
  if (actual != expected)
    return ::testing::AssertionFailure()
           << "status " << attnrt_status_name(actual) << ", expected "
           << attnrt_status_name(expected) << " (last error: \"" << message
           << "\")";
  if (message.find(substring) == std::string::npos)
    return ::testing::AssertionFailure()
           << "last error \"" << message << "\" lacks \"" << substring << "\"";
  return ::testing::AssertionSuccess();
}

/// Opens `image` from an exact-size heap copy and destroys the model again;
/// returns the status of the open.
inline attnrt_status openImage(const Bytes &image, int64_t numParams = 0) {
  ExactBuffer buffer(image);
  attnrt_model *model = nullptr;
  attnrt_status status = attnrt_model_open_memory(
      buffer.data(), buffer.length(), numParams, &model);
  if (status != ATTNRT_OK && model)
    ADD_FAILURE() << "a failed open left a model behind";
  attnrt_model_destroy(model);
  return status;
}

/// A path in the test temp dir, unique per process (the plain and the ASan
/// test binaries may run at once).
inline std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "attnrt_" + std::to_string(getpid()) + "_" +
         name;
}

} // namespace attnrt_test

#endif // ATTNRT_UNITTESTS_TESTUTIL_H
