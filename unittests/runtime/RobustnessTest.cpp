//===- RobustnessTest.cpp - Truncated and corrupted safetensors images ----===//
//
// Every image here comes from a heap buffer of exactly its size, so under
// AddressSanitizer (RuntimeAsanTests) any read past the end fails the test.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <algorithm>
#include <cstdio>
#include <random>

using namespace attnrt_test;

namespace {

SafetensorsBuilder validWeights(uint64_t alignment) {
  SafetensorsBuilder builder;
  std::vector<float> wq(12), bias(3);
  for (size_t i = 0; i < wq.size(); ++i)
    wq[i] = 0.25f * static_cast<float>(i);
  for (size_t i = 0; i < bias.size(); ++i)
    bias[i] = -1.0f - static_cast<float>(i);
  builder.addF32("wq", {3, 4}, wq)
      .addF32("bias", {3}, bias)
      .addI32("vocab", {2}, {11, 22})
      .addF32("scale", {}, {0.5f})
      .add("mask", "BOOL", {2, 2}, Bytes{1, 0, 0, 1})
      .add("empty", "F16", {0, 3}, {})
      .metadata("format", "pt")
      .metadata("n\\ote", "\xc3\xa9t\xc3\xa9")
      .align(alignment);
  return builder;
}

int32_t declaredDtype(const std::string &dtype) {
  return dtype == "F32" ? ATTNRT_DTYPE_F32
         : dtype == "I32" ? ATTNRT_DTYPE_I32
                          : -1;
}

/// After an open that succeeded on a damaged image, every F32/I32 tensor of
/// the original must either bind to its original bytes or be reported as
/// missing or mismatched: a damaged image never yields wrong data.
void checkParamsIntact(attnrt_model *model, const SafetensorsBuilder &builder) {
  std::vector<SafetensorsBuilder::Tensor> tensors;
  for (const auto &tensor : builder.layout())
    if (declaredDtype(tensor.dtype) >= 0)
      tensors.push_back(tensor);
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto &tensor = tensors[i];
    attnrt_status status = attnrt_model_bind(
        model, static_cast<int64_t>(i), tensor.name.c_str(),
        declaredDtype(tensor.dtype), static_cast<int64_t>(tensor.shape.size()),
        tensor.shape.data());
    if (status == ATTNRT_OK) {
      const void *data = attnrt_model_param(model, static_cast<int64_t>(i));
      ASSERT_NE(data, nullptr);
      EXPECT_EQ(reinterpret_cast<uintptr_t>(data) % 64, 0u);
      EXPECT_EQ(std::memcmp(data, tensor.bytes.data(), tensor.bytes.size()), 0)
          << "tensor '" << tensor.name << "' bound to other bytes";
    } else {
      EXPECT_TRUE(status == ATTNRT_ERROR_MISSING_TENSOR ||
                  status == ATTNRT_ERROR_TENSOR_DTYPE ||
                  status == ATTNRT_ERROR_TENSOR_SHAPE)
          << attnrt_status_name(status) << ": " << attnrt_last_error();
    }
  }
}

bool isOpenError(attnrt_status status) {
  return status >= ATTNRT_ERROR_HEADER_SIZE && status <= ATTNRT_ERROR_OVERLAP;
}

TEST(RuntimeRobustness, TruncatedAtEveryLength) {
  for (uint64_t alignment : {1, 64}) {
    SafetensorsBuilder builder = validWeights(alignment);
    Bytes image = builder.build();
    size_t headerEnd = 8 + builder.header().size();
    uint64_t dataNeeded = 0;
    for (const auto &tensor : builder.layout())
      dataNeeded = std::max(dataNeeded, tensor.end);
    for (size_t length = 0; length <= image.size(); ++length) {
      SCOPED_TRACE(length);
      Bytes prefix(image.begin(), image.begin() + length);
      attnrt_status status = openImage(prefix, 4);
      if (length < headerEnd)
        EXPECT_EQ(status, ATTNRT_ERROR_HEADER_SIZE) << attnrt_last_error();
      else if (length - headerEnd < dataNeeded)
        EXPECT_EQ(status, ATTNRT_ERROR_OFFSETS) << attnrt_last_error();
      else
        EXPECT_EQ(status, ATTNRT_OK) << attnrt_last_error();
    }
  }
}

