//===- Parser.cpp - Syntax of the .attn language --------------------------===//
//
// A recursive-descent parser of the grammar in docs/LANGUAGE.md. Statements
// need no separator: an expression ends where the next token cannot continue
// it, and a call's `(` must be on the line of the callee.
//
//===----------------------------------------------------------------------===//

#include "frontend/Parser.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"

#include <cstdlib>

using namespace attnc;

namespace {

/// How deep an expression may be: in the parser's own recursion (nested
/// parentheses, calls, unary minus) and in the tree it builds (where a chain
/// `a + b + c ...` is as deep as it is long). Sema, MLIRGen and every other
/// walk of the tree recurse, so the input must not choose their stack
/// depth. 256, like clang's bracket-depth limit.
constexpr unsigned kMaxExprDepth = 256;

class Parser {
public:
  Parser(llvm::StringRef buffer, const Source &source)
      : lexer(buffer), source(source) {
    tok = lexer.next();
  }

  std::unique_ptr<ModelDecl> parseModel();

private:
  // Token handling.
  void consume() {
    prev = tok;
    tok = lexer.next();
  }
  bool at(TokenKind kind) const { return tok.kind == kind; }
  /// The token after the current one.
  Token peek() const {
    Lexer copy = lexer;
    return copy.next();
  }
  /// Whether the current token continues a dotted name after a '.': a
  /// name, an index, or a keyword (state_dict keys such as
  /// `encoder.layer.0`); "0.1" is two indices, lexed as one number.
  bool atNamePart() const;
  bool consumeIf(TokenKind kind) {
    if (!at(kind))
      return false;
    consume();
    return true;
  }
  /// Reports "expected <what>, got <token>" and returns false.
  bool fail(llvm::StringRef what);
  bool expect(TokenKind kind, llvm::StringRef what = "") {
    if (consumeIf(kind))
      return true;
    return fail(what.empty() ? describe(kind) : what);
  }
  bool expectName(std::string &name, SourceLoc &loc, llvm::StringRef what) {
    if (!at(TokenKind::Identifier))
      return fail(what);
    name = tok.text.str();
    loc = tok.loc;
    consume();
    return true;
  }
  /// A name of a declaration, with dotted parts for a param:
  /// `self_attn.in_proj_weight`, `layers.0.linear1.weight`.
  bool expectDottedName(std::string &name, SourceLoc &loc,
                        llvm::StringRef what);
  /// Expects the `}` that closes a block opened at `open`.
  bool expectClose(SourceLoc open, llvm::StringRef what);

  // Grammar.
  bool parseItem(ModelDecl &model);
  bool parseDims(ModelDecl &model);
  bool parseConsts(ModelDecl &model);
  bool parseParams(std::vector<ParamDecl> &params);
  bool parseFn(ModelDecl &model, bool isLayer);
  bool parseArg(ArgDecl &arg);
  bool parseType(TypeSpec &spec);
  bool parseStmt(FnDecl &fn);
  bool parseSlices(Expr &slice);
  ExprPtr parseExpr();
  ExprPtr parseBinary(int minPrecedence);
  ExprPtr parseUnary();
  ExprPtr parsePostfix();
  ExprPtr parsePrimary();
  bool parseCallArgs(Expr &call);
  /// Records the depth of `node` from those of its children; false, with an
  /// error, when it is above kMaxExprDepth.
  bool checkDepth(const Expr &node);
  /// Reports an expression nested beyond kMaxExprDepth at `loc`.
  bool failTooDeep(SourceLoc loc);

