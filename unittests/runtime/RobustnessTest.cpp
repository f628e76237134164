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
  return dtype == "F32"   ? ATTNRT_DTYPE_F32
         : dtype == "I32" ? ATTNRT_DTYPE_I32
                          : -1;
}

/// A valid image and the parameters a model can bind from it.
struct Sample {
  struct Param {
    std::string name;
    int32_t dtype;
    std::vector<int64_t> shape;
    Bytes bytes;
  };
  std::string header;
  Bytes data;
  std::vector<Param> params;
  /// The end of the last tensor: data after it may be cut.
  uint64_t dataNeeded = 0;

  Bytes image() const { return rawImage(header, data); }
};

Sample fromBuilder(const SafetensorsBuilder &builder) {
  Sample sample{builder.header(), builder.data(), {}, 0};
  for (const auto &tensor : builder.layout())
    sample.dataNeeded = std::max(sample.dataNeeded, tensor.end);
  for (const auto &tensor : builder.layout())
    if (declaredDtype(tensor.dtype) >= 0)
      sample.params.push_back({tensor.name, declaredDtype(tensor.dtype),
                               tensor.shape, tensor.bytes});
  return sample;
}

/// A hand-written header using every escape, key order and number form the
/// builder does not produce.
Sample richSample() {
  Sample sample;
  sample.header =
      R"({"__metadata__": {"k\u00e9y\n": "v\ud83d\ude00 \"q\" \\ \/ \b\f\r\t",)"
      R"( "caf\u00e9": "\u0000"}, "w\u0071": {"dtype": "F32", "shape": [2, 1],)"
      "\n\t \"data_offsets\": [0, 8]}, \"n\": {\"data_offsets\": [8, 8], "
      R"("shape": [0, -0, 3], "dtype": "I32"}, "\u00e9": {"dtype": "I32",)"
      R"( "shape": [], "data_offsets": [8, 12]}})";
  sample.data = toBytes(std::vector<float>{1.5f, -2.0f});
  Bytes scalar = toBytes(std::vector<int32_t>{-7});
  sample.data.insert(sample.data.end(), scalar.begin(), scalar.end());
  sample.params.push_back(
      {"wq",
       ATTNRT_DTYPE_F32,
       {2, 1},
       Bytes(sample.data.begin(), sample.data.begin() + 8)});
  sample.params.push_back({"\xc3\xa9", ATTNRT_DTYPE_I32, {}, scalar});
  sample.dataNeeded = 12;
  return sample;
}

std::vector<Sample> samples() {
  return {fromBuilder(validWeights(1)), fromBuilder(validWeights(64)),
          richSample()};
}

