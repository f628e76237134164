//===- ErrorTest.cpp - One malformation per status code -------------------===//

#include "TestUtil.h"

#include <cerrno>
#include <cstdio>
#include <sys/stat.h>

using namespace attnrt_test;

namespace {

/// The entry of a 2x2 F32 tensor with the given pieces of JSON.
std::string entry(const std::string &dtype, const std::string &shape,
                  const std::string &offsets) {
  return "{\"dtype\": " + dtype + ", \"shape\": " + shape +
         ", \"data_offsets\": " + offsets + "}";
}

/// A header with the single tensor "w".
std::string oneTensor(const std::string &dtype, const std::string &shape,
                      const std::string &offsets) {
  return "{\"w\": " + entry(dtype, shape, offsets) + "}";
}

const Bytes kSixteenBytes(16, 0);

//===----------------------------------------------------------------------===//
// Header size
//===----------------------------------------------------------------------===//

TEST(RuntimeErrors, HeaderTooShort) {
  EXPECT_TRUE(failsWith(openImage(Bytes{2, 0, 0, 0, 0}),
                        ATTNRT_ERROR_HEADER_SIZE,
                        "<memory>: file has 5 bytes"));
  EXPECT_TRUE(
      failsWith(openImage(Bytes{}), ATTNRT_ERROR_HEADER_SIZE, "too short"));
}

TEST(RuntimeErrors, HeaderLengthBeyondFile) {
  EXPECT_TRUE(failsWith(openImage(rawImage("{}", {}, 1000)),
                        ATTNRT_ERROR_HEADER_SIZE,
                        "header length 1000 exceeds the 2 bytes"));
  EXPECT_TRUE(failsWith(openImage(rawImage("{}", {}, 3)),
                        ATTNRT_ERROR_HEADER_SIZE, "exceeds"));
}

TEST(RuntimeErrors, HeaderLengthAbsurd) {
  EXPECT_TRUE(failsWith(openImage(rawImage("{}", {}, UINT64_MAX)),
                        ATTNRT_ERROR_HEADER_SIZE, "exceeds the limit"));
  EXPECT_TRUE(failsWith(openImage(rawImage("{}", {}, 100000001)),
                        ATTNRT_ERROR_HEADER_SIZE, "exceeds the limit"));
}

//===----------------------------------------------------------------------===//
// Header JSON
//===----------------------------------------------------------------------===//

TEST(RuntimeErrors, BadJson) {
  EXPECT_TRUE(failsWith(
      openImage(
          rawImage("{\"w\": " + entry("\"F32\"", "[2, 2]", "[0, 16]") + ",}",
                   kSixteenBytes)),
      ATTNRT_ERROR_HEADER_JSON, "<memory>: invalid JSON in header at byte"));
}

/// Each of these is not JSON text at all.
TEST(RuntimeErrors, BadJsonVariants) {
  std::string deep(200, '[');
  const std::string texts[] = {
      "",
      "   ",
      "{",
      "}",
      "{\"a\" 1}",
      "{\"a\": }",
      "{'a': \"b\"}",
      "{a: \"b\"}",
      "{\"a\": \"b\",}",
      "{\"a\": [1, 2,]}",
      "{\"a\": [1 2]}",
      "{\"a\": \"unterminated}",
      "{\"a\": \"bad \\x escape\"}",
      "{\"a\": \"\\u12\"}",
      "{\"a\": \"\\ud800\"}",
      "{\"a\": \"\\udc00\"}",
      "{\"a\": \"\\ud800\\u0041\"}",
      "{\"a\": \"tab\tinside\"}",
      "{\"a\": \"\xff\"}",
      "{\"a\": \"\xc0\xaf\"}",
      "{\"a\": \"\xed\xa0\x80\"}",
      "{\"a\": \"\xe2\x82\"}",
      "{\"a\": 01}",
      "{\"a\": 1.}",
      "{\"a\": .5}",
      "{\"a\": 1e}",
      "{\"a\": -}",
      "{\"a\": +1}",
      "{\"a\": NaN}",
      "{\"a\": tru}",
      "{\"a\": nulls}",
      "{} {}",
      "{} x",
      "// comment\n{}",
      "\xef\xbb\xbf{}",
      std::string("{\"a\": \"nul") + '\0' + "byte\"}",
      std::string("{}\0", 3),
      "{\"a\": " + deep + "}",
      // Cut inside a token, right at the end of the buffer.
      "{\"a\": tr",
      "{\"a\": fals",
      "{\"a\": nul",
      "{\"a\": -",
      "{\"a\": 12",
      "{\"a\": 1.",
      "{\"a\": 1e+",
      "{\"a\": \"\\",
      "{\"a\": \"\\u00",
      "{\"a\": \"\\ud83d",
      "{\"a\": \"\\ud83d\\",
      "{\"a\": \"\\ud83d\\u",
      "{\"a\": \"\xc3",
      "{\"a\": \"\xf0\x9f\x98",
      "{\"a\"",
      "{\"a\":",
      "{\"a\": [",
      "{\"a\": [1,",
  };
  for (const std::string &text : texts) {
    SCOPED_TRACE(text);
    EXPECT_TRUE(failsWith(openImage(rawImage(text)), ATTNRT_ERROR_HEADER_JSON,
                          "invalid JSON in header"));
  }
}

/// Every proper prefix of a text using all of JSON's syntax is invalid; the
/// header ends at the end of its allocation, so ASan sees any overread.
TEST(RuntimeErrors, BadJsonEveryPrefix) {
  const std::string text =
      R"({"a": [true, false, null, -0, 12, -1.5e+3, 2E-2, 0.25, "x\u00e9\")"
      "\xc3\xa9\xf0\x9f\x98\x80"
      R"(\ud83d\ude00\n"], "b": {"c": {}, "d": []}})";
  // The whole text is JSON, just not a safetensors header.
  EXPECT_TRUE(failsWith(openImage(rawImage(text)), ATTNRT_ERROR_HEADER_JSON,
                        "tensor 'a' is not an object"));
  for (size_t length = 0; length < text.size(); ++length) {
    SCOPED_TRACE(length);
    EXPECT_TRUE(failsWith(openImage(rawImage(text.substr(0, length))),
                          ATTNRT_ERROR_HEADER_JSON, "invalid JSON in header"));
  }
}

