//===- Lexer.h - Tokens of the .attn language -------------------*- C++ -*-===//

#ifndef ATTNC_FRONTEND_LEXER_H
#define ATTNC_FRONTEND_LEXER_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>

namespace attnc {

/// A position in the source buffer, 1-based.
struct SourceLoc {
  unsigned line = 0;
  unsigned col = 0;
};

enum class TokenKind {
  Eof,
  Error, // a character or literal the lexer cannot read
  Identifier,
  Integer,
  Float,
  // Keywords.
  KwModel,
  KwDim,
  KwConst,
  KwParam,
  KwFn,
  KwLayer,
  KwLet,
  // Punctuation and operators.
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Dot,
  Assign,    // =
  Arrow,     // ->
  LessEqual, // <=
  At,        // @
  Plus,
  Minus,
  Star,
  Slash,
  Pipe, // |
};

/// A short human name of a token kind, for "expected ..." messages.
llvm::StringRef describe(TokenKind kind);

struct Token {
  TokenKind kind = TokenKind::Eof;
  llvm::StringRef text; // the spelling in the buffer
  SourceLoc loc;
};

/// Splits a buffer into tokens. `#` starts a comment to the end of the line.
class Lexer {
public:
  explicit Lexer(llvm::StringRef buffer) : buffer(buffer) {}

  Token next();

private:
  char peek(size_t ahead = 0) const {
    return pos + ahead < buffer.size() ? buffer[pos + ahead] : '\0';
  }
  void advance();
  void skipSpaceAndComments();
  Token make(TokenKind kind, size_t begin, SourceLoc loc) const;
  Token lexNumber(size_t begin, SourceLoc loc);

  llvm::StringRef buffer;
  size_t pos = 0;
  unsigned line = 1, col = 1;
};

} // namespace attnc

#endif // ATTNC_FRONTEND_LEXER_H