/// After an open that succeeded on a damaged image, every parameter of the
/// original must either bind to its original bytes or be reported as missing
/// or mismatched: a damaged image never yields wrong data.
void checkParamsIntact(attnrt_model *model, const Sample &sample) {
  for (size_t i = 0; i < sample.params.size(); ++i) {
    const Sample::Param &param = sample.params[i];
    attnrt_status status = attnrt_model_bind(
        model, static_cast<int64_t>(i), param.name.c_str(), param.dtype,
        static_cast<int64_t>(param.shape.size()), param.shape.data());
    if (status == ATTNRT_OK) {
      const void *data = attnrt_model_param(model, static_cast<int64_t>(i));
      ASSERT_NE(data, nullptr);
      EXPECT_EQ(reinterpret_cast<uintptr_t>(data) % 64, 0u);
      EXPECT_EQ(std::memcmp(data, param.bytes.data(), param.bytes.size()), 0)
          << "tensor '" << param.name << "' bound to other bytes";
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

TEST(RuntimeRobustness, ValidSamplesBind) {
  for (const Sample &sample : samples()) {
    SCOPED_TRACE(sample.header);
    Bytes image = sample.image();
    ExactBuffer buffer(image);
    attnrt_model *model = nullptr;
    ASSERT_EQ(attnrt_model_open_memory(buffer.data(), buffer.length(),
                                       sample.params.size(), &model),
              ATTNRT_OK)
        << attnrt_last_error();
    for (size_t i = 0; i < sample.params.size(); ++i) {
      const Sample::Param &param = sample.params[i];
      ASSERT_EQ(attnrt_model_bind(model, i, param.name.c_str(), param.dtype,
                                  param.shape.size(), param.shape.data()),
                ATTNRT_OK)
          << attnrt_last_error();
      EXPECT_EQ(std::memcmp(attnrt_model_param(model, i), param.bytes.data(),
                            param.bytes.size()),
                0);
    }
    attnrt_model_destroy(model);
  }
}

TEST(RuntimeRobustness, TruncatedAtEveryLength) {
  for (const Sample &sample : samples()) {
    SCOPED_TRACE(sample.header);
    Bytes image = sample.image();
    size_t headerEnd = 8 + sample.header.size();
    for (size_t length = 0; length <= image.size(); ++length) {
      SCOPED_TRACE(length);
      Bytes prefix(image.begin(), image.begin() + length);
      attnrt_status status = openImage(prefix, 4);
      if (length < headerEnd)
        EXPECT_EQ(status, ATTNRT_ERROR_HEADER_SIZE) << attnrt_last_error();
      else if (length - headerEnd < sample.dataNeeded)
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
  for (size_t length : {size_t(0), size_t(7), size_t(8), size_t(9), size_t(100),
                        image.size() - 1}) {
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
  for (const Sample &sample : samples()) {
    SCOPED_TRACE(sample.header);
    size_t closing = sample.header.rfind('}');
    for (size_t length = 0; length <= closing; ++length) {
      SCOPED_TRACE(length);
      // Without data the header ends where the allocation does, so ASan
      // sees any read past it.
      std::string cut = sample.header.substr(0, length);
      EXPECT_EQ(openImage(rawImage(cut), 4), ATTNRT_ERROR_HEADER_JSON)
          << attnrt_last_error();
      EXPECT_EQ(openImage(rawImage(cut, sample.data), 4),
                ATTNRT_ERROR_HEADER_JSON)
          << attnrt_last_error();
    }
  }
}

const uint8_t kReplacements[] = {
    0x00, 0x01, '\t', '\n', ' ',  '"',  '\'', ',',  ':',  '-',  '.',  '0', '1',
    '2',  '9',  'e',  'E',  'u',  '\\', '/',  '[',  ']',  '{',  '}',  'F', 'I',
    'U',  'n',  't',  'w',  0x7f, 0x80, 0xbf, 0xc3, 0xed, 0xf0, 0xf4, 0xff};

TEST(RuntimeRobustness, EverySingleByteCorruptionOfTheHeader) {
  for (const Sample &sample : samples()) {
    SCOPED_TRACE(sample.header);
    Bytes image = sample.image();
    size_t headerEnd = 8 + sample.header.size();
    size_t opened = 0, rejected = 0;
    // The length field has its own test: shortening it over padding is a
    // valid file whose tensors legitimately start elsewhere.
    for (size_t position = 8; position < headerEnd; ++position) {
      for (uint8_t value : kReplacements) {
        if (image[position] == value)
          continue;
        SCOPED_TRACE(::testing::Message()
                     << "byte " << position << " := " << int(value));
        Bytes corrupt = image;
        corrupt[position] = value;
        // Also without the data, so the header ends at the allocation's end
        // and ASan sees any read past it.
        Bytes headerOnly(corrupt.begin(), corrupt.begin() + headerEnd);
        attnrt_status headerOnlyStatus = openImage(headerOnly, 4);
        EXPECT_TRUE(headerOnlyStatus == ATTNRT_OK ||
                    isOpenError(headerOnlyStatus));
        ExactBuffer buffer(corrupt);
        attnrt_model *model = nullptr;
        attnrt_status status =
            attnrt_model_open_memory(buffer.data(), buffer.length(), 4, &model);
        if (status == ATTNRT_OK) {
          ++opened;
          ASSERT_NE(model, nullptr);
          checkParamsIntact(model, sample);
          attnrt_model_destroy(model);
        } else {
          ++rejected;
          EXPECT_TRUE(isOpenError(status)) << attnrt_status_name(status);
          EXPECT_EQ(model, nullptr);
          EXPECT_STRNE(attnrt_last_error(), "");
        }
      }
    }
    // Most damage must be caught; some (in names, metadata or padding) is
    // harmless.
    EXPECT_GT(rejected, 3 * opened);
  }
}

TEST(RuntimeRobustness, RandomMultiByteCorruption) {
  Sample sample = richSample();
  Bytes image = sample.image();
  size_t headerEnd = 8 + sample.header.size();
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
