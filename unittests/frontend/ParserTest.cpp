//===- ParserTest.cpp - Lexer and parser of the .attn language ------------===//

#include "frontend/Parser.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "gtest/gtest.h"

using namespace attnc;

namespace {

std::vector<Token> lexAll(llvm::StringRef text) {
  Lexer lexer(text);
  std::vector<Token> tokens;
  for (Token token = lexer.next(); token.kind != TokenKind::Eof;
       token = lexer.next())
    tokens.push_back(token);
  return tokens;
}

TEST(LexerTest, TokensAndLocations) {
  std::vector<Token> tokens = lexAll("dim S <= 512  # comment\n  x.T @ w -> 1.5e-3");
  ASSERT_EQ(tokens.size(), 11u);
  EXPECT_EQ(tokens[0].kind, TokenKind::KwDim);
  EXPECT_EQ(tokens[2].kind, TokenKind::LessEqual);
  EXPECT_EQ(tokens[3].kind, TokenKind::Integer);
  EXPECT_EQ(tokens[3].text, "512");
  // `x` starts line 2 at column 3; the comment is skipped.
  EXPECT_EQ(tokens[4].text, "x");
  EXPECT_EQ(tokens[4].loc.line, 2u);
  EXPECT_EQ(tokens[4].loc.col, 3u);
  EXPECT_EQ(tokens[5].kind, TokenKind::Dot);
  EXPECT_EQ(tokens[7].kind, TokenKind::At);
  EXPECT_EQ(tokens[9].kind, TokenKind::Arrow);
  EXPECT_EQ(tokens[10].kind, TokenKind::Float);
}

TEST(LexerTest, BadCharactersAreOneErrorToken) {
  std::vector<Token> tokens = lexAll("a $ 12ab é");
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(tokens[1].kind, TokenKind::Error);
  EXPECT_EQ(tokens[2].kind, TokenKind::Error);
  EXPECT_EQ(tokens[2].text, "12ab");
  // A multi-byte UTF-8 character is one token, not one per byte.
  EXPECT_EQ(tokens[3].kind, TokenKind::Error);
  EXPECT_EQ(tokens[3].text, "é");
}

class ParserTest : public ::testing::Test {
protected:
  std::unique_ptr<ModelDecl> parse(llvm::StringRef text) {
    messages.clear();
    mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
      messages.push_back(d.str());
      return mlir::success();
    });
    return parseModel(text, Source{&context, "test.attn"});
  }
  mlir::MLIRContext context;
  std::vector<std::string> messages;
};

TEST_F(ParserTest, ParsesDeclarationsAndPrecedence) {
  auto model = parse(R"(model m {
    dim S <= 8, T
    const D = 4
    param a, b : f32[D, D]
    fn f(x: f32[S, D]) -> (y: f32[S, D]) {
      let z = x @ a + x * 2 @ b.T
      y = -z
    }
  })");
  ASSERT_TRUE(model) << (messages.empty() ? "" : messages[0]);
  ASSERT_EQ(model->dims.size(), 2u);
  EXPECT_EQ(model->dims[0].max, 8);
  EXPECT_FALSE(model->dims[1].max.has_value());
  ASSERT_EQ(model->params.size(), 2u);
  EXPECT_EQ(model->params[1].name, "b");
  EXPECT_EQ(model->params[1].spec.dims.size(), 2u);
  const Expr &sum = *model->fns[0].body[0].value;
  // `+` binds looser than `@` and `*`, which are left-associative.
  ASSERT_EQ(sum.kind, Expr::Kind::Binary);
  EXPECT_EQ(sum.op, BinaryOp::Add);
  const Expr &rhs = *sum.operands[1];
  EXPECT_EQ(rhs.op, BinaryOp::MatMul);
  EXPECT_EQ(rhs.operands[0]->op, BinaryOp::Mul);
  EXPECT_EQ(rhs.operands[1]->kind, Expr::Kind::Transpose);
  EXPECT_EQ(model->fns[0].body[1].value->kind, Expr::Kind::Negate);
}

TEST_F(ParserTest, CallsNeedTheirParenthesisOnTheSameLine) {
  auto model = parse(R"(model m {
    fn f(x: f32[4]) -> (y: f32[4]) {
      let a = softmax(x, mask = causal | window(2, at = x))
      y = a
      (y)
    }
  })");
  // `y = a` ends at the line break, so `(y)` starts a new statement.
  EXPECT_FALSE(model);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0],
            "expected a statement ('let name = ...' or 'output = ...'), got '('");
}

TEST_F(ParserTest, KeywordArguments) {
  auto model = parse(R"(model m {
    fn f(x: f32[4, 4]) -> (y: f32[4, 4]) {
      y = attention(x, x, x, heads = 2, mask = causal)
    }
  })");
  ASSERT_TRUE(model);
  const Expr &call = *model->fns[0].body[0].value;
  EXPECT_EQ(call.kind, Expr::Kind::Call);
  EXPECT_EQ(call.operands.size(), 3u);
  ASSERT_NE(call.keyword("heads"), nullptr);
  EXPECT_EQ(call.keyword("heads")->value->intValue, 2);
  EXPECT_EQ(call.keyword("scale"), nullptr);
}

} // namespace
