//===- CostPolynomial.h - Polynomials of run-time dims ----------*- C++ -*-===//
//
// The quantities attn-report-costs derives (flops, bytes) as polynomials of
// a model's run-time dims, and intervals of them for index values.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_PASSES_COSTPOLYNOMIAL_H
#define ATTNC_PASSES_COSTPOLYNOMIAL_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlir::attn {

/// A polynomial: coefficient per monomial, a monomial being the sorted list
/// of the symbols it multiplies (["S", "S"] is S^2, [] the constant).
class Poly {
public:
  Poly() = default;
  static Poly constant(double value) {
    Poly poly;
    if (value != 0)
      poly.terms[{}] = value;
    return poly;
  }
  static Poly symbol(StringRef name) {
    Poly poly;
    poly.terms[{name.str()}] = 1;
    return poly;
  }

  Poly operator+(const Poly &other) const {
    Poly sum = *this;
    for (const auto &[monomial, coefficient] : other.terms)
      sum.add(monomial, coefficient);
    return sum;
  }
  Poly operator-(const Poly &other) const { return *this + other * -1; }
  Poly operator*(double factor) const {
    Poly product;
    for (const auto &[monomial, coefficient] : terms)
      product.add(monomial, coefficient * factor);
    return product;
  }
  Poly operator*(const Poly &other) const {
    Poly product;
    for (const auto &[left, a] : terms)
      for (const auto &[right, b] : other.terms) {
        std::vector<std::string> monomial = left;
        monomial.insert(monomial.end(), right.begin(), right.end());
        llvm::sort(monomial);
        product.add(monomial, a * b);
      }
    return product;
  }

  std::optional<double> getConstant() const {
    if (terms.empty())
      return 0.0;
    if (terms.size() == 1 && terms.begin()->first.empty())
      return terms.begin()->second;
    return std::nullopt;
  }
  double evaluate(const llvm::StringMap<double> &at) const {
    double sum = 0;
    for (const auto &[monomial, coefficient] : terms) {
      double term = coefficient;
      for (const std::string &name : monomial)
        term *= at.lookup(name);
      sum += term;
    }
    return sum;
  }

  /// `64 KiB * S^2 + 512 B * S + 12 KiB`: highest degree first, each
  /// coefficient through `formatCoefficient`.
  std::string print(function_ref<std::string(double)> formatCoefficient) const {
    std::vector<std::pair<std::vector<std::string>, double>> sorted(
        terms.begin(), terms.end());
    llvm::sort(sorted, [](const auto &a, const auto &b) {
      if (a.first.size() != b.first.size())
        return a.first.size() > b.first.size();
      return a.first < b.first;
    });
    std::string text;
    llvm::raw_string_ostream os(text);
    llvm::ListSeparator plus(" + ");
    for (const auto &[monomial, coefficient] : sorted) {
      os << plus << formatCoefficient(coefficient);
      for (size_t i = 0; i < monomial.size();) {
        size_t power = 1;
        while (i + power < monomial.size() && monomial[i + power] == monomial[i])
          ++power;
        os << " * " << monomial[i];
        if (power > 1)
          os << "^" << power;
        i += power;
      }
    }
    if (text.empty())
      os << formatCoefficient(0);
    return text;
  }

private:
  void add(const std::vector<std::string> &monomial, double coefficient) {
    double &slot = terms[monomial];
    slot += coefficient;
    if (slot == 0)
      terms.erase(monomial);
  }
  std::map<std::vector<std::string>, double> terms;
};

/// The values an index may take: [lo, hi].
struct PolyRange {
  Poly lo, hi;
  static PolyRange exactly(const Poly &value) { return {value, value}; }
};
using MaybeRange = std::optional<PolyRange>;

} // namespace mlir::attn

#endif // ATTNC_PASSES_COSTPOLYNOMIAL_H