  Lexer lexer;
  const Source &source;
  Token tok, prev;
  unsigned unaryDepth = 0; // parseUnary calls in progress
  llvm::DenseMap<const Expr *, unsigned> depths; // of nodes with children
};

bool isKeyword(TokenKind kind) {
  switch (kind) {
  case TokenKind::KwModel:
  case TokenKind::KwDim:
  case TokenKind::KwConst:
  case TokenKind::KwParam:
  case TokenKind::KwFn:
  case TokenKind::KwLayer:
  case TokenKind::KwLet: return true;
  default: return false;
  }
}

std::string spell(const Token &token) {
  if (token.kind == TokenKind::Eof)
    return "end of file";
  return "'" + token.text.str() + "'";
}

bool Parser::fail(llvm::StringRef what) {
  if (at(TokenKind::Error)) {
    bool digit = !tok.text.empty() && std::isdigit(tok.text[0]);
    source.error(tok.loc) << (digit ? "invalid number " : "unexpected character ")
                          << spell(tok);
    return false;
  }
  source.error(tok.loc) << "expected " << what << ", got " << spell(tok);
  return false;
}

bool Parser::expectClose(SourceLoc open, llvm::StringRef what) {
  if (consumeIf(TokenKind::RBrace))
    return true;
  if (at(TokenKind::Eof)) {
    mlir::InFlightDiagnostic diag = source.error(tok.loc);
    diag << "missing '}' at end of file to close " << what;
    diag.attachNote(source.loc(open)) << "the block of " << what
                                      << " opens here";
    return false;
  }
  return fail("'}'");
}

std::unique_ptr<ModelDecl> Parser::parseModel() {
  auto model = std::make_unique<ModelDecl>();
  if (!expect(TokenKind::KwModel, "'model' to start a model") ||
      !expectName(model->name, model->loc, "the model's name"))
    return nullptr;
  SourceLoc open = tok.loc;
  if (!expect(TokenKind::LBrace))
    return nullptr;
  while (!at(TokenKind::RBrace) && !at(TokenKind::Eof))
    if (!parseItem(*model))
      return nullptr;
  if (!expectClose(open, "model '" + model->name + "'"))
    return nullptr;
  if (!at(TokenKind::Eof)) {
    fail("end of file after the model");
    return nullptr;
  }
  return model;
}

bool Parser::parseItem(ModelDecl &model) {
  switch (tok.kind) {
  case TokenKind::KwDim: return parseDims(model);
  case TokenKind::KwConst: return parseConsts(model);
  case TokenKind::KwParam: return parseParams(model.params);
  case TokenKind::KwFn: return parseFn(model, /*isLayer=*/false);
  case TokenKind::KwLayer: return parseFn(model, /*isLayer=*/true);
  default: return fail("'dim', 'const', 'param', 'fn', 'layer' or '}'");
  }
}

// dimDecl ::= 'dim' name ['<=' integer] {',' name ['<=' integer]}
bool Parser::parseDims(ModelDecl &model) {
  consume();
  do {
    DimDecl dim;
    if (!expectName(dim.name, dim.loc, "a dim name"))
      return false;
    if (consumeIf(TokenKind::LessEqual)) {
      int64_t max;
      if (!at(TokenKind::Integer))
        return fail("an integer upper bound");
      if (tok.text.getAsInteger(10, max)) {
        source.error(tok.loc) << "integer " << spell(tok) << " is too large";
        return false;
      }
      dim.max = max;
      consume();
    }
    model.dims.push_back(std::move(dim));
  } while (consumeIf(TokenKind::Comma));
  return true;
}

// constDecl ::= 'const' name '=' expr {',' name '=' expr}
bool Parser::parseConsts(ModelDecl &model) {
  consume();
  do {
    ConstDecl decl;
    if (!expectName(decl.name, decl.loc, "a constant name") ||
        !expect(TokenKind::Assign))
      return false;
    decl.value = parseExpr();
    if (!decl.value)
      return false;
    model.consts.push_back(std::move(decl));
  } while (consumeIf(TokenKind::Comma));
  return true;
}

bool Parser::atNamePart() const {
  if (at(TokenKind::Identifier) || at(TokenKind::Integer) ||
      isKeyword(tok.kind))
    return true;
  return at(TokenKind::Float) &&
         llvm::all_of(tok.text, [](char c) { return llvm::isDigit(c) || c == '.'; });
}

bool Parser::expectDottedName(std::string &name, SourceLoc &loc,
                              llvm::StringRef what) {
  // The first part may be a keyword too when a '.' follows (`model.fc`).
  if (isKeyword(tok.kind) && peek().kind == TokenKind::Dot) {
    name = tok.text.str();
    loc = tok.loc;
    consume();
  } else if (!expectName(name, loc, what)) {
    return false;
  }
  while (consumeIf(TokenKind::Dot)) {
    if (at(TokenKind::Identifier) && tok.text == "T") {
      source.error(tok.loc) << "'T' cannot be part of a name: '.T' is the "
                               "transpose";
      return false;
    }
    if (!atNamePart())
      return fail("a name or an index after '.'");
    name += "." + tok.text.str();
    consume();
  }
  return true;
}

// paramDecl ::= 'param' dottedName {',' dottedName} ':' type
bool Parser::parseParams(std::vector<ParamDecl> &params) {
  consume();
  std::vector<std::pair<std::string, SourceLoc>> names;
  do {
    std::string name;
    SourceLoc loc;
    if (!expectDottedName(name, loc, "a parameter name"))
      return false;
    names.emplace_back(name, loc);
  } while (consumeIf(TokenKind::Comma));
  if (!expect(TokenKind::Colon, "':' and the parameter's type"))
    return false;
  TypeSpec spec;
  if (!parseType(spec))
    return false;
  // `param a, b : f32[D, D]` declares two params of the same type.
  for (auto &[name, loc] : names) {
    ParamDecl param;
    param.name = name;
    param.loc = loc;
    param.spec.elem = spec.elem;
    param.spec.loc = spec.loc;
    for (const ExprPtr &dim : spec.dims)
      param.spec.dims.push_back(clone(*dim));
    params.push_back(std::move(param));
  }
  return true;
}

// type ::= ('f32' | 'i32') ['[' expr {',' expr} ']']
bool Parser::parseType(TypeSpec &spec) {
  if (!at(TokenKind::Identifier))
    return fail("a type such as f32[S, D]");
  spec.loc = tok.loc;
  if (tok.text == "f32") {
    spec.elem = ElemType::F32;
  } else if (tok.text == "i32") {
    spec.elem = ElemType::I32;
  } else {
    source.error(tok.loc) << "unknown element type " << spell(tok)
                          << "; expected f32 or i32";
    return false;
  }
  consume();
  if (!consumeIf(TokenKind::LBracket))
    return true;
  do {
    ExprPtr dim = parseExpr();
    if (!dim)
      return false;
    spec.dims.push_back(std::move(dim));
  } while (consumeIf(TokenKind::Comma));
  return expect(TokenKind::RBracket, "',' or ']'");
}

// arg ::= name ':' type
bool Parser::parseArg(ArgDecl &arg) {
  return expectName(arg.name, arg.loc, "an argument name") &&
         expect(TokenKind::Colon, "':' and the argument's type") &&
         parseType(arg.spec);
}

// fnDecl ::= ('fn' | 'layer') name '(' [arg {',' arg}] ')' '->'
//            ( '(' arg {',' arg} ')' | arg ) block
bool Parser::parseFn(ModelDecl &model, bool isLayer) {
  consume();
  FnDecl fn;
  fn.isLayer = isLayer;
  if (!expectName(fn.name, fn.loc,
                  isLayer ? "the layer's name" : "the function's name") ||
      !expect(TokenKind::LParen))
    return false;
  if (!at(TokenKind::RParen)) {
    do {
      fn.inputs.emplace_back();
      if (!parseArg(fn.inputs.back()))
        return false;
    } while (consumeIf(TokenKind::Comma));
  }
  if (!expect(TokenKind::RParen, "',' or ')'") ||
      !expect(TokenKind::Arrow, "'->' and the function's outputs"))
    return false;
  if (consumeIf(TokenKind::LParen)) {
    do {
      fn.outputs.emplace_back();
      if (!parseArg(fn.outputs.back()))
        return false;
    } while (consumeIf(TokenKind::Comma));
    if (!expect(TokenKind::RParen, "',' or ')'"))
      return false;
  } else {
    fn.outputs.emplace_back();
    if (!parseArg(fn.outputs.back()))
      return false;
  }
  SourceLoc open = tok.loc;
  if (!expect(TokenKind::LBrace, "'{' to start the function body"))
    return false;
  // A layer's block also declares the layer's params.
  while (!at(TokenKind::RBrace) && !at(TokenKind::Eof)) {
    if (isLayer && at(TokenKind::KwParam) ? !parseParams(fn.params)
                                          : !parseStmt(fn))
      return false;
  }
  fn.end = tok.loc;
  if (!expectClose(open, (isLayer ? "layer '" : "fn '") + fn.name + "'"))
    return false;
  (isLayer ? model.layers : model.fns).push_back(std::move(fn));
  return true;
}

// stmt ::= 'let' name {',' name} '=' expr | name '=' expr
bool Parser::parseStmt(FnDecl &fn) {
  Stmt stmt;
  stmt.loc = tok.loc;
  if (consumeIf(TokenKind::KwLet)) {
    do {
      std::string name;
      SourceLoc loc;
      if (!expectName(name, loc, "a name to bind"))
        return false;
      stmt.targets.emplace_back(name, loc);
    } while (consumeIf(TokenKind::Comma));
  } else if (at(TokenKind::Identifier)) {
    stmt.isLet = false;
    stmt.targets.emplace_back(tok.text.str(), tok.loc);
    consume();
  } else {
    return fail("a statement ('let name = ...' or 'output = ...')");
  }
  if (!expect(TokenKind::Assign))
    return false;
  stmt.value = parseExpr();
  if (!stmt.value)
    return false;
  fn.body.push_back(std::move(stmt));
  return true;
}

ExprPtr Parser::parseExpr() { return parseBinary(0); }

bool Parser::failTooDeep(SourceLoc loc) {
  source.error(loc) << "expression nested more than " << kMaxExprDepth
                    << " levels deep (a chain of operators counts each); "
                       "split it with 'let'";
  return false;
}

bool Parser::checkDepth(const Expr &node) {
  unsigned deepest = 0;
  auto visit = [&](const ExprPtr &child) {
    if (child)
      deepest = std::max(deepest, depths.lookup(child.get()));
  };
  llvm::for_each(node.operands, visit);
  for (const KeywordArg &arg : node.keywords)
    visit(arg.value);
  for (const SliceSpec &slice : node.slices) {
    visit(slice.lo);
    visit(slice.hi);
  }
  // Leaves are not recorded: a lookup of one gives 0.
  unsigned depth = deepest + 1;
  depths[&node] = depth;
  return depth <= kMaxExprDepth || failTooDeep(node.loc);
}

int precedence(TokenKind kind) {
  switch (kind) {
  case TokenKind::Pipe: return 1;
  case TokenKind::Plus:
  case TokenKind::Minus: return 2;
  case TokenKind::Star:
  case TokenKind::Slash:
  case TokenKind::At: return 3;
  default: return -1;
  }
}

BinaryOp binaryOp(TokenKind kind) {
  switch (kind) {
  case TokenKind::Pipe: return BinaryOp::Or;
  case TokenKind::Plus: return BinaryOp::Add;
  case TokenKind::Minus: return BinaryOp::Sub;
  case TokenKind::Star: return BinaryOp::Mul;
  case TokenKind::Slash: return BinaryOp::Div;
  default: return BinaryOp::MatMul;
  }
}

// Left-associative binary operators by precedence climbing:
// '|' < '+' '-' < '*' '/' '@' (as in Python).
ExprPtr Parser::parseBinary(int minPrecedence) {
  ExprPtr lhs = parseUnary();
  while (lhs) {
    int prec = precedence(tok.kind);
    if (prec < 0 || prec < minPrecedence)
      return lhs;
    Token opTok = tok;
    consume();
    ExprPtr rhs = parseBinary(prec + 1);
    if (!rhs)
      return nullptr;
    auto binary = std::make_unique<Expr>(Expr::Kind::Binary, opTok.loc);
    binary->op = binaryOp(opTok.kind);
    binary->operands.push_back(std::move(lhs));
    binary->operands.push_back(std::move(rhs));
    if (!checkDepth(*binary))
      return nullptr;
    lhs = std::move(binary);
  }
  return lhs;
}

ExprPtr Parser::parseUnary() {
  if (unaryDepth >= kMaxExprDepth) {
    failTooDeep(tok.loc);
    return nullptr;
  }
  ++unaryDepth;
  auto leave = llvm::make_scope_exit([&] { --unaryDepth; });
  if (at(TokenKind::Minus)) {
    SourceLoc loc = tok.loc;
    consume();
    ExprPtr operand = parseUnary();
    if (!operand)
      return nullptr;
    auto negate = std::make_unique<Expr>(Expr::Kind::Negate, loc);
    negate->operands.push_back(std::move(operand));
    if (!checkDepth(*negate))
      return nullptr;
    return negate;
  }
  return parsePostfix();
}

// postfix ::= primary {'.T' | slices} | dotted-name '(' args ')' {'.T' | slices}
// dotted-name ::= name {'.' (name | integer | '{' name '}')}
ExprPtr Parser::parsePostfix() {
  ExprPtr expr = parsePrimary();
  while (expr) {
    if (at(TokenKind::LBracket)) {
      auto slice = std::make_unique<Expr>(Expr::Kind::Slice, tok.loc);
      consume();
      slice->operands.push_back(std::move(expr));
      if (!parseSlices(*slice) || !checkDepth(*slice))
        return nullptr;
      expr = std::move(slice);
      continue;
    }
    if (at(TokenKind::LParen) && tok.loc.line == prev.loc.line &&
        expr->kind == Expr::Kind::Name) {
      expr->kind = Expr::Kind::Call;
      consume();
      if (!parseCallArgs(*expr) || !checkDepth(*expr))
        return nullptr;
      continue;
    }
    if (!at(TokenKind::Dot))
      return expr;
    consume();
    // `layers.0`, `encoder.layer.0.1` and `layers.{i}` (a call's
    // `params = ...`) are parts of a dotted name.
    if (expr->kind == Expr::Kind::Name && atNamePart() &&
        !at(TokenKind::Identifier)) {
      expr->name += "." + tok.text.str();
      consume();
      continue;
    }
    if (expr->kind == Expr::Kind::Name && at(TokenKind::LBrace)) {
      consume();
      if (!at(TokenKind::Identifier)) {
        fail("the name of an index in '{...}'");
        return nullptr;
      }
      expr->name += ".{" + tok.text.str() + "}";
      consume();
      if (!expect(TokenKind::RBrace, "'}' after the index's name"))
        return nullptr;
      continue;
    }
    if (!at(TokenKind::Identifier)) {
      fail("a name after '.'");
      return nullptr;
    }
    Token member = tok;
    consume();
    bool isCall = at(TokenKind::LParen) && tok.loc.line == member.loc.line;
    if (member.text == "T" && !isCall) {
      auto transpose = std::make_unique<Expr>(Expr::Kind::Transpose,
                                              member.loc);
      transpose->operands.push_back(std::move(expr));
      if (!checkDepth(*transpose))
        return nullptr;
      expr = std::move(transpose);
    } else if (expr->kind == Expr::Kind::Name) {
      // A dotted callee such as `score.additive`.
      expr->name += "." + member.text.str();
    } else {
      source.error(member.loc) << "expected 'T' (transpose) after '.', got "
                               << spell(member);
      return nullptr;
    }
  }
  return expr;
}

// slices ::= '[' slice {',' slice} ']'
// slice ::= expr | [expr] ':' [expr]
bool Parser::parseSlices(Expr &slice) {
  do {
    SliceSpec spec;
    spec.loc = tok.loc;
    if (!at(TokenKind::Colon)) {
      spec.lo = parseExpr();
      if (!spec.lo)
        return false;
    }
    spec.isRange = consumeIf(TokenKind::Colon);
    if (spec.isRange && !at(TokenKind::Comma) && !at(TokenKind::RBracket)) {
      spec.hi = parseExpr();
      if (!spec.hi)
        return false;
    }
    slice.slices.push_back(std::move(spec));
  } while (consumeIf(TokenKind::Comma));
  return expect(TokenKind::RBracket, "',' or ']'");
}

bool Parser::parseCallArgs(Expr &call) {
  if (consumeIf(TokenKind::RParen))
    return true;
  do {
    // `name = expr` is a keyword argument; anything else is positional. A
    // keyword of the language names an argument too (`dim = 1`).
    if (at(TokenKind::Identifier) || isKeyword(tok.kind)) {
      Token name = tok;
      Lexer saved = lexer;
      Token savedPrev = prev;
      consume();
      if (consumeIf(TokenKind::Assign)) {
        KeywordArg arg;
        arg.name = name.text.str();
        arg.loc = name.loc;
        arg.value = parseExpr();
        if (!arg.value)
          return false;
        call.keywords.push_back(std::move(arg));
        continue;
      }
      lexer = saved;
      prev = savedPrev;
      tok = name;
    }
    if (!call.keywords.empty()) {
      source.error(tok.loc) << "positional argument after keyword arguments";
      return false;
    }
    ExprPtr arg = parseExpr();
    if (!arg)
      return false;
    call.operands.push_back(std::move(arg));
  } while (consumeIf(TokenKind::Comma));
  return expect(TokenKind::RParen, "',' or ')'");
}

ExprPtr Parser::parsePrimary() {
  SourceLoc loc = tok.loc;
  switch (tok.kind) {
  case TokenKind::Integer: {
    auto lit = std::make_unique<Expr>(Expr::Kind::Integer, loc);
    if (tok.text.getAsInteger(10, lit->intValue)) {
      source.error(loc) << "integer " << spell(tok) << " is too large";
      return nullptr;
    }
    consume();
    return lit;
  }
  case TokenKind::Float: {
    auto lit = std::make_unique<Expr>(Expr::Kind::Float, loc);
    lit->floatValue = std::strtod(tok.text.str().c_str(), nullptr);
    consume();
    return lit;
  }
  case TokenKind::LParen: {
    consume();
    ExprPtr inner = parseExpr();
    if (!inner || !expect(TokenKind::RParen))
      return nullptr;
    return inner;
  }
  default:
    // A name; a keyword too when it starts a dotted param name
    // (`model.fc.weight`).
    if (at(TokenKind::Identifier) ||
        (isKeyword(tok.kind) && peek().kind == TokenKind::Dot)) {
      auto name = std::make_unique<Expr>(Expr::Kind::Name, loc);
      name->name = tok.text.str();
      consume();
      return name;
    }
    fail("an expression");
    return nullptr;
  }
}

} // namespace

std::unique_ptr<ModelDecl> attnc::parseModel(llvm::StringRef buffer,
                                             const Source &source) {
  return Parser(buffer, source).parseModel();
}