TEST(RuntimeRobustness, TruncatedFiles) {
  SafetensorsBuilder builder = validWeights(64);
  Bytes image = builder.build();
  std::string path = tempPath("truncated.safetensors");
  for (size_t length : {size_t(0), size_t(7), size_t(8), size_t(9),
                        size_t(100), image.size() - 1}) {
    SCOPED_TRACE(length);
    ASSERT_TRUE(writeFile(path, Bytes(image.begin(), image.begin() + length)));
    attnrt_model *model = nullptr;
    attnrt_status status = attnrt_model_open(path.c_str(), 4, &model);
    EXPECT_TRUE(isOpenError(status)) << attnrt_status_name(status);
    EXPECT_NE(std::string(attnrt_last_error()).find(path), std::string::npos);
    EXPECT_EQ(model, nullptr);
  }
  std::remove(path.c_str());
}

/// Cuts the header text at every length, keeping the length field honest,
/// so the JSON parser sees every prefix of a valid header.
TEST(RuntimeRobustness, HeaderCutAtEveryLength) {
  SafetensorsBuilder builder = validWeights(1);
  std::string header = builder.header();
  Bytes data = builder.data();
  for (size_t length = 0; length < header.size(); ++length) {
    SCOPED_TRACE(length);
    attnrt_status status =
        openImage(rawImage(header.substr(0, length), data), 4);
    EXPECT_EQ(status, ATTNRT_ERROR_HEADER_JSON) << attnrt_last_error();
  }
}

const uint8_t kReplacements[] = {
    0x00, 0x01, '\t', '\n', ' ', '"', '\'', ',', ':', '-', '.',
    '0',  '1',  '2',  '9',  'e', 'E', 'u',  '\\', '/', '[', ']',
    '{',  '}',  'F',  'I',  'U', 'n', 't',  'w',  0x7f, 0x80, 0xbf,
    0xc3, 0xed, 0xf0, 0xf4, 0xff};

TEST(RuntimeRobustness, EverySingleByteCorruptionOfTheHeader) {
  SafetensorsBuilder builder = validWeights(1);
  Bytes image = builder.build();
  size_t headerEnd = 8 + builder.header().size();
  size_t opened = 0, rejected = 0;
  for (size_t position = 0; position < headerEnd; ++position) {
    for (uint8_t value : kReplacements) {
      if (image[position] == value)
        continue;
      SCOPED_TRACE(::testing::Message()
                   << "byte " << position << " := " << int(value));
      Bytes corrupt = image;
      corrupt[position] = value;
      ExactBuffer buffer(corrupt);
      attnrt_model *model = nullptr;
      attnrt_status status = attnrt_model_open_memory(
          buffer.data(), buffer.length(), 4, &model);
      if (status == ATTNRT_OK) {
        ++opened;
        ASSERT_NE(model, nullptr);
        checkParamsIntact(model, builder);
        attnrt_model_destroy(model);
      } else {
        ++rejected;
        EXPECT_TRUE(isOpenError(status)) << attnrt_status_name(status);
        EXPECT_EQ(model, nullptr);
        EXPECT_STRNE(attnrt_last_error(), "");
      }
    }
  }
  // Most damage must be caught; some (inside names or metadata) is harmless.
  EXPECT_GT(rejected, 10 * opened);
}

TEST(RuntimeRobustness, RandomMultiByteCorruption) {
  SafetensorsBuilder builder = validWeights(64);
  Bytes image = builder.build();
  size_t headerEnd = 8 + builder.header().size();
  std::mt19937 random(12345);
  std::uniform_int_distribution<size_t> position(0, headerEnd - 1);
  std::uniform_int_distribution<int> count(2, 6), byte(0, 255),
      pick(0, sizeof(kReplacements) - 1);
  for (int round = 0; round < 5000; ++round) {
    Bytes corrupt = image;
    for (int i = count(random); i > 0; --i)
      corrupt[position(random)] = (round & 1)
                                      ? static_cast<uint8_t>(byte(random))
                                      : kReplacements[pick(random)];
    ExactBuffer buffer(corrupt);
    attnrt_model *model = nullptr;
    attnrt_status status =
        attnrt_model_open_memory(buffer.data(), buffer.length(), 4, &model);
    EXPECT_TRUE(status == ATTNRT_OK || isOpenError(status))
        << attnrt_status_name(status);
    EXPECT_EQ(status == ATTNRT_OK, model != nullptr);
    attnrt_model_destroy(model);
  }
}

TEST(RuntimeRobustness, CorruptedLengthField) {
  SafetensorsBuilder builder = validWeights(1);
  Bytes image = builder.build();
  for (size_t position = 0; position < 8; ++position) {
    for (int value = 0; value < 256; ++value) {
      Bytes corrupt = image;
      corrupt[position] = static_cast<uint8_t>(value);
      attnrt_status status = openImage(corrupt, 4);
      if (corrupt == image)
        EXPECT_EQ(status, ATTNRT_OK);
      else
        EXPECT_TRUE(isOpenError(status)) << attnrt_status_name(status);
    }
  }
}

} // namespace