TEST(RuntimeErrors, HeaderNotAnObject) {
  for (const char *text : {"[]", "\"w\"", "42", "null", "true"}) {
    SCOPED_TRACE(text);
    EXPECT_TRUE(failsWith(openImage(rawImage(text)), ATTNRT_ERROR_HEADER_JSON,
                          "header is not a JSON object"));
  }
}

TEST(RuntimeErrors, EntryNotAnObject) {
  EXPECT_TRUE(failsWith(openImage(rawImage("{\"w\": [0, 16]}", kSixteenBytes)),
                        ATTNRT_ERROR_HEADER_JSON,
                        "<memory>: tensor 'w' is not an object"));
}

TEST(RuntimeErrors, MissingDtype) {
  std::string header =
      "{\"w\": {\"shape\": [2, 2], \"data_offsets\": [0, 16]}}";
  EXPECT_TRUE(failsWith(openImage(rawImage(header, kSixteenBytes)),
                        ATTNRT_ERROR_HEADER_JSON, "tensor 'w' has no 'dtype'"));
}

TEST(RuntimeErrors, MissingOrIllTypedFields) {
  const std::pair<std::string, std::string> cases[] = {
      {"{\"w\": {\"dtype\": \"F32\", \"data_offsets\": [0, 16]}}",
       "has no 'shape'"},
      {"{\"w\": {\"dtype\": \"F32\", \"shape\": [2, 2]}}",
       "has no 'data_offsets'"},
      {oneTensor("32", "[2, 2]", "[0, 16]"), "'dtype' that is not a string"},
      {oneTensor("\"F32\"", "4", "[0, 16]"), "'shape' that is not an array"},
      {oneTensor("\"F32\"", "[2, 2]", "{}"), "not an array"},
      {oneTensor("\"F32\"", "[2, 2]", "[0]"), "not two integers"},
      {oneTensor("\"F32\"", "[2, 2]", "[0, 16, 16]"), "not two integers"},
      {oneTensor("\"F32\"", "[2, 2]", "[0, \"16\"]"), "not two integers"},
      {"{\"w\": {\"dtype\": \"F32\", \"shape\": [2, 2], \"data_offsets\": "
       "[0, 16], \"extra\": 1}}",
       "unknown field 'extra'"},
      {"{\"w\": {\"dtype\": \"F32\", \"dtype\": \"F32\", \"shape\": [2, 2], "
       "\"data_offsets\": [0, 16]}}",
       "duplicate field 'dtype'"},
  };
  for (const auto &[header, message] : cases) {
    SCOPED_TRACE(header);
    EXPECT_TRUE(failsWith(openImage(rawImage(header, kSixteenBytes)),
                          ATTNRT_ERROR_HEADER_JSON, message));
  }
}

