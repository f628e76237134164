//===- AttnOpsTest.cpp - Builders, interfaces and enums of attn ops -------===//

#include "dialect/AttnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::attn;

namespace {

class AttnOpsTest : public ::testing::Test {
protected:
  AttnOpsTest() : builder(&context) {
    context.loadDialect<AttnDialect, func::FuncDialect>();
    module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
  }

  /// A function argument of type tensor<shape x f32> to build ops on.
  Value arg(ArrayRef<int64_t> shape, Type elementType = {}) {
    if (!elementType)
      elementType = builder.getF32Type();
    if (!func) {
      func = builder.create<func::FuncOp>(builder.getUnknownLoc(), "f",
                                          builder.getFunctionType({}, {}));
      builder.setInsertionPointToStart(func.addEntryBlock());
    }
    Block &body = func.getBody().front();
    return body.addArgument(RankedTensorType::get(shape, elementType),
                            builder.getUnknownLoc());
  }

  /// Verifies `op` and returns the first diagnostic, or "" if it verified.
  std::string verifyMessage(Operation *op) {
    std::string message;
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      if (message.empty())
        message = diag.str();
      return success();
    });
    return failed(verify(op)) ? message : std::string();
  }

  static constexpr int64_t kDyn = ShapedType::kDynamic;
  MLIRContext context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
  func::FuncOp func;
};

TEST_F(AttnOpsTest, ScoreBuilderInfersBlockShape) {
  Value query = arg({4, kDyn, 64});
  Value keys = arg({kDyn, 10, 64});
  auto score = builder.create<ScoreOp>(builder.getUnknownLoc(),
                                       ScoreKind::dot, query, keys);
  // Batch dim 0 comes from the query, the key count from the keys.
  EXPECT_EQ(score.getType(),
            RankedTensorType::get({4, kDyn, 10}, builder.getF32Type()));
  EXPECT_EQ(verifyMessage(score), "");
}

TEST_F(AttnOpsTest, ScoreBuilderInfersSingleQueryShape) {
  Value state = arg({64});
  Value keys = arg({kDyn, 128});
  Value w = arg({32, 64}), u = arg({32, 128}), v = arg({32});
  auto score = builder.create<ScoreOp>(
      builder.getUnknownLoc(), ScoreKind::additive, state, keys, w, u, v);
  EXPECT_EQ(score.getType(),
            RankedTensorType::get({kDyn}, builder.getF32Type()));
  EXPECT_EQ(verifyMessage(score), "");
}

TEST_F(AttnOpsTest, ContextBuilderInfersShape) {
  Value weights = arg({2, 5, 7});
  Value values = arg({2, 7, 16});
  auto context = builder.create<ContextOp>(builder.getUnknownLoc(), weights,
                                           values);
  EXPECT_EQ(context.getType(),
            RankedTensorType::get({2, 5, 16}, builder.getF32Type()));
  EXPECT_EQ(verifyMessage(context), "");
}

TEST_F(AttnOpsTest, VerifierReportsMissingParameter) {
  Value query = arg({8, 64});
  Value keys = arg({8, 32});
  auto score = builder.create<ScoreOp>(builder.getUnknownLoc(),
                                       ScoreKind::general, query, keys);
  EXPECT_EQ(verifyMessage(score),
            "'attn.score' op general score needs a 'W' parameter");
}

TEST_F(AttnOpsTest, MaskKindsCombineAndRoundTrip) {
  MaskKind mask = MaskKind::causal | MaskKind::window;
  EXPECT_EQ(stringifyMaskKind(mask), "causal|window");
  EXPECT_EQ(symbolizeMaskKind("causal|window"), mask);
  EXPECT_EQ(stringifyMaskKind(MaskKind::none), "none");
  EXPECT_FALSE(symbolizeMaskKind("causal|sideways").has_value());
  EXPECT_TRUE(bitEnumContainsAll(mask, MaskKind::window));
  EXPECT_FALSE(bitEnumContainsAll(mask, MaskKind::padding));
}

TEST_F(AttnOpsTest, ScoreKindsRoundTrip) {
  for (ScoreKind kind :
       {ScoreKind::dot, ScoreKind::scaled_dot, ScoreKind::general,
        ScoreKind::additive, ScoreKind::cosine, ScoreKind::location})
    EXPECT_EQ(symbolizeScoreKind(stringifyScoreKind(kind)), kind);
  EXPECT_FALSE(symbolizeScoreKind("bilinear").has_value());
}

TEST_F(AttnOpsTest, ParsedAttentionKeepsItsAttributes) {
  const char *source = R"mlir(
    func.func @f(%q: tensor<?x64xf32>, %k: tensor<?x64xf32>,
                 %v: tensor<?x64xf32>) -> tensor<?x64xf32> {
      %o = attn.attention scaled_dot %q, %k, %v heads(4) mask<causal|window>
          window(16) : (tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>)
          -> tensor<?x64xf32>
      return %o : tensor<?x64xf32>
    })mlir";
  OwningOpRef<ModuleOp> parsed =
      parseSourceString<ModuleOp>(source, ParserConfig(&context));
  ASSERT_TRUE(parsed);
  AttentionOp op;
  parsed->walk([&](AttentionOp found) { op = found; });
  ASSERT_TRUE(op);
  EXPECT_EQ(op.getKind(), ScoreKind::scaled_dot);
  EXPECT_EQ(op.getHeads(), 4u);
  EXPECT_EQ(op.getMask(), MaskKind::causal | MaskKind::window);
  EXPECT_EQ(op.getWindow(), 16u);
  EXPECT_FALSE(op.getWeights());
}

