//===- SgemmTest.cpp - attnrt_sgemm against a plain triple loop -----------===//

#include "TestUtil.h"

#include <cmath>
#include <random>

namespace {

struct Case {
  int64_t m, n, k;
  bool transA, transB;
  float alpha, beta;
};

/// Row-major storage of op(X) = rows x cols, stored transposed if `trans`,
/// with `pad` extra elements per stored row.
struct Matrix {
  Matrix(int64_t rows, int64_t cols, bool trans, int64_t pad,
         std::mt19937 &random)
      : rows(rows), cols(cols), trans(trans), ld((trans ? rows : cols) + pad) {
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    int64_t storedRows = trans ? cols : rows;
    values.resize(static_cast<size_t>(storedRows * ld));
    for (float &value : values)
      value = dist(random);
  }
  /// Element (i, j) of op(X).
  float at(int64_t i, int64_t j) const {
    return trans ? values[j * ld + i] : values[i * ld + j];
  }
  int64_t rows, cols;
  bool trans;
  int64_t ld;
  std::vector<float> values;
};

void runCase(const Case &c) {
  SCOPED_TRACE(::testing::Message()
               << "m=" << c.m << " n=" << c.n << " k=" << c.k
               << " transA=" << c.transA << " transB=" << c.transB);
  std::mt19937 random(static_cast<unsigned>(c.m * 131 + c.n * 17 + c.k));
  Matrix a(c.m, c.k, c.transA, 3, random);
  Matrix b(c.k, c.n, c.transB, 5, random);
  Matrix out(c.m, c.n, false, 2, random);
  std::vector<float> original = out.values;

  attnrt_sgemm(c.transA, c.transB, c.m, c.n, c.k, c.alpha, a.values.data(),
               a.ld, b.values.data(), b.ld, c.beta, out.values.data(), out.ld);

  for (int64_t i = 0; i < c.m; ++i) {
    for (int64_t j = 0; j < out.ld; ++j) {
      float actual = out.values[i * out.ld + j];
      if (j >= c.n) {
        EXPECT_EQ(actual, original[i * out.ld + j]) << "padding changed";
        continue;
      }
      double sum = 0.0, magnitude = 0.0;
      for (int64_t p = 0; p < c.k; ++p) {
        sum += static_cast<double>(a.at(i, p)) * b.at(p, j);
        magnitude += std::fabs(static_cast<double>(a.at(i, p)) * b.at(p, j));
      }
      double expected = c.alpha * sum + c.beta * original[i * out.ld + j];
      // Relative to the size of the terms, so cancellation does not make
      // the bound meaninglessly tight.
      double scale = std::fabs(c.alpha) * magnitude +
                     std::fabs(c.beta * original[i * out.ld + j]);
      EXPECT_LE(std::fabs(actual - expected), 1e-4 * std::max(scale, 1e-3))
          << "at (" << i << ", " << j << "): " << actual << " vs " << expected;
    }
  }
}

TEST(RuntimeSgemm, AllTransposesMatchTripleLoop) {
  for (bool transA : {false, true})
    for (bool transB : {false, true}) {
      runCase({7, 5, 9, transA, transB, 1.0f, 0.0f});
      runCase({1, 13, 4, transA, transB, 0.5f, 1.0f});
      runCase({67, 45, 33, transA, transB, 1.25f, -0.5f});
      runCase({130, 96, 257, transA, transB, 1.0f, 0.0f});
    }
}

TEST(RuntimeSgemm, BetaZeroIgnoresNaNInC) {
  std::vector<float> a = {1, 2, 3, 4}, b = {1, 0, 0, 1};
  std::vector<float> c(4, std::nanf(""));
  attnrt_sgemm(0, 0, 2, 2, 2, 1.0f, a.data(), 2, b.data(), 2, 0.0f, c.data(),
               2);
  EXPECT_EQ(c, a);
}

TEST(RuntimeSgemm, EmptyInnerDimensionScalesC) {
  std::vector<float> c = {1, 2, 3, 4};
  attnrt_sgemm(0, 0, 2, 2, 0, 1.0f, nullptr, 1, nullptr, 2, 3.0f, c.data(), 2);
  EXPECT_EQ(c, (std::vector<float>{3, 6, 9, 12}));
  attnrt_sgemm(1, 1, 0, 0, 5, 1.0f, nullptr, 1, nullptr, 5, 0.0f, nullptr, 1);
}

TEST(RuntimeSgemm, InvalidArgumentsLeaveCUntouched) {
  std::vector<float> a(16, 1.0f), b(16, 1.0f), c(16, 7.0f);
  attnrt_set_error(ATTNRT_OK, "");
  attnrt_sgemm(0, 0, 4, 4, 4, 1.0f, a.data(), 3, b.data(), 4, 0.0f, c.data(),
               4);
  EXPECT_NE(std::string(attnrt_last_error()).find("lda=3"), std::string::npos)
      << attnrt_last_error();
  attnrt_sgemm(0, 0, -1, 4, 4, 1.0f, a.data(), 4, b.data(), 4, 0.0f, c.data(),
               4);
  EXPECT_NE(std::string(attnrt_last_error()).find("negative size"),
            std::string::npos);
  attnrt_sgemm(0, 0, 4, 4, 4, 1.0f, nullptr, 4, b.data(), 4, 0.0f, c.data(), 4);
  EXPECT_NE(std::string(attnrt_last_error()).find("NULL"), std::string::npos);
  // Transposed A is stored k x m: lda must cover m.
  attnrt_sgemm(1, 0, 4, 4, 2, 1.0f, a.data(), 2, b.data(), 4, 0.0f, c.data(),
               4);
  EXPECT_NE(std::string(attnrt_last_error()).find("lda=2"), std::string::npos);
  EXPECT_EQ(c, std::vector<float>(16, 7.0f));
}

} // namespace