TEST(RuntimeErrors, DuplicateKey) {
  std::string w = entry("\"F32\"", "[2, 2]", "[0, 16]");
  EXPECT_TRUE(
      failsWith(openImage(rawImage("{\"w\": " + w + ", \"w\": " + w + "}",
                                   kSixteenBytes)),
                ATTNRT_ERROR_HEADER_JSON, "tensor 'w' is a duplicate key"));
  // The same key spelled with an escape is the same key.
  EXPECT_TRUE(
      failsWith(openImage(rawImage("{\"w\": " + w + ", \"\\u0077\": " + w + "}",
                                   kSixteenBytes)),
                ATTNRT_ERROR_HEADER_JSON, "duplicate key"));
  EXPECT_TRUE(failsWith(
      openImage(rawImage(R"({"__metadata__": {}, "__metadata__": {}})")),
      ATTNRT_ERROR_HEADER_JSON, "duplicate key '__metadata__'"));
  EXPECT_TRUE(failsWith(
      openImage(rawImage(R"({"__metadata__": {"k": "1", "j": "", "k": "2"}})")),
      ATTNRT_ERROR_HEADER_JSON, "duplicate key 'k' in __metadata__"));
}

TEST(RuntimeErrors, MetadataNotStringMap) {
  const std::pair<const char *, const char *> cases[] = {
      {R"({"__metadata__": {"a": 1}})", "value of 'a' is not a string"},
      {R"({"__metadata__": {"a": null}})", "value of 'a' is not a string"},
      {R"({"__metadata__": {"a": {"b": "c"}}})",
       "value of 'a' is not a string"},
      {R"({"__metadata__": ["a", "b"]})", "__metadata__ is not an object"},
      {R"({"__metadata__": "a"})", "__metadata__ is not an object"},
  };
  for (const auto &[header, message] : cases) {
    SCOPED_TRACE(header);
    EXPECT_TRUE(failsWith(openImage(rawImage(header)), ATTNRT_ERROR_HEADER_JSON,
                          message));
  }
}

//===----------------------------------------------------------------------===//
// Dtype, shape, offsets, overlap
//===----------------------------------------------------------------------===//

TEST(RuntimeErrors, UnknownDtype) {
  EXPECT_TRUE(failsWith(
      openImage(
          rawImage(oneTensor("\"F99\"", "[2, 2]", "[0, 16]"), kSixteenBytes)),
      ATTNRT_ERROR_DTYPE, "<memory>: tensor 'w' has an unknown dtype 'F99'"));
  EXPECT_TRUE(
      failsWith(openImage(rawImage(oneTensor("\"f32\"", "[2, 2]", "[0, 16]"),
                                   kSixteenBytes)),
                ATTNRT_ERROR_DTYPE, "unknown dtype 'f32'"));
}