TEST_F(AttnOpsTest, InterfacesReadScoreAndMask) {
  const char *source = R"mlir(
    func.func @f(%q: tensor<2x?x16xf32>, %k: tensor<2x?x10xf32>,
                 %v: tensor<2x?x8xf32>, %w: tensor<10x16xf32>,
                 %va: tensor<10xf32>, %len: tensor<2xi32>,
                 %s: tensor<2x16xf32>, %h: tensor<2x?x16xf32>,
                 %p: tensor<2xf32>) {
      %o = attn.attention additive %q, %k, %v W(%w) v(%va)
          mask<causal|padding> lengths(%len)
          : (tensor<2x?x16xf32>, tensor<2x?x10xf32>, tensor<2x?x8xf32>,
             tensor<10x16xf32>, tensor<10xf32>, tensor<2xi32>)
          -> tensor<2x?x8xf32>
      %e = attn.score scaled_dot %s, %h scale(0.5)
          : (tensor<2x16xf32>, tensor<2x?x16xf32>) -> tensor<2x?xf32>
      %a = attn.softmax %e mask<window> window(3) positions(%p) gaussian
          : (tensor<2x?xf32>, tensor<2xf32>) -> tensor<2x?xf32>
      %z = attn.context %a, %v
          : (tensor<2x?xf32>, tensor<2x?x8xf32>) -> tensor<2x8xf32>
      return
    })mlir";
  OwningOpRef<ModuleOp> parsed =
      parseSourceString<ModuleOp>(source, ParserConfig(&context));
  ASSERT_TRUE(parsed);
  SmallVector<Operation *> ops;
  parsed->walk([&](Operation *op) {
    if (isa<AttnDialect>(op->getDialect()))
      ops.push_back(op);
  });
  ASSERT_EQ(ops.size(), 4u);

  auto attention = cast<ScoreOpInterface>(ops[0]);
  ScoreSpec additive = attention.getScoreSpec();
  EXPECT_EQ(additive.kind, ScoreKind::additive);
  EXPECT_TRUE(additive.w && additive.v && !additive.u && !additive.scale);
  MaskSpec padded = cast<MaskOpInterface>(ops[0]).getMaskSpec();
  EXPECT_EQ(padded.kind, MaskKind::causal | MaskKind::padding);
  EXPECT_TRUE(padded.lengths && !padded.positions && !padded.window);
  EXPECT_TRUE(padded.usesQueryIndex());

  ScoreSpec scaled = cast<ScoreOpInterface>(ops[1]).getScoreSpec();
  EXPECT_EQ(scaled.kind, ScoreKind::scaled_dot);
  EXPECT_EQ(scaled.scale.getValueAsDouble(), 0.5);
  MaskSpec local = cast<MaskOpInterface>(ops[2]).getMaskSpec();
  EXPECT_EQ(local.window, 3);
  EXPECT_TRUE(local.positions && local.gaussian);
  // Centered on `positions`, not on the query index.
  EXPECT_FALSE(local.usesQueryIndex());

  // A block of queries, then a single decoder state per batch item. The
  // softmax sees only its scores [2, Nk]: the second-last dim counts as the
  // query axis (the dialect's convention), so it is not a single query.
  std::vector<bool> single;
  for (Operation *op : ops)
    single.push_back(cast<QueryShapeOpInterface>(op).isSingleQuery());
  EXPECT_EQ(single, (std::vector<bool>{false, true, false, true}));
}

TEST_F(AttnOpsTest, AttentionBuilderTakesSpecs) {
  Value query = arg({kDyn, 64}), keys = arg({kDyn, 64}),
        values = arg({kDyn, 32});
  ScoreSpec score{
      ScoreKind::scaled_dot, {}, {}, {}, builder.getF32FloatAttr(0.25f)};
  MaskSpec mask;
  mask.kind = MaskKind::causal | MaskKind::window;
  mask.window = 8;
  auto op = builder.create<AttentionOp>(builder.getUnknownLoc(),
                                        values.getType(), Type(), query, keys,
                                        values, score, /*heads=*/2, mask);
  EXPECT_EQ(verifyMessage(op), "");
  EXPECT_EQ(op.getKind(), ScoreKind::scaled_dot);
  EXPECT_EQ(op.getScaleAttr(), score.scale);
  EXPECT_EQ(op.getHeads(), 2u);
  EXPECT_EQ(op.getMask(), mask.kind);
  EXPECT_EQ(op.getWindow(), 8u);
  EXPECT_FALSE(op.getGaussian());
  EXPECT_FALSE(op.getWeights());
  // The specs read back through the interfaces are the ones given.
  EXPECT_EQ(op.getMaskSpec().window, 8);
  EXPECT_EQ(op.getScoreSpec().scale, score.scale);
}

} // namespace
