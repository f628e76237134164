//===- Builtins.cpp - The table of builtins, mask terms and directions ----===//

#include "frontend/Builtins.h"

#include "llvm/ADT/StringSwitch.h"

using namespace attnc;
using mlir::attn::MaskKind;
using mlir::attn::ScoreKind;

void CallInfoDeleter::operator()(CallInfo *info) const { delete info; }

std::string CallInfo::paramPrefix(int64_t r) const {
  if (indexName.empty())
    return params;
  std::string prefix = params;
  std::string index = "{" + indexName + "}";
  size_t at = prefix.find(index);
  return prefix.replace(at, index.size(), std::to_string(r));
}

namespace {

constexpr BuiltinInfo kBuiltins[] = {
#define BUILTIN(Id, Name, Check, Emit, Flags, Section, Signature, Summary)     \
  {Builtin::Id, Name, Flags, Section, Signature, Summary},
#include "frontend/Builtins.def"
};

using Operand = MaskTerm::Operand;
using Center = MaskTerm::Center;

/// The language's mask terms on the dialect's mask bits. `window` and
/// `local` share the window bit, so one mask cannot use both.
constexpr MaskTerm kMaskTerms[] = {
    {MaskKind::none, "", Operand::None, Center::None, false},
    {MaskKind::causal, "", Operand::None, Center::None, false},
    {MaskKind::padding, "", Operand::Lengths, Center::None, false},
    {MaskKind::window, "", Operand::Size, Center::Optional, false},
    {MaskKind::window, "local", Operand::Size, Center::Required, true},
};

/// The score kinds of the dialect, in the order of the enum.
llvm::SmallVector<llvm::StringRef, 8> scoreKindNames() {
  llvm::SmallVector<llvm::StringRef, 8> names;
  for (uint32_t i = 0; i <= mlir::attn::getMaxEnumValForScoreKind(); ++i)
    if (std::optional<ScoreKind> kind = mlir::attn::symbolizeScoreKind(i))
      names.push_back(mlir::attn::stringifyScoreKind(*kind));
  return names;
}

/// `items` separated by ", ", the last one by `last`.
std::string joinList(llvm::ArrayRef<std::string> items, llvm::StringRef last) {
  std::string text;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i)
      text += i + 1 == items.size() ? last : llvm::StringRef(", ");
    text += items[i];
  }
  return text;
}

} // namespace

const BuiltinInfo *attnc::lookupBuiltin(llvm::StringRef callee) {
  llvm::StringRef name = callee.split('.').first;
  for (const BuiltinInfo &builtin : kBuiltins)
    if (builtin.name == name &&
        (builtin.has(kScoreKind) || callee.size() == name.size()))
      return &builtin;
  return nullptr;
}

llvm::StringRef attnc::calleeKind(llvm::StringRef callee) {
  return callee.split('.').second;
}

std::string attnc::suggestBuiltin(llvm::StringRef callee) {
  // As clang's typo correction: at most a third of the name may differ.
  unsigned best = (callee.size() + 2) / 3 + 1;
  std::string suggestion;
  auto consider = [&](const std::string &candidate) {
    unsigned distance = callee.edit_distance(
        candidate, /*AllowReplacements=*/true, /*MaxEditDistance=*/best - 1);
    if (distance < best) {
      best = distance;
      suggestion = candidate;
    }
  };
  for (const BuiltinInfo &builtin : kBuiltins) {
    if (!builtin.has(kScoreKind)) {
      consider(builtin.name.str());
      continue;
    }
    for (llvm::StringRef kind : scoreKindNames())
      consider((builtin.name + "." + kind).str());
  }
  return suggestion;
}

std::string attnc::listScoreKinds(llvm::StringRef prefix,
                                  llvm::StringRef suffix,
                                  llvm::StringRef last) {
  llvm::SmallVector<std::string, 8> items;
  for (llvm::StringRef kind : scoreKindNames())
    items.push_back((prefix + kind + suffix).str());
  return joinList(items, last);
}

void attnc::printBuiltinList(llvm::raw_ostream &os) {
  os << "| builtin | gives | see |\n|---------|-------|-----|\n";
  for (const BuiltinInfo &builtin : kBuiltins) {
    os << "| `" << builtin.signature << "` | " << builtin.summary;
    if (builtin.has(kScoreKind))
      os << "; KIND is " << listScoreKinds("`", "`", " or ");
    os << " | " << builtin.section << " |\n";
  }
}

std::string MaskTerm::name() const {
  return alias.empty() ? mlir::attn::stringifyMaskKind(kind) : alias.str();
}

const MaskTerm *attnc::lookupMaskTerm(llvm::StringRef name, bool isCall) {
  for (const MaskTerm &term : kMaskTerms)
    if (term.name() == name && (term.operand != Operand::None) == isCall)
      return &term;
  return nullptr;
}

std::string attnc::listMaskForms() {
  llvm::SmallVector<std::string, 8> forms;
  for (const MaskTerm &term : kMaskTerms) {
    std::string name = term.name();
    switch (term.operand) {
    case Operand::None:
      forms.push_back(name);
      break;
    case Operand::Lengths:
      forms.push_back(name + "(lengths)");
      break;
    case Operand::Size:
      if (term.center != Center::Required)
        forms.push_back(name + "(size)");
      if (term.center != Center::None)
        forms.push_back(name + "(size, at = centers)");
      break;
    }
  }
  return joinList(forms, " or ");
}

std::optional<Direction> attnc::parseDirection(llvm::StringRef word) {
  return llvm::StringSwitch<std::optional<Direction>>(word)
      .Case("forward", Direction::Forward)
      .Case("reverse", Direction::Reverse)
      .Case("bidirectional", Direction::Bidirectional)
      .Default(std::nullopt);
}