TEST(RuntimeErrors, NegativeDim) {
  EXPECT_TRUE(failsWith(
      openImage(
          rawImage(oneTensor("\"F32\"", "[-2, 2]", "[0, 16]"), kSixteenBytes)),
      ATTNRT_ERROR_SHAPE, "tensor 'w' has a negative dimension -2 at index 0"));
}

TEST(RuntimeErrors, NonIntegerDim) {
  for (const char *shape :
       {"[2.0, 2]", "[2, 2e0]", "[\"2\", 2]", "[2, null]", "[[2], 2]"}) {
    SCOPED_TRACE(shape);
    EXPECT_TRUE(
        failsWith(openImage(rawImage(oneTensor("\"F32\"", shape, "[0, 16]"),
                                     kSixteenBytes)),
                  ATTNRT_ERROR_SHAPE, "non-integer dimension"));
  }
  EXPECT_TRUE(
      failsWith(openImage(rawImage(
                    oneTensor("\"F32\"", "[99999999999999999999]", "[0, 16]"),
                    kSixteenBytes)),
                ATTNRT_ERROR_SHAPE, "too large for int64"));
}

TEST(RuntimeErrors, ShapeSizeMismatch) {
  EXPECT_TRUE(failsWith(
      openImage(
          rawImage(oneTensor("\"F32\"", "[2, 2]", "[0, 12]"), kSixteenBytes)),
      ATTNRT_ERROR_SHAPE,
      "tensor 'w' has shape [2, 2] of F32 needing 16 bytes, but data_offsets "
      "span 12 bytes"));
  // A scalar needs exactly one element.
  EXPECT_TRUE(
      failsWith(openImage(rawImage(oneTensor("\"F32\"", "[]", "[0, 0]"), {})),
                ATTNRT_ERROR_SHAPE, "needing 4 bytes"));
}

TEST(RuntimeErrors, ShapeOverflow) {
  EXPECT_TRUE(failsWith(
      openImage(rawImage(
          oneTensor("\"F32\"", "[4611686018427387904, 4, 1]", "[0, 16]"),
          kSixteenBytes)),
      ATTNRT_ERROR_SHAPE, "byte size overflows"));
  EXPECT_TRUE(
      failsWith(openImage(rawImage(
                    oneTensor("\"U8\"", "[4294967296, 4294967296]", "[0, 16]"),
                    kSixteenBytes)),
                ATTNRT_ERROR_SHAPE, "byte size overflows"));
}

TEST(RuntimeErrors, BeginAfterEnd) {
  EXPECT_TRUE(
      failsWith(openImage(rawImage(oneTensor("\"F32\"", "[2, 2]", "[16, 0]"),
                                   kSixteenBytes)),
                ATTNRT_ERROR_OFFSETS,
                "tensor 'w' has data_offsets [16, 0] with begin > "
                "end"));
}

TEST(RuntimeErrors, EndOutOfBounds) {
  EXPECT_TRUE(
      failsWith(openImage(rawImage(oneTensor("\"F32\"", "[2, 2]", "[16, 32]"),
                                   kSixteenBytes)),
                ATTNRT_ERROR_OFFSETS,
                "data_offsets [16, 32] beyond the data section of 16 bytes"));
  EXPECT_TRUE(failsWith(
      openImage(
          rawImage(oneTensor("\"F32\"", "[2, 2]", "[18446744073709551600, 16]"),
                   kSixteenBytes)),
      ATTNRT_ERROR_OFFSETS, "not non-negative 64-bit integers"));
  EXPECT_TRUE(
      failsWith(openImage(rawImage(oneTensor("\"F32\"", "[2, 2]", "[-16, 0]"),
                                   kSixteenBytes)),
                ATTNRT_ERROR_OFFSETS, "not non-negative"));
}

