//===- DotGraph.cpp - The dataflow graph of a model, for Graphviz ---------===//
//
// Upstream's -view-op-graph draws every op (constants, tensor.empty, the
// bodies of linalg.generic) as its own node, types with `?` for run-time
// sizes, and nothing that says what an attention computes. This printer
// draws the model instead: what one builtin call made is one node, sizes
// are named as in the .attn file, and attention ops say how they score and
// mask.
//
//===----------------------------------------------------------------------===//

#include "interface/DotGraph.h"

#include "interface/CInterface.h"
#include "interface/DotLabels.h"
#include "interface/DotSizes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::attn;
using namespace mlir::attn::dot;

namespace {

//===----------------------------------------------------------------------===//
// One entry point
//===----------------------------------------------------------------------===//

/// The cluster of one entry point: its inputs, the params it reads, a node
/// per group of ops from one builtin call, its outputs.
class EntryGraph {
public:
  EntryGraph(func::FuncOp kernel, ModelAttr model, EntryAttr entry,
             std::string prefix, const llvm::SourceMgr *sourceMgr)
      : kernel(kernel), model(model), entry(entry), prefix(std::move(prefix)),
        sourceMgr(sourceMgr) {}

  LogicalResult print(llvm::raw_ostream &os) {
    if (failed(scan()))
      return failure();
    os << "  subgraph " << quote("cluster_" + prefix) << " {\n"
       << "    label=" << getLabel("fn " + entry.getName().str()) << ";\n"
       << "    style=\"rounded,dashed\"; color=\"#9ca3af\";\n";
    for (auto [index, arg] : llvm::enumerate(entry.getInputs()))
      printNode(
          os, getInputId(index), NodeKind::Input,
          getLabel(arg.getName(), {sizes.getTypeText(getInputArg(index))}));
    for (BlockArgument param : getUsedParams())
      if (!privateOwner.count(param))
        printNode(os, getParamId(param.getArgNumber()), NodeKind::Params,
                  getParamsLabel({param}));
    for (auto [index, group] : llvm::enumerate(groups)) {
      SmallVector<BlockArgument> own;
      for (BlockArgument param : getUsedParams())
        if (privateOwner.lookup(param) == group.leader)
          own.push_back(param);
      if (!own.empty())
        printNode(os, getGroupId(index) + "_w", NodeKind::Params,
                  getParamsLabel(own));
      printGroup(os, index, group.ops);
    }
    for (auto [index, arg] : llvm::enumerate(entry.getOutputs()))
      printNode(
          os, getOutputId(index), NodeKind::Output,
          getLabel(arg.getName(), {sizes.getTypeText(getOutputArg(index))}));
    // The params of a group's note are one edge.
    llvm::StringSet<> printed;
    for (const Edge &edge : edges) {
      std::string from = getSourceId(edge.from);
      if (!printed.insert(from + " -> " + edge.to).second)
        continue;
      os << "    " << from << " -> " << edge.to;
      // Inputs and params show their types on their nodes.
      std::string label = edge.roles;
      if (!isa<BlockArgument>(edge.from) && !edge.type.empty())
        label += (label.empty() ? "" : "\n") + edge.type;
      if (isParam(edge.from))
        os << " [style=dashed, color=\"#a16207\", arrowsize=0.6]";
      else if (!label.empty())
        os << " [label=" << quote(label) << "]";
      os << ";\n";
    }
    os << "  }\n";
    return success();
  }

private:
  struct Group {
    Operation *leader;
    SmallVector<Operation *> ops;
  };
  /// A value `from` (a kernel argument or a result of a group) flows into
  /// the node `to`, as the operands `roles` of an attention, with the type
  /// `type` (none into an output).
  struct Edge {
    Value from;
    std::string to, roles, type;
  };

  unsigned getNumParams() const { return model.getParams().size(); }
  unsigned getNumInputs() const { return entry.getInputs().size(); }
  Block &getBody() { return kernel.getBody().front(); }
  BlockArgument getInputArg(unsigned index) {
    return getBody().getArgument(getNumParams() + index);
  }
  BlockArgument getOutputArg(unsigned index) {
    return getBody().getArgument(getNumParams() + getNumInputs() + index);
  }
  bool isParam(Value value) const {
    auto arg = dyn_cast<BlockArgument>(value);
    return arg && arg.getArgNumber() < getNumParams();
  }

  std::string getInputId(unsigned index) const {
    return prefix + "_in" + std::to_string(index);
  }
  std::string getOutputId(unsigned index) const {
    return prefix + "_out" + std::to_string(index);
  }
  std::string getParamId(unsigned number) const {
    return prefix + "_p" + std::to_string(number);
  }
  std::string getGroupId(unsigned index) const {
    return prefix + "_n" + std::to_string(index);
  }

  /// The node that draws `from`.
  std::string getSourceId(Value from) const {
    if (auto arg = dyn_cast<BlockArgument>(from)) {
      if (!isParam(arg))
        return getInputId(arg.getArgNumber() - getNumParams());
      if (Operation *owner = privateOwner.lookup(arg))
        return getGroupId(groupIndex.lookup(owner)) + "_w";
      return getParamId(arg.getArgNumber());
    }
    return getGroupId(
        groupIndex.lookup(classes.getLeaderValue(from.getDefiningOp())));
  }

