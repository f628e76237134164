//===- SgemmTest.cpp - attnrt_sgemm/attnrt_sgemv against plain loops -----===//

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
      // One row or column of C goes through sgemv (strided vectors: the
      // matrices carry row padding).
      runCase({13, 1, 7, transA, transB, 1.0f, 1.0f});
      runCase({1, 1, 9, transA, transB, 2.0f, 0.0f});
      runCase({1, 300, 200, transA, transB, 1.0f, 0.0f});
      runCase({300, 1, 200, transA, transB, 1.0f, -1.0f});
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

TEST(RuntimeSgemm, BetaZeroIgnoresNaNInOneRowOrColumn) {
  std::vector<float> a = {1, 2, 3, 4}, x = {1, 1};
  std::vector<float> column(2, std::nanf("")), row(2, std::nanf(""));
  attnrt_sgemm(0, 0, 2, 1, 2, 1.0f, a.data(), 2, x.data(), 1, 0.0f,
               column.data(), 1);
  EXPECT_EQ(column, (std::vector<float>{3, 7}));
  attnrt_sgemm(0, 0, 1, 2, 2, 1.0f, x.data(), 2, a.data(), 2, 0.0f, row.data(),
               2);
  EXPECT_EQ(row, (std::vector<float>{4, 6}));
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

// attnrt_sgemv: y = alpha op(A) x + beta y, A stored m x n with `pad` extra
// elements per row, x and y with increments (the gaps must stay untouched).
struct GemvCase {
  int64_t m, n;
  bool trans;
  int64_t incx, incy;
  float alpha, beta;
};

void runGemvCase(const GemvCase &c) {
  SCOPED_TRACE(::testing::Message()
               << "m=" << c.m << " n=" << c.n << " trans=" << c.trans
               << " incx=" << c.incx << " incy=" << c.incy);
  std::mt19937 random(static_cast<unsigned>(c.m * 131 + c.n * 17 + c.incx));
  Matrix a(c.m, c.n, false, 3, random);
  int64_t lengthX = c.trans ? c.m : c.n, lengthY = c.trans ? c.n : c.m;
  Matrix x(1, std::max<int64_t>(lengthX * c.incx, 1), false, 0, random);
  Matrix y(1, std::max<int64_t>(lengthY * c.incy, 1), false, 0, random);
  std::vector<float> original = y.values;

  attnrt_sgemv(c.trans, c.m, c.n, c.alpha, a.values.data(), a.ld,
               x.values.data(), c.incx, c.beta, y.values.data(), c.incy);

  for (int64_t j = 0; j < static_cast<int64_t>(y.values.size()); ++j) {
    float actual = y.values[j];
    if (j % c.incy != 0 || j / c.incy >= lengthY) {
      EXPECT_EQ(actual, original[j]) << "gap changed at " << j;
      continue;
    }
    int64_t i = j / c.incy;
    double sum = 0.0, magnitude = 0.0;
    for (int64_t p = 0; p < lengthX; ++p) {
      double term = static_cast<double>(c.trans ? a.at(p, i) : a.at(i, p)) *
                    x.values[p * c.incx];
      sum += term;
      magnitude += std::fabs(term);
    }
    double expected = c.alpha * sum + c.beta * original[j];
    double scale =
        std::fabs(c.alpha) * magnitude + std::fabs(c.beta * original[j]);
    EXPECT_LE(std::fabs(actual - expected), 1e-4 * std::max(scale, 1e-3))
        << "at " << i << ": " << actual << " vs " << expected;
  }
}

TEST(RuntimeSgemv, BothDirectionsAndIncrementsMatchLoop) {
  for (bool trans : {false, true}) {
    runGemvCase({7, 5, trans, 1, 1, 1.0f, 0.0f});
    runGemvCase({1, 13, trans, 1, 1, 0.5f, 1.0f});
    runGemvCase({13, 1, trans, 2, 3, 1.0f, 1.0f});
    runGemvCase({67, 45, trans, 3, 2, 1.25f, -0.5f});
    runGemvCase({384, 144, trans, 1, 1, 1.0f, 1.0f});
    runGemvCase({130, 257, trans, 1, 4, 1.0f, 0.0f});
  }
}

TEST(RuntimeSgemv, BetaZeroIgnoresNaNInY) {
  std::vector<float> a = {1, 2, 3, 4}, x = {1, 1};
  for (int32_t trans : {0, 1}) {
    std::vector<float> y(2, std::nanf(""));
    attnrt_sgemv(trans, 2, 2, 1.0f, a.data(), 2, x.data(), 1, 0.0f, y.data(),
                 1);
    EXPECT_EQ(y,
              trans ? (std::vector<float>{4, 6}) : (std::vector<float>{3, 7}));
  }
}

TEST(RuntimeSgemv, EmptyXScalesY) {
  std::vector<float> y = {1, 2, 3};
  attnrt_sgemv(0, 3, 0, 1.0f, nullptr, 1, nullptr, 1, 2.0f, y.data(), 1);
  EXPECT_EQ(y, (std::vector<float>{2, 4, 6}));
  attnrt_sgemv(1, 0, 3, 1.0f, nullptr, 3, nullptr, 1, 0.0f, y.data(), 1);
  EXPECT_EQ(y, (std::vector<float>{0, 0, 0}));
  attnrt_sgemv(0, 0, 5, 1.0f, nullptr, 5, nullptr, 1, 0.0f, nullptr, 1);
}

TEST(RuntimeSgemv, InvalidArgumentsLeaveYUntouched) {
  std::vector<float> a(16, 1.0f), x(4, 1.0f), y(4, 7.0f);
  attnrt_set_error(ATTNRT_OK, "");
  attnrt_sgemv(0, 4, 4, 1.0f, a.data(), 3, x.data(), 1, 0.0f, y.data(), 1);
  EXPECT_NE(std::string(attnrt_last_error()).find("lda=3"), std::string::npos)
      << attnrt_last_error();
  attnrt_sgemv(0, 4, 4, 1.0f, a.data(), 4, x.data(), 0, 0.0f, y.data(), 1);
  EXPECT_NE(std::string(attnrt_last_error()).find("incx=0"), std::string::npos);
  attnrt_sgemv(1, 4, 4, 1.0f, a.data(), 4, x.data(), 1, 0.0f, y.data(), -1);
  EXPECT_NE(std::string(attnrt_last_error()).find("incy=-1"),
            std::string::npos);
  attnrt_sgemv(0, -1, 4, 1.0f, a.data(), 4, x.data(), 1, 0.0f, y.data(), 1);
  EXPECT_NE(std::string(attnrt_last_error()).find("negative size"),
            std::string::npos);
  attnrt_sgemv(0, 4, 4, 1.0f, a.data(), 4, nullptr, 1, 0.0f, y.data(), 1);
  EXPECT_NE(std::string(attnrt_last_error()).find("NULL"), std::string::npos);
  EXPECT_EQ(y, std::vector<float>(4, 7.0f));
}

} // namespace