TEST(RuntimeErrors, Overlap) {
  std::string header = "{\"w\": " + entry("\"F32\"", "[2, 2]", "[0, 16]") +
                       ", \"v\": " + entry("\"F32\"", "[2]", "[12, 20]") + "}";
  EXPECT_TRUE(failsWith(openImage(rawImage(header, Bytes(32, 0))),
                        ATTNRT_ERROR_OVERLAP,
                        "<memory>: tensors 'w' [0, 16) and 'v' [12, 20) "
                        "overlap"));
  // One tensor inside another, listed first; an empty tensor in between
  // overlaps nothing.
  header = "{\"inner\": " + entry("\"U8\"", "[2]", "[20, 22]") +
           ", \"empty\": " + entry("\"U8\"", "[0]", "[5, 5]") +
           ", \"outer\": " + entry("\"U8\"", "[32]", "[0, 32]") + "}";
  EXPECT_TRUE(failsWith(openImage(rawImage(header, Bytes(32, 0))),
                        ATTNRT_ERROR_OVERLAP,
                        "'outer' [0, 32) and 'inner' [20, 22) overlap"));
  // Identical ranges overlap too.
  header = "{\"a\": " + entry("\"F32\"", "[2, 2]", "[0, 16]") +
           ", \"b\": " + entry("\"I32\"", "[4]", "[0, 16]") + "}";
  EXPECT_TRUE(failsWith(openImage(rawImage(header, kSixteenBytes)),
                        ATTNRT_ERROR_OVERLAP, "overlap"));
}

//===----------------------------------------------------------------------===//
// Binding
//===----------------------------------------------------------------------===//

/// A model over a file named weights.safetensors holding wq [64, 32] F32
/// and ids [3] I32.
class RuntimeBind : public ::testing::Test {
protected:
  void SetUp() override {
    dir = tempPath("bind");
    ASSERT_TRUE(mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST);
    path = dir + "/weights.safetensors";
    SafetensorsBuilder builder;
    builder.addF32("wq", {64, 32}, std::vector<float>(64 * 32, 1.0f))
        .addI32("ids", {3}, {1, 2, 3});
    ASSERT_TRUE(writeFile(path, builder.build()));
    ASSERT_EQ(attnrt_model_open(path.c_str(), 2, &model), ATTNRT_OK)
        << attnrt_last_error();
  }
  void TearDown() override {
    attnrt_model_destroy(model);
    std::remove(path.c_str());
    rmdir(dir.c_str());
  }

  std::string dir, path;
  attnrt_model *model = nullptr;
};

TEST_F(RuntimeBind, MissingParam) {
  const int64_t shape[] = {3};
  EXPECT_TRUE(
      failsWith(attnrt_model_bind(model, 0, "wk", ATTNRT_DTYPE_F32, 1, shape),
                ATTNRT_ERROR_MISSING_TENSOR,
                "weights.safetensors: tensor 'wk' is not in the file"));
  EXPECT_EQ(attnrt_model_param(model, 0), nullptr);
}

TEST_F(RuntimeBind, WrongDtype) {
  const int64_t shape[] = {3};
  EXPECT_TRUE(failsWith(
      attnrt_model_bind(model, 1, "ids", ATTNRT_DTYPE_F32, 1, shape),
      ATTNRT_ERROR_TENSOR_DTYPE,
      "weights.safetensors: tensor 'ids' has dtype I32, the model declares "
      "F32"));
}

TEST_F(RuntimeBind, WrongShape) {
  const int64_t shape[] = {64, 64};
  EXPECT_TRUE(failsWith(
      attnrt_model_bind(model, 0, "wq", ATTNRT_DTYPE_F32, 2, shape),
      ATTNRT_ERROR_TENSOR_SHAPE,
      "weights.safetensors: tensor 'wq' has shape [64, 32], the model "
      "declares [64, 64]"));
  const int64_t flat[] = {2048};
  EXPECT_TRUE(
      failsWith(attnrt_model_bind(model, 0, "wq", ATTNRT_DTYPE_F32, 1, flat),
                ATTNRT_ERROR_TENSOR_SHAPE,
                "has shape [64, 32], the model declares "
                "[2048]"));
  EXPECT_TRUE(
      failsWith(attnrt_model_bind(model, 0, "wq", ATTNRT_DTYPE_F32, 0, nullptr),
                ATTNRT_ERROR_TENSOR_SHAPE, "the model declares []"));
}

