//===- Lexer.cpp - Tokens of the .attn language ---------------------------===//

#include "frontend/Lexer.h"

#include "llvm/ADT/StringSwitch.h"

#include <cctype>
#include <optional>

using namespace attnc;

llvm::StringRef attnc::describe(TokenKind kind) {
  switch (kind) {
  case TokenKind::Eof: return "end of file";
  case TokenKind::Error: return "invalid token";
  case TokenKind::Identifier: return "a name";
  case TokenKind::Integer: return "an integer";
  case TokenKind::Float: return "a number";
  case TokenKind::KwModel: return "'model'";
  case TokenKind::KwDim: return "'dim'";
  case TokenKind::KwConst: return "'const'";
  case TokenKind::KwParam: return "'param'";
  case TokenKind::KwFn: return "'fn'";
  case TokenKind::KwLayer: return "'layer'";
  case TokenKind::KwLet: return "'let'";
  case TokenKind::LParen: return "'('";
  case TokenKind::RParen: return "')'";
  case TokenKind::LBracket: return "'['";
  case TokenKind::RBracket: return "']'";
  case TokenKind::LBrace: return "'{'";
  case TokenKind::RBrace: return "'}'";
  case TokenKind::Comma: return "','";
  case TokenKind::Colon: return "':'";
  case TokenKind::Dot: return "'.'";
  case TokenKind::Assign: return "'='";
  case TokenKind::Arrow: return "'->'";
  case TokenKind::LessEqual: return "'<='";
  case TokenKind::At: return "'@'";
  case TokenKind::Plus: return "'+'";
  case TokenKind::Minus: return "'-'";
  case TokenKind::Star: return "'*'";
  case TokenKind::Slash: return "'/'";
  case TokenKind::Pipe: return "'|'";
  }
  return "token";
}

void Lexer::advance() {
  if (peek() == '\n') {
    ++line;
    col = 1;
  } else {
    ++col;
  }
  ++pos;
}

void Lexer::skipSpaceAndComments() {
  while (pos < buffer.size()) {
    char c = peek();
    if (c == '#') {
      while (pos < buffer.size() && peek() != '\n')
        advance();
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      advance();
    } else {
      return;
    }
  }
}

Token Lexer::make(TokenKind kind, size_t begin, SourceLoc loc) const {
  return Token{kind, buffer.slice(begin, pos), loc};
}

Token Lexer::lexNumber(size_t begin, SourceLoc loc) {
  bool isFloat = false;
  while (std::isdigit(static_cast<unsigned char>(peek())))
    advance();
  if (peek() == '.' && std::isdigit(static_cast<unsigned char>(peek(1)))) {
    isFloat = true;
    advance();
    while (std::isdigit(static_cast<unsigned char>(peek())))
      advance();
  }
  if (peek() == 'e' || peek() == 'E') {
    size_t sign = (peek(1) == '+' || peek(1) == '-') ? 1 : 0;
    if (std::isdigit(static_cast<unsigned char>(peek(1 + sign)))) {
      isFloat = true;
      advance();
      if (sign)
        advance();
      while (std::isdigit(static_cast<unsigned char>(peek())))
        advance();
    }
  }
  // `12abc` is one bad token, not a number followed by a name.
  if (std::isalpha(static_cast<unsigned char>(peek())) || peek() == '_') {
    while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_')
      advance();
    return make(TokenKind::Error, begin, loc);
  }
  return make(isFloat ? TokenKind::Float : TokenKind::Integer, begin, loc);
}

Token Lexer::next() {
  skipSpaceAndComments();
  SourceLoc loc{line, col};
  size_t begin = pos;
  if (pos >= buffer.size())
    return make(TokenKind::Eof, begin, loc);

  char c = peek();
  if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
    while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_')
      advance();
    Token token = make(TokenKind::Identifier, begin, loc);
    token.kind = llvm::StringSwitch<TokenKind>(token.text)
                     .Case("model", TokenKind::KwModel)
                     .Case("dim", TokenKind::KwDim)
                     .Case("const", TokenKind::KwConst)
                     .Case("param", TokenKind::KwParam)
                     .Case("fn", TokenKind::KwFn)
                     .Case("layer", TokenKind::KwLayer)
                     .Case("let", TokenKind::KwLet)
                     .Default(TokenKind::Identifier);
    return token;
  }
  if (std::isdigit(static_cast<unsigned char>(c)))
    return lexNumber(begin, loc);

  advance();
  auto two = [&](char second, TokenKind kind) -> std::optional<Token> {
    if (peek() != second)
      return std::nullopt;
    advance();
    return make(kind, begin, loc);
  };
  switch (c) {
  case '(': return make(TokenKind::LParen, begin, loc);
  case ')': return make(TokenKind::RParen, begin, loc);
  case '[': return make(TokenKind::LBracket, begin, loc);
  case ']': return make(TokenKind::RBracket, begin, loc);
  case '{': return make(TokenKind::LBrace, begin, loc);
  case '}': return make(TokenKind::RBrace, begin, loc);
  case ',': return make(TokenKind::Comma, begin, loc);
  case ':': return make(TokenKind::Colon, begin, loc);
  case '.': return make(TokenKind::Dot, begin, loc);
  case '=': return make(TokenKind::Assign, begin, loc);
  case '@': return make(TokenKind::At, begin, loc);
  case '+': return make(TokenKind::Plus, begin, loc);
  case '*': return make(TokenKind::Star, begin, loc);
  case '/': return make(TokenKind::Slash, begin, loc);
  case '|': return make(TokenKind::Pipe, begin, loc);
  case '-':
    if (auto arrow = two('>', TokenKind::Arrow))
      return *arrow;
    return make(TokenKind::Minus, begin, loc);
  case '<':
    if (auto le = two('=', TokenKind::LessEqual))
      return *le;
    return make(TokenKind::Error, begin, loc);
  default:
    // Consume a whole UTF-8 sequence so the error shows one character.
    while ((static_cast<unsigned char>(peek()) & 0xC0) == 0x80)
      advance();
    return make(TokenKind::Error, begin, loc);
  }
}