  /// The params the entry reads, in the model's order.
  SmallVector<BlockArgument> getUsedParams() {
    SmallVector<BlockArgument> params;
    for (BlockArgument arg :
         getBody().getArguments().take_front(getNumParams()))
      if (consumers.count(arg))
        params.push_back(arg);
    return params;
  }

  std::string getParamsLabel(ArrayRef<BlockArgument> params) const {
    std::string label =
        R"(<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">)";
    for (BlockArgument param : params)
      label += "<tr><td align=\"left\"><b>" +
               escapeHtml(model.getParams()[param.getArgNumber()].getName()) +
               "&#160;&#160;</b></td><td align=\"left\">" +
               escapeHtml(sizes.getTypeText(param)) + "</td></tr>";
    return label + "</table>>";
  }

  void printNode(llvm::raw_ostream &os, StringRef id, NodeKind kind,
                 StringRef label) {
    os << "    " << id << " [" << getStyle(kind) << ", label=" << label
       << "];\n";
  }

  void printGroup(llvm::raw_ostream &os, unsigned index,
                  ArrayRef<Operation *> ops) {
    std::string name = getWrittenName(ops.front()->getLoc(), sourceMgr);
    if (name.empty())
      name = ops.back()->getName().stripDialect().str();
    NodeKind kind = name.size() == 1 ? NodeKind::Operator : NodeKind::Op;
    SmallVector<std::string> details;
    if (llvm::any_of(ops, [](Operation *op) {
          return isa<ScoreOp, SoftmaxOp, ContextOp, AttentionOp>(op);
        })) {
      kind = NodeKind::Attention;
      details = describeAttention(ops);
    } else if (llvm::any_of(ops, [](Operation *op) {
                 return isa<GruOp, LstmOp, GruCellOp, LstmCellOp>(op);
               })) {
      kind = NodeKind::Recurrent;
      details = describeRecurrent(ops);
    }
    printNode(os, getGroupId(index), kind, getLabel(name, details));
  }

  /// What `from` is to the attention ops among `ops`: "query",
  /// "keys, values", "lengths", ...; "" when it is none of those.
  std::string getRoles(ArrayRef<Operation *> ops, Value from) const {
    SmallVector<StringRef> roles;
    auto add = [&](Value operand, StringRef role) {
      if (operand && origin.lookup(operand) == from &&
          !llvm::is_contained(roles, role))
        roles.push_back(role);
    };
    for (Operation *op : ops) {
      if (auto score = dyn_cast<ScoreOp>(op)) {
        add(score.getQuery(), "query");
        add(score.getKeys(), "keys");
      }
      if (auto attention = dyn_cast<AttentionOp>(op)) {
        add(attention.getQuery(), "query");
        add(attention.getKeys(), "keys");
        add(attention.getValues(), "values");
      }
      if (auto context = dyn_cast<ContextOp>(op))
        add(context.getValues(), "values");
      if (auto mask = dyn_cast<MaskOpInterface>(op)) {
        MaskSpec spec = mask.getMaskSpec();
        add(spec.lengths, "lengths");
        add(spec.positions, "positions");
      }
    }
    return llvm::join(roles, ", ");
  }

  /// Ops that only change how a value is typed or where it lands: their
  /// result is drawn as their operand.
  static bool isTransparent(Operation *op) {
    return isa<tensor::CastOp, tensor::CollapseShapeOp, tensor::ExpandShapeOp,
               bufferization::MaterializeInDestinationOp>(op);
  }

