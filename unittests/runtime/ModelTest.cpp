//===- ModelTest.cpp - Loading and binding valid safetensors images -------===//

#include "TestUtil.h"

#include <cstdio>
#include <thread>

using namespace attnrt_test;

namespace {

std::vector<float> iota(size_t count, float start) {
  std::vector<float> values(count);
  for (size_t i = 0; i < count; ++i)
    values[i] = start + 0.5f * static_cast<float>(i);
  return values;
}

bool isAligned(const void *pointer) {
  return reinterpret_cast<uintptr_t>(pointer) % 64 == 0;
}

/// Four parameters of different kinds plus tensors the model does not use.
SafetensorsBuilder sampleWeights() {
  SafetensorsBuilder builder;
  builder.addF32("wq", {4, 8}, iota(32, 1.0f))
      .addF32("bias", {8}, iota(8, -3.0f))
      .addI32("ids", {3}, {7, -1, 42})
      .addF32("scale", {}, {0.125f})
      .add("half", "F16", {2}, Bytes(4, 0x3c))
      .add("flags", "BOOL", {3}, Bytes{1, 0, 1})
      .metadata("format", "pt")
      .metadata("note", "quote \" and backslash \\ and \xc3\xa9");
  return builder;
}

/// Binds the four parameters of sampleWeights() and checks their values.
void bindAndCheckSample(attnrt_model *model) {
  const int64_t wqShape[] = {4, 8}, biasShape[] = {8}, idsShape[] = {3};
  ASSERT_EQ(attnrt_model_bind(model, 0, "wq", ATTNRT_DTYPE_F32, 2, wqShape),
            ATTNRT_OK)
      << attnrt_last_error();
  ASSERT_EQ(attnrt_model_bind(model, 1, "bias", ATTNRT_DTYPE_F32, 1, biasShape),
            ATTNRT_OK)
      << attnrt_last_error();
  ASSERT_EQ(attnrt_model_bind(model, 2, "ids", ATTNRT_DTYPE_I32, 1, idsShape),
            ATTNRT_OK)
      << attnrt_last_error();
  ASSERT_EQ(attnrt_model_bind(model, 3, "scale", ATTNRT_DTYPE_F32, 0, nullptr),
            ATTNRT_OK)
      << attnrt_last_error();

  auto *wq = static_cast<const float *>(attnrt_model_param(model, 0));
  auto *bias = static_cast<const float *>(attnrt_model_param(model, 1));
  auto *ids = static_cast<const int32_t *>(attnrt_model_param(model, 2));
  auto *scale = static_cast<const float *>(attnrt_model_param(model, 3));
  ASSERT_TRUE(wq && bias && ids && scale);
  for (const void *param : {(const void *)wq, (const void *)bias,
                            (const void *)ids, (const void *)scale})
    EXPECT_TRUE(isAligned(param)) << param;
  std::vector<float> expectedWq = iota(32, 1.0f);
  std::vector<float> expectedBias = iota(8, -3.0f);
  for (int i = 0; i < 32; ++i)
    EXPECT_EQ(wq[i], expectedWq[i]) << i;
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(bias[i], expectedBias[i]) << i;
  EXPECT_EQ(ids[0], 7);
  EXPECT_EQ(ids[1], -1);
  EXPECT_EQ(ids[2], 42);
  EXPECT_EQ(*scale, 0.125f);
}

TEST(RuntimeModel, FileRoundTrip) {
  std::string path = tempPath("roundtrip.safetensors");
  ASSERT_TRUE(writeFile(path, sampleWeights().build()));
  attnrt_model *model = nullptr;
  ASSERT_EQ(attnrt_model_open(path.c_str(), 4, &model), ATTNRT_OK)
      << attnrt_last_error();
  ASSERT_NE(model, nullptr);
  bindAndCheckSample(model);
  attnrt_model_destroy(model);
  std::remove(path.c_str());
}

TEST(RuntimeModel, PackedFileIsCopiedToAlignedMemory) {
  std::string path = tempPath("packed.safetensors");
  ASSERT_TRUE(writeFile(path, sampleWeights().align(1).build()));
  attnrt_model *model = nullptr;
  ASSERT_EQ(attnrt_model_open(path.c_str(), 4, &model), ATTNRT_OK)
      << attnrt_last_error();
  bindAndCheckSample(model);
  attnrt_model_destroy(model);
  std::remove(path.c_str());
}

TEST(RuntimeModel, AlignedMemoryIsUsedInPlace) {
  SafetensorsBuilder builder = sampleWeights();
  Bytes image = builder.build();
  AlignedBuffer buffer(image, 0);
  attnrt_model *model = nullptr;
  ASSERT_EQ(attnrt_model_open_memory(buffer.data(), buffer.length(), 4, &model),
            ATTNRT_OK)
      << attnrt_last_error();
  bindAndCheckSample(model);
  const uint8_t *data = buffer.data() + 8 + builder.header().size();
  EXPECT_EQ(attnrt_model_param(model, 0), data + builder.layout()[0].begin);
  EXPECT_EQ(attnrt_model_param(model, 3), data + builder.layout()[3].begin);
  attnrt_model_destroy(model);
}

TEST(RuntimeModel, MisalignedMemoryIsCopied) {
  for (size_t misalignment : {1, 3, 4, 8, 32}) {
    SCOPED_TRACE(misalignment);
    Bytes image = sampleWeights().build();
    AlignedBuffer buffer(image, misalignment);
    attnrt_model *model = nullptr;
    ASSERT_EQ(
        attnrt_model_open_memory(buffer.data(), buffer.length(), 4, &model),
        ATTNRT_OK)
        << attnrt_last_error();
    bindAndCheckSample(model);
    auto *wq = static_cast<const uint8_t *>(attnrt_model_param(model, 0));
    bool inside = wq >= buffer.data() && wq < buffer.data() + buffer.length();
    EXPECT_FALSE(inside) << "a misaligned tensor was not copied";
    attnrt_model_destroy(model);
  }
}

TEST(RuntimeModel, ScalarZeroSizeAndEscapedNames) {
  SafetensorsBuilder builder;
  builder.addF32("s", {}, {2.5f})
      .addF32("empty", {0, 4}, {})
      .addI32("caf\xc3\xa9.weight", {1}, {5})
      .addF32("layers.0/attn \"q\"", {2}, {1.0f, 2.0f});
  Bytes image = builder.build();
  ExactBuffer buffer(image);
  attnrt_model *model = nullptr;
  ASSERT_EQ(attnrt_model_open_memory(buffer.data(), buffer.length(), 4, &model),
            ATTNRT_OK)
      << attnrt_last_error();
  const int64_t emptyShape[] = {0, 4}, one[] = {1}, two[] = {2};
  EXPECT_EQ(attnrt_model_bind(model, 0, "s", ATTNRT_DTYPE_F32, 0, nullptr),
            ATTNRT_OK);
  EXPECT_EQ(
      attnrt_model_bind(model, 1, "empty", ATTNRT_DTYPE_F32, 2, emptyShape),
      ATTNRT_OK);
  EXPECT_EQ(attnrt_model_bind(model, 2, "caf\xc3\xa9.weight", ATTNRT_DTYPE_I32,
                              1, one),
            ATTNRT_OK);
  EXPECT_EQ(attnrt_model_bind(model, 3, "layers.0/attn \"q\"", ATTNRT_DTYPE_F32,
                              1, two),
            ATTNRT_OK);
  EXPECT_EQ(*static_cast<const float *>(attnrt_model_param(model, 0)), 2.5f);
  EXPECT_NE(attnrt_model_param(model, 1), nullptr);
  EXPECT_TRUE(isAligned(attnrt_model_param(model, 1)));
  EXPECT_EQ(*static_cast<const int32_t *>(attnrt_model_param(model, 2)), 5);
  EXPECT_EQ(static_cast<const float *>(attnrt_model_param(model, 3))[1], 2.0f);
  attnrt_model_destroy(model);
}

TEST(RuntimeModel, UnicodeEscapesInHeader) {
  // "\u00e9" and a surrogate pair for U+1F600 decode to UTF-8 names.
  std::string header =
      R"({"__metadata__": {"k\u00e9y": "v\ud83d\ude00\n\t\/"},)"
      R"( "caf\u00e9": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},)"
      R"( "smile\ud83d\ude00": {"dtype": "F32", "shape": [-0],)"
      R"( "data_offsets": [4, 4]}})";
  Bytes image = rawImage(header, toBytes(std::vector<float>{9.0f}));
  ExactBuffer buffer(image);
  attnrt_model *model = nullptr;
  ASSERT_EQ(attnrt_model_open_memory(buffer.data(), buffer.length(), 2, &model),
            ATTNRT_OK)
      << attnrt_last_error();
  const int64_t one[] = {1}, zero[] = {0};
  EXPECT_EQ(
      attnrt_model_bind(model, 0, "caf\xc3\xa9", ATTNRT_DTYPE_F32, 1, one),
      ATTNRT_OK)
      << attnrt_last_error();
  EXPECT_EQ(attnrt_model_bind(model, 1, "smile\xf0\x9f\x98\x80",
                              ATTNRT_DTYPE_F32, 1, zero),
            ATTNRT_OK)
      << attnrt_last_error();
  EXPECT_EQ(*static_cast<const float *>(attnrt_model_param(model, 0)), 9.0f);
  attnrt_model_destroy(model);
}

TEST(RuntimeModel, EmptyHeaderWithGapsAndPadding) {
  // No tensors; data bytes nobody owns are allowed, as is trailing padding.
  EXPECT_EQ(openImage(rawImage("{}")), ATTNRT_OK) << attnrt_last_error();
  EXPECT_EQ(openImage(rawImage(" \t\r\n{ } \n  ", Bytes(100, 7))), ATTNRT_OK)
      << attnrt_last_error();
  EXPECT_EQ(openImage(rawImage(R"({"__metadata__": {}})")), ATTNRT_OK)
      << attnrt_last_error();
  std::string header =
      R"({"a": {"shape": [1], "data_offsets": [8, 12], "dtype": "I32"},)"
      R"( "b": {"data_offsets": [0, 4], "dtype": "F32", "shape": []}})";
  EXPECT_EQ(openImage(rawImage(header, Bytes(20, 0))), ATTNRT_OK)
      << attnrt_last_error();
}

TEST(RuntimeModel, AllDtypesAccepted) {
  const std::pair<const char *, size_t> dtypes[] = {
      {"F64", 8},     {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"F8_E4M3", 1},
      {"F8_E5M2", 1}, {"I64", 8}, {"I32", 4}, {"I16", 2},  {"I8", 1},
      {"U64", 8},     {"U32", 4}, {"U16", 2}, {"U8", 1},   {"BOOL", 1}};
  SafetensorsBuilder builder;
  for (const auto &[name, size] : dtypes)
    builder.add(std::string("t_") + name, name, {3}, Bytes(3 * size, 1));
  EXPECT_EQ(openImage(builder.build()), ATTNRT_OK) << attnrt_last_error();
}

TEST(RuntimeModel, ParamLookupEdges) {
  Bytes image = sampleWeights().build();
  ExactBuffer buffer(image);
  attnrt_model *model = nullptr;
  ASSERT_EQ(attnrt_model_open_memory(buffer.data(), buffer.length(), 4, &model),
            ATTNRT_OK);
  EXPECT_EQ(attnrt_model_param(model, 0), nullptr) << "not bound yet";
  EXPECT_EQ(attnrt_model_param(model, -1), nullptr);
  EXPECT_EQ(attnrt_model_param(model, 4), nullptr);
  EXPECT_EQ(attnrt_model_param(nullptr, 0), nullptr);
  attnrt_model_destroy(model);
  attnrt_model_destroy(nullptr);
}

TEST(RuntimeModel, ManyThreadsReadOneModel) {
  Bytes image = sampleWeights().align(1).build();
  ExactBuffer buffer(image);
  attnrt_model *model = nullptr;
  ASSERT_EQ(attnrt_model_open_memory(buffer.data(), buffer.length(), 4, &model),
            ATTNRT_OK);
  bindAndCheckSample(model);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      std::vector<float> expected = iota(32, 1.0f);
      for (int round = 0; round < 1000; ++round) {
        auto *wq = static_cast<const float *>(attnrt_model_param(model, 0));
        for (int i = 0; i < 32; ++i)
          mismatches[t] += wq[i] != expected[i];
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  for (int count : mismatches)
    EXPECT_EQ(count, 0);
  attnrt_model_destroy(model);
}

} // namespace
