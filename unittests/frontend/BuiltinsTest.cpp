//===- BuiltinsTest.cpp - The table of builtins and mask terms ------------===//

#include "frontend/Builtins.h"

#include "llvm/Support/raw_ostream.h"

#include <algorithm>

#include "gtest/gtest.h"

using namespace attnc;
using mlir::attn::MaskKind;

namespace {

TEST(BuiltinsTest, EveryEntryIsFoundByItsName) {
#define BUILTIN(Id, Name, ...)                                                 \
  ASSERT_NE(lookupBuiltin(Name), nullptr) << Name;                             \
  EXPECT_EQ(lookupBuiltin(Name)->id, Builtin::Id) << Name;
#include "frontend/Builtins.def"
}

TEST(BuiltinsTest, FamiliesTakeAKindAfterTheDot) {
  EXPECT_EQ(lookupBuiltin("score.dot")->id, Builtin::Score);
  EXPECT_EQ(calleeKind("score.scaled_dot"), "scaled_dot");
  // A bare `score` is the family without its kind; Sema reports that.
  EXPECT_EQ(lookupBuiltin("score")->id, Builtin::Score);
  EXPECT_EQ(calleeKind("score"), "");
  // Other builtins take no kind.
  EXPECT_EQ(lookupBuiltin("tanh.x"), nullptr);
  EXPECT_EQ(lookupBuiltin("layer_norm.x"), nullptr);
  EXPECT_EQ(lookupBuiltin("dropout"), nullptr);
}

TEST(BuiltinsTest, SuggestsOnlyCloseNames) {
  EXPECT_EQ(suggestBuiltin("atention"), "attention");
  EXPECT_EQ(suggestBuiltin("lstm_cel"), "lstm_cell");
  EXPECT_EQ(suggestBuiltin("scor.additive"), "score.additive");
  EXPECT_EQ(suggestBuiltin("layer_nrom"), "layer_norm");
  EXPECT_EQ(suggestBuiltin("dropout"), "");
  EXPECT_EQ(suggestBuiltin("x"), "");
}

TEST(BuiltinsTest, ScoreKindsAreTheDialects) {
  std::string kinds = listScoreKinds("", "", ", ");
  for (uint32_t i = 0; i <= mlir::attn::getMaxEnumValForScoreKind(); ++i) {
    auto kind = mlir::attn::symbolizeScoreKind(i);
    ASSERT_TRUE(kind.has_value());
    EXPECT_NE(kinds.find(mlir::attn::stringifyScoreKind(*kind).str()),
              std::string::npos);
  }
  EXPECT_EQ(listScoreKinds("`", "`", " or "),
            "`dot`, `scaled_dot`, `general`, `additive`, `cosine` or "
            "`location`");
}

TEST(BuiltinsTest, MaskTermsMapOntoMaskBits) {
  const MaskTerm *causal = lookupMaskTerm("causal", /*isCall=*/false);
  ASSERT_NE(causal, nullptr);
  EXPECT_EQ(causal->kind, MaskKind::causal);
  const MaskTerm *padding = lookupMaskTerm("padding", /*isCall=*/true);
  ASSERT_NE(padding, nullptr);
  EXPECT_EQ(padding->kind, MaskKind::padding);
  // local is a window with a Gaussian and a required center.
  const MaskTerm *local = lookupMaskTerm("local", /*isCall=*/true);
  ASSERT_NE(local, nullptr);
  EXPECT_EQ(local->kind, MaskKind::window);
  EXPECT_TRUE(local->gaussian);
  EXPECT_EQ(local->center, MaskTerm::Center::Required);
  // A term is either a name or a call, not both.
  EXPECT_EQ(lookupMaskTerm("causal", /*isCall=*/true), nullptr);
  EXPECT_EQ(lookupMaskTerm("window", /*isCall=*/false), nullptr);
  EXPECT_EQ(listMaskForms(),
            "none, causal, padding(lengths), window(size), window(size, at = "
            "centers) or local(size, at = centers)");
}

TEST(BuiltinsTest, TheDocsListHasARowPerBuiltin) {
  std::string text;
  llvm::raw_string_ostream os(text);
  printBuiltinList(os);
  size_t rows = std::count(text.begin(), text.end(), '\n');
  size_t builtins = 0;
#define BUILTIN(...) ++builtins;
#include "frontend/Builtins.def"
  EXPECT_EQ(rows, 2 + builtins); // after the header and its rule
}

} // namespace