  /// Names the sizes, finds the values that carry data, groups the ops of
  /// one call, and collects the edges between the groups.
  LogicalResult scan() {
    unsigned numOutputs = entry.getOutputs().size();
    if (getBody().getNumArguments() !=
        getNumParams() + getNumInputs() + numOutputs)
      return kernel.emitError("the kernel's arguments are not the params, "
                              "inputs and outputs of its attn.model entry");
    for (auto [index, param] : llvm::enumerate(model.getParams())) {
      sizes.set(getBody().getArgument(index), param.getShape());
      origin[getBody().getArgument(index)] = getBody().getArgument(index);
    }
    for (auto [index, arg] : llvm::enumerate(entry.getInputs())) {
      sizes.set(getInputArg(index), arg.getShape());
      origin[getInputArg(index)] = getInputArg(index);
    }
    for (auto [index, arg] : llvm::enumerate(entry.getOutputs()))
      sizes.set(getOutputArg(index), arg.getShape());

    // Data flows from the inputs and params; what does not depend on them
    // (constants, empty tensors, their fills, sizes) is left out. An op with
    // regions is one node, reading what its body reads from outside; the
    // fused stage has no loops (recurrent layers are ops until
    // attn-lower-recurrent, attention is tiled after it).
    SmallVector<Operation *> nodeOps;
    DenseMap<Operation *, SmallVector<Value>> dataOperands;
    for (Operation &op : getBody().without_terminator()) {
      sizes.inferResults(&op);
      SetVector<Value> used(op.operand_begin(), op.operand_end());
      getUsedValuesDefinedAbove(op.getRegions(), used);
      SmallVector<Value> data;
      for (Value value : used)
        if (origin.count(value))
          data.push_back(value);
      if (data.empty() || llvm::none_of(op.getResultTypes(), [](Type type) {
            return isa<RankedTensorType>(type);
          }))
        continue;
      if (isTransparent(&op) && data.size() == 1) {
        Value from = origin.lookup(data.front());
        for (Value result : op.getResults())
          origin[result] = from;
        continue;
      }
      // The ops of one builtin call share its location.
      classes.insert(&op);
      for (Value value : data)
        if (Operation *producer = origin[value].getDefiningOp())
          if (producer->getLoc() == op.getLoc())
            classes.unionSets(producer, &op);
      for (Value result : op.getResults())
        if (isa<RankedTensorType>(result.getType()))
          origin[result] = result;
      nodeOps.push_back(&op);
      dataOperands[&op] = std::move(data);
    }

    for (Operation *op : nodeOps) {
      Operation *leader = classes.getLeaderValue(op);
      auto [it, inserted] = groupIndex.try_emplace(leader, groups.size());
      if (inserted)
        groups.push_back({leader, {}});
      groups[it->second].ops.push_back(op);
    }

    // One edge per value and consumer, none inside a group.
    DenseSet<std::pair<Value, StringRef>> seen;
    auto addEdge = [&](Value value, std::string to, std::string roles,
                       std::string type) {
      Value from = origin.lookup(value);
      StringRef toId = toIds.insert(to).first->getKey();
      if (!seen.insert({from, toId}).second)
        return;
      consumers[from].insert(toId);
      edges.push_back({from, std::move(to), std::move(roles), std::move(type)});
    };
    for (auto [index, group] : llvm::enumerate(groups))
      for (Operation *op : group.ops)
        for (Value value : dataOperands[op]) {
          Operation *producer = origin[value].getDefiningOp();
          if (producer && classes.getLeaderValue(producer) == group.leader)
            continue;
          addEdge(value, getGroupId(index),
                  getRoles(group.ops, origin.lookup(value)),
                  sizes.getTypeText(value));
        }
    Operation *terminator = getBody().getTerminator();
    for (auto [index, value] : llvm::enumerate(terminator->getOperands()))
      if (origin.count(value))
        addEdge(value, getOutputId(index), "", "");

    // A param that one group alone reads is listed in that group's params
    // note, so that a layer's weights are one node.
    for (BlockArgument param : getUsedParams()) {
      const llvm::SetVector<StringRef> &to = consumers[param];
      if (to.size() != 1)
        continue;
      for (auto [index, group] : llvm::enumerate(groups))
        if (to.front() == getGroupId(index))
          privateOwner[param] = group.leader;
    }
    return success();
  }

  func::FuncOp kernel;
  ModelAttr model;
  EntryAttr entry;
  std::string prefix;
  const llvm::SourceMgr *sourceMgr;

  SizeNames sizes;
  /// A value that carries data -> the value drawn as its source.
  DenseMap<Value, Value> origin;
  llvm::EquivalenceClasses<Operation *> classes;
  SmallVector<Group> groups;
  DenseMap<Operation *, unsigned> groupIndex;
  SmallVector<Edge> edges;
  llvm::StringSet<> toIds;
  /// A value drawn as a source -> the ids of the nodes it flows into.
  DenseMap<Value, llvm::SetVector<StringRef>> consumers;
  /// A param that only one group reads -> that group's leader.
  DenseMap<Value, Operation *> privateOwner;
};

} // namespace

LogicalResult mlir::attn::printDataflowGraph(ModuleOp module,
                                             llvm::raw_ostream &os,
                                             const llvm::SourceMgr *sourceMgr) {
  FailureOr<ModelAttr> model = lookupModel(module);
  if (failed(model))
    return failure();
  std::string text;
  llvm::raw_string_ostream graph(text);
  graph << "digraph " << quote(model->getName()) << " {\n"
        << "  graph [rankdir=TB, fontname=\"Helvetica\", labelloc=t, "
           "nodesep=0.3, ranksep=0.35, label="
        << getLabel("model " + model->getName().str()) << "];\n"
        << "  node [fontname=\"Helvetica\", fontsize=11];\n"
        << "  edge [fontname=\"Helvetica\", fontsize=9, "
           "fontcolor=\"#374151\", color=\"#374151\"];\n";
  for (auto [index, entry] : llvm::enumerate(model->getEntries())) {
    auto kernel =
        module.lookupSymbol<func::FuncOp>(entry.getKernel().getAttr());
    if (!kernel || kernel.isExternal())
      return module.emitError("no kernel ")
             << entry.getKernel() << " for the entry point '" << entry.getName()
             << "'";
    EntryGraph entryGraph(kernel, *model, entry, "fn" + std::to_string(index),
                          sourceMgr);
    if (failed(entryGraph.print(graph)))
      return failure();
  }
  graph << "}\n";
  os << text;
  return success();
}