TEST_F(RuntimeBind, NullArguments) {
  const int64_t shape[] = {64, 32};
  EXPECT_TRUE(
      failsWith(attnrt_model_bind(nullptr, 0, "wq", ATTNRT_DTYPE_F32, 2, shape),
                ATTNRT_ERROR_INVALID_ARGUMENT, "the model is NULL"));
  EXPECT_TRUE(failsWith(
      attnrt_model_bind(model, 0, nullptr, ATTNRT_DTYPE_F32, 2, shape),
      ATTNRT_ERROR_INVALID_ARGUMENT, "the name is NULL"));
  EXPECT_TRUE(
      failsWith(attnrt_model_bind(model, 0, "wq", ATTNRT_DTYPE_F32, 2, nullptr),
                ATTNRT_ERROR_INVALID_ARGUMENT, "NULL shape"));
  EXPECT_TRUE(
      failsWith(attnrt_model_bind(model, 0, "wq", ATTNRT_DTYPE_F32, -1, shape),
                ATTNRT_ERROR_INVALID_ARGUMENT, "invalid rank -1"));
  const int64_t negative[] = {64, -32};
  EXPECT_TRUE(failsWith(
      attnrt_model_bind(model, 0, "wq", ATTNRT_DTYPE_F32, 2, negative),
      ATTNRT_ERROR_INVALID_ARGUMENT, "negative dimension -32"));
  EXPECT_TRUE(failsWith(attnrt_model_bind(model, 0, "wq", 7, 2, shape),
                        ATTNRT_ERROR_INVALID_ARGUMENT, "invalid dtype 7"));
  // None of the failures bound anything.
  EXPECT_EQ(attnrt_model_param(model, 0), nullptr);
  EXPECT_EQ(attnrt_model_bind(model, 0, "wq", ATTNRT_DTYPE_F32, 2, shape),
            ATTNRT_OK);
}

TEST_F(RuntimeBind, IndexOutOfRange) {
  const int64_t shape[] = {3};
  EXPECT_TRUE(
      failsWith(attnrt_model_bind(model, 2, "ids", ATTNRT_DTYPE_I32, 1, shape),
                ATTNRT_ERROR_INVALID_ARGUMENT,
                "parameter index 2 is out of range [0, 2)"));
  EXPECT_TRUE(
      failsWith(attnrt_model_bind(model, -1, "ids", ATTNRT_DTYPE_I32, 1, shape),
                ATTNRT_ERROR_INVALID_ARGUMENT, "out of range"));
}

TEST_F(RuntimeBind, BindTwice) {
  const int64_t shape[] = {3};
  ASSERT_EQ(attnrt_model_bind(model, 1, "ids", ATTNRT_DTYPE_I32, 1, shape),
            ATTNRT_OK);
  const void *first = attnrt_model_param(model, 1);
  EXPECT_TRUE(
      failsWith(attnrt_model_bind(model, 1, "ids", ATTNRT_DTYPE_I32, 1, shape),
                ATTNRT_ERROR_INVALID_ARGUMENT, "parameter 1 is already bound"));
  EXPECT_EQ(attnrt_model_param(model, 1), first);
}

//===----------------------------------------------------------------------===//
// Open arguments, I/O, memory
//===----------------------------------------------------------------------===//

