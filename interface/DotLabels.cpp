//===- DotLabels.cpp - What the nodes of the dataflow graph say -----------===//

#include "interface/DotLabels.h"

#include "dialect/AttnOps.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

namespace mlir::attn::dot {

std::string quote(StringRef text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '\n') {
      quoted += "\\n";
      continue;
    }
    if (c == '"' || c == '\\')
      quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

std::string escapeHtml(StringRef text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
    case '&':
      escaped += "&amp;";
      break;
    case '<':
      escaped += "&lt;";
      break;
    case '>':
      escaped += "&gt;";
      break;
    case '"':
      escaped += "&quot;";
      break;
    default:
      escaped += c;
    }
  }
  return escaped;
}

std::string getLabel(StringRef title, ArrayRef<std::string> details) {
  std::string label = "<<b>" + escapeHtml(title) + "</b>";
  for (const std::string &line : details)
    label += "<br/><font point-size=\"9\">" + escapeHtml(line) + "</font>";
  return label + ">";
}


std::string getStyle(NodeKind kind) {
  struct Look {
    StringRef shape, style, fill, line;
  };
  Look look = [&]() -> Look {
    switch (kind) {
    case NodeKind::Input:
      return {"box", "rounded,filled", "#dbeafe", "#1e40af"};
    case NodeKind::Output:
      return {"box", "rounded,filled", "#dcfce7", "#166534"};
    case NodeKind::Params:
      return {"note", "filled", "#fef9c3", "#a16207"};
    case NodeKind::Op:
      return {"box", "rounded,filled", "#f3f4f6", "#4b5563"};
    case NodeKind::Operator:
      return {"circle", "filled", "#f3f4f6", "#4b5563"};
    case NodeKind::Attention:
      return {"box", "rounded,filled,bold", "#fdba74", "#c2410c"};
    case NodeKind::Recurrent:
      return {"box", "rounded,filled", "#ddd6fe", "#6d28d9"};
    }
    llvm_unreachable("unknown node kind");
  }();
  std::string style =
      llvm::formatv(R"(shape={0}, style="{1}", )"
                    R"(fillcolor="{2}", color="{3}")",
                    look.shape, look.style, look.fill, look.line);
  if (kind == NodeKind::Params)
    style += ", fontsize=9";
  if (kind == NodeKind::Operator)
    style += ", margin=0.02";
  return style;
}

std::string getWrittenName(Location loc, const llvm::SourceMgr *sourceMgr) {
  auto file = dyn_cast<FileLineColLoc>(loc);
  if (!file || !sourceMgr)
    return "";
  for (unsigned id = 1; id <= sourceMgr->getNumBuffers(); ++id) {
    const llvm::MemoryBuffer *buffer = sourceMgr->getMemoryBuffer(id);
    if (buffer->getBufferIdentifier() != file.getFilename().getValue())
      continue;
    StringRef buffered = buffer->getBuffer();
    size_t start = 0;
    for (unsigned line = 1; line < file.getLine(); ++line) {
      start = buffered.find('\n', start);
      if (start == StringRef::npos)
        return "";
      ++start;
    }
    StringRef text =
        buffered.substr(start + std::max(file.getColumn(), 1u) - 1);
    if (text.empty())
      return "";
    if (llvm::isAlpha(text.front()) || text.front() == '_') {
      StringRef word = text.take_while(
          [](char c) { return llvm::isAlnum(c) || c == '_' || c == '.'; });
      // `x.T` is located at its `T`.
      return word == "T" ? "transpose" : word.str();
    }
    if (text.front() == '[')
      return "slice";
    if (StringRef("+-*/@").contains(text.front()))
      return std::string(1, text.front());
    return "";
  }
  return "";
}

SmallVector<std::string> describeAttention(ArrayRef<Operation *> ops) {
  SmallVector<std::string> lines;
  for (Operation *op : ops)
    if (auto score = dyn_cast<ScoreOpInterface>(op)) {
      ScoreSpec spec = score.getScoreSpec();
      std::string line = ("score: " + stringifyScoreKind(spec.kind)).str();
      if (spec.kind == ScoreKind::additive)
        line += " (Bahdanau)";
      if (spec.kind == ScoreKind::general || spec.kind == ScoreKind::location)
        line += " (Luong)";
      if (spec.scale)
        llvm::raw_string_ostream(line)
            << ", scale " << llvm::format("%g", spec.scale.getValueAsDouble());
      lines.push_back(line);
    }
  for (Operation *op : ops)
    if (auto mask = dyn_cast<MaskOpInterface>(op)) {
      MaskSpec spec = mask.getMaskSpec();
      SmallVector<std::string> parts;
      for (MaskKind bit : {MaskKind::causal, MaskKind::padding})
        if (spec.has(bit))
          parts.push_back(stringifyMaskKind(bit));
      // In the language's terms (docs/LANGUAGE.md, section 9): window(n)
      // centered on the query (local-m), window(n, at = c) centered on
      // predicted positions (local-p), local(n, at = c) with the Gaussian.
      if (spec.has(MaskKind::window)) {
        std::string window =
            spec.gaussian ? "local" : stringifyMaskKind(MaskKind::window);
        if (spec.window)
          window += " \u00b1" + std::to_string(*spec.window);
        window += !spec.positions ? " (local-m)"
                  : spec.gaussian ? " (local-p, gaussian)"
                                  : " (local-p)";
        parts.push_back(window);
      }
      if (!parts.empty())
        lines.push_back("mask: " + llvm::join(parts, " + "));
    }
  for (Operation *op : ops)
    if (auto attention = dyn_cast<AttentionOp>(op))
      if (attention.getHeads() > 1)
        lines.push_back("heads: " + std::to_string(attention.getHeads()));
  return lines;
}

SmallVector<std::string> describeRecurrent(ArrayRef<Operation *> ops) {
  bool forward = false, reverse = false;
  int64_t hidden = 0;
  for (Operation *op : ops) {
    if (!isa<GruOp, LstmOp, GruCellOp, LstmCellOp>(op))
      continue;
    hidden = cast<RankedTensorType>(op->getOperand(1).getType()).getDimSize(0);
    if (auto gru = dyn_cast<GruOp>(op))
      (gru.getReverse() ? reverse : forward) = true;
    if (auto lstm = dyn_cast<LstmOp>(op))
      (lstm.getReverse() ? reverse : forward) = true;
  }
  std::string line = forward && reverse ? "bidirectional, "
                     : reverse          ? "reverse, "
                     : forward          ? "forward, "
                                        : "";
  return {line + "hidden " + std::to_string(hidden)};
}

} // namespace mlir::attn::dot