TEST(RuntimeErrors, OpenNullArguments) {
  attnrt_model *model = reinterpret_cast<attnrt_model *>(0x1);
  EXPECT_TRUE(failsWith(attnrt_model_open(nullptr, 0, &model),
                        ATTNRT_ERROR_INVALID_ARGUMENT, "the path is NULL"));
  EXPECT_EQ(model, nullptr);
  EXPECT_TRUE(failsWith(attnrt_model_open("x.safetensors", 0, nullptr),
                        ATTNRT_ERROR_INVALID_ARGUMENT,
                        "the output pointer is NULL"));
  EXPECT_TRUE(failsWith(attnrt_model_open_memory(nullptr, 16, 0, &model),
                        ATTNRT_ERROR_INVALID_ARGUMENT,
                        "the data pointer is NULL"));
  Bytes image = rawImage("{}");
  EXPECT_TRUE(failsWith(
      attnrt_model_open_memory(image.data(), image.size(), 0, nullptr),
      ATTNRT_ERROR_INVALID_ARGUMENT, "the output pointer is NULL"));
  EXPECT_TRUE(failsWith(
      attnrt_model_open_memory(image.data(), image.size(), -1, &model),
      ATTNRT_ERROR_INVALID_ARGUMENT, "invalid number of parameters -1"));
  EXPECT_EQ(model, nullptr);
}

TEST(RuntimeErrors, Io) {
  attnrt_model *model = nullptr;
  std::string missing = tempPath("does-not-exist.safetensors");
  EXPECT_TRUE(failsWith(attnrt_model_open(missing.c_str(), 0, &model),
                        ATTNRT_ERROR_IO, missing + ": cannot open"));
  EXPECT_TRUE(
      failsWith(attnrt_model_open(::testing::TempDir().c_str(), 0, &model),
                ATTNRT_ERROR_IO, "not a regular file"));
  EXPECT_EQ(model, nullptr);
}

TEST(RuntimeErrors, FileErrorsNameTheFile) {
  std::string path = tempPath("short.safetensors");
  ASSERT_TRUE(writeFile(path, Bytes{1, 2, 3}));
  attnrt_model *model = nullptr;
  EXPECT_TRUE(failsWith(attnrt_model_open(path.c_str(), 0, &model),
                        ATTNRT_ERROR_HEADER_SIZE, path + ": file has 3 bytes"));
  ASSERT_TRUE(writeFile(
      path, rawImage(oneTensor("\"X\"", "[1]", "[0, 1]"), Bytes(1, 0))));
  EXPECT_TRUE(failsWith(attnrt_model_open(path.c_str(), 0, &model),
                        ATTNRT_ERROR_DTYPE, path + ": tensor 'w'"));
  EXPECT_EQ(model, nullptr);
  std::remove(path.c_str());
}

TEST(RuntimeErrors, OutOfMemory) {
  // No machine has room for this many parameter slots.
  attnrt_model *model = nullptr;
  Bytes image = rawImage("{}");
  EXPECT_TRUE(failsWith(attnrt_model_open_memory(image.data(), image.size(),
                                                 INT64_MAX / 32, &model),
                        ATTNRT_ERROR_OUT_OF_MEMORY, "out of memory"));
  EXPECT_EQ(model, nullptr);
}

TEST(RuntimeErrors, OutOfRangeFromGeneratedCode) {
  // Only generated code reports this one, through attnrt_set_error.
  EXPECT_TRUE(failsWith(attnrt_set_error(ATTNRT_ERROR_OUT_OF_RANGE,
                                         "token id %d outside [0, %d)", 70, 64),
                        ATTNRT_ERROR_OUT_OF_RANGE,
                        "token id 70 outside [0, 64)"));
}

TEST(RuntimeErrors, NamesAreQuotedSafely) {
  std::string header =
      "{\"bad\\u0001name\\\\\": " + entry("\"Q8\"", "[1]", "[0, 1]") + "}";
  EXPECT_TRUE(failsWith(openImage(rawImage(header, Bytes(1, 0))),
                        ATTNRT_ERROR_DTYPE, "tensor 'bad\\x01name\\x5c'"));
  std::string longName(1000, 'n');
  header = "{\"" + longName + "\": " + entry("\"Q8\"", "[1]", "[0, 1]") + "}";
  EXPECT_TRUE(failsWith(openImage(rawImage(header, Bytes(1, 0))),
                        ATTNRT_ERROR_DTYPE, "nnn...' has an unknown dtype"));
}

} // namespace
