//===- Passes.td - attnc's lowering passes -----------------*- tablegen -*-===//

#ifndef ATTNC_PASSES_TD
#define ATTNC_PASSES_TD

include "mlir/Pass/PassBase.td"

def AttnFuse : Pass<"attn-fuse"> {
  let summary = "Fuse score -> softmax -> context chains into attn.attention";
  let description = [{
    Rewrites `attn.context (attn.softmax (attn.score q, k)), values` into
    one `attn.attention q, k, values` with the score's kind and parameters,
    the softmax's mask, and one head, so that later passes can tile the
    whole chain and never materialize the [Nq, Nk] scores. The fused op
    replaces the context and carries a FusedLoc of the three ops'
    locations, so diagnostics and debug info still point at the source.

    - The scores must have no other use: the fused op cannot return them.
    - Other uses of the softmax's weights (a returned alignment, say) take
      the fused op's second result; they must come after the context,
      where the fused op is defined.
    - The three ops must be in one block: fusing a context in a loop with
      weights computed before it would recompute the attention per
      iteration.
    - A chain whose fused op would not verify (possible with dynamic dims,
      where the ops verify one by one but e.g. the values do not match the
      keys) is left alone.

    Refusing is silent: the chain stays as it is, which is correct, only
    slower.
  }];
}

def ConvertAttnToLinalg : Pass<"convert-attn-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower attn ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Expands every `attn.score`, `attn.softmax`, `attn.context` and
    `attn.attention` into upstream ops on tensors, with the semantics of
    docs/AttnDialect.md; dynamic sizes are read with `tensor.dim`.

    - The products go to named linalg ops (`linalg.matmul`,
      `linalg.matmul_transpose_b`, `linalg.batch_matmul`,
      `linalg.batch_matmul_transpose_b`) so that `attn-matmul-to-blas` can
      send them to BLAS after bufferization. Several batch dims are
      collapsed into one first; a single query becomes a block of one.
    - `scaled_dot` scales the queries (Nq x d multiplies instead of
      Nq x Nk); without a `scale` it is 1/sqrt(dk), read at run time when dk
      is dynamic. `cosine` divides by max(|s| |h_j|, 1e-8), so a zero vector
      scores 0 instead of NaN. `additive` computes W s and U h_j once each
      and reduces v^T tanh(.) in one linalg.generic. `location` takes the
      first Nk entries of W s.
    - `softmax` is max-subtracted over the keys the mask keeps (max from
      -inf, then exp, sum, divide by the sum); a row without any kept key
      (or whose maximum is -inf) yields zeros, never NaN. Reductions (row
      max and sum, norms, the additive sum) carry `fastmath<reassoc>` so
      that LLVM can vectorize them. Masks are evaluated
      from `linalg.index` inside the generics; `gaussian` multiplies the
      normalized weights by exp(-(j - c)^2 / (2 (window/2)^2)) (by 1 for
      window 0).
    - `attention` expands into the chain. With heads(h) > 1 the feature dims
      are split with `tensor.expand_shape` and moved next to the batch dims
      with `linalg.transpose`; the per-head outputs are merged by one
      linalg.generic (reading head c floordiv d, feature c mod d) that
      writes a plain tensor.empty of the final shape, because
      eliminate-empty-tensors does not look through reshapes and the
      output should land in the caller's buffer.

    Anything the pass cannot lower is reported as an error and fails the
    pass: no module is left half lowered.

    The ops are read through the dialect's ScoreOpInterface,
    MaskOpInterface and QueryShapeOpInterface; the score kinds, the mask
    test and the normalization are built by passes/AttentionBuilder.h, the
    same code as attn-tile's, with all keys in one block.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::tensor::TensorDialect"
  ];
}

def AttnApproximateLocal : Pass<"attn-approximate-local"> {
  let summary = "Turn global attention into local attention, on request";
  let description = [{
    An approximation the user asks for (attnc `--local-window=W`, off by
    default): every `attn.attention` and `attn.softmax` without a window
    over more than `min-keys` keys gets the mask `window` of size W around
    the query index (local-m), on top of its other masks, so that query i
    attends only to keys j with |j - i| <= W. A key count known only at run
    time counts as more than `min-keys`. The result is exact when no
    sequence has more than W + 1 keys. Each op it changes gets a remark
    saying so; it is never silent.

    Left alone, with a remark: a single query (a decoder step) has no query
    index to center a window on. Ops that already have a window keep it.
  }];
  let options = [
    Option<"window", "window", "int64_t", /*default=*/"0",
           "The window size W (keys within W of the query); 0 changes nothing">,
    Option<"minKeys", "min-keys", "int64_t", /*default=*/"0",
           "Only ops over more keys than this (static key counts)">,
  ];
}

def AttnTile : Pass<"attn-tile"> {
  let summary = "Lower attn.attention to flash-style loops over query and "
                "key blocks with an online softmax";
  let description = [{
    Rewrites each `attn.attention` on a block of queries into one
    `scf.forall` over (group, head, query block) -- the batch dims are
    flattened into groups -- whose body runs an `scf.for` over the key
    blocks carrying the running row maximum, the running row sum and the
    accumulator (the output block itself), as in FlashAttention: per key
    block, the scores go into a [query-block x key-block] scratch tile,
    the maximum is updated, the tile becomes exp(e - max) in place, the sum
    and the accumulator are rescaled by exp(old max - new max), and the
    accumulator gets p V (`linalg.matmul`, a BLAS call after
    `attn-matmul-to-blas`). The output block is the accumulator divided by
    the sum (0 for a query without any kept key, never NaN). Memory is
    O(query-block x key-block) per thread besides the inputs and output.

    Score kinds: the per-op work is done once, before the loops, and the
    per-block work is a product where possible. `dot`; `scaled_dot`
    scales the queries once; `general` multiplies the queries by W once and
    then is a dot; `location` is a dot against the first Nk rows of W;
    `cosine` is a dot divided per block by max(|q_i| |k_j|, 1e-8) with the
    norms computed once; `additive` computes W s_i and U h_j once and
    v^T tanh(.) per block in one `linalg.generic`.

    Masks: key blocks that a mask removes entirely are never visited
    (causal: past the block's last query; padding with one length per
    sequence: at or past the length; window: outside [q0 - w, q_last + w]).
    Of the visited blocks, those no mask cuts into run without a mask test
    (the `scf.for` tagged `attn.key_blocks`); the rest (the causal diagonal,
    every block with per-query lengths or a window) test the mask in the
    generics (the loop tagged `attn.masked_key_blocks`).

    When the op returns the weights, a second `scf.for` over the visited
    key blocks recomputes the scores and writes exp(e - max) / sum with the
    final row maximum and sum into the weights; keys never visited get 0.

    With a causal mask the last query blocks (the most keys) are the first
    iterations, so that threads that take iterations in order finish
    together. The `scf.forall` becomes a call of `attnrt_parallel_for`
    (`attn-outline-parallel`) after bufferization.

    Not tiled (left for `convert-attn-to-linalg`): a single query (a decoder
    step has no query blocks), `positions` (local-p) and `gaussian`, and
    heads > 1 with a dynamic feature size.

    The score kinds, the mask test and the normalization come from
    passes/AttentionBuilder.h, shared with convert-attn-to-linalg. The
    numbers of blocks are `affine.apply` ceil divisions, which lower-affine
    expands later in the pipeline.
  }];
  let options = [
    Option<"queryBlock", "query-block", "int64_t", /*default=*/"128",
           "Queries per block (per parallel iteration)">,
    Option<"keyBlock", "key-block", "int64_t", /*default=*/"256",
           "Keys per block (per step of the online softmax)">,
  ];
  let dependentDialects = [
    "mlir::affine::AffineDialect", "mlir::arith::ArithDialect",
    "mlir::linalg::LinalgDialect", "mlir::math::MathDialect",
    "mlir::scf::SCFDialect", "mlir::tensor::TensorDialect"
  ];
}

def AttnReportCosts : Pass<"attn-report-costs", "mlir::ModuleOp"> {
  let summary = "Print each entry point's flops, weight bytes and peak "
                "scratch memory as formulas of its run-time dims";
  let description = [{
    attnc --report runs it in the pipeline right after deallocation and
    before attn-outline-parallel, where every buffer is a `memref.alloc`
    with its `memref.dealloc` and parallel loops are still `scf.forall`.
    Per entry point it prints, as polynomials of the run-time dims:

    - flops: the floating-point operations of every linalg op (its
      iteration space times the arithmetic and math ops of its body) and
      of every BLAS call (2 m n k for `attnrt_sgemm`, 2 m n for
      `attnrt_sgemv`), loops multiplied by their trip counts, the costlier
      side of each `scf.if`;
    - weights read: the bytes of the params the kernel uses;
    - peak scratch: the most bytes of `memref.alloc` live at once (each
      allocation asks for its size plus its alignment), walking the kernel
      in order: a dealloc frees its buffer, a loop that carries a buffer
      holds the previous iteration's while making the next, and the body
      of an `scf.forall` counts once per thread (`threads`).

    Index values are intervals of polynomials: loop bounds subtract exactly,
    while an induction variable or a `min` takes its largest case, and a
    division by a block size is exact for dims that are multiples of it. So
    the figures are exact for such dims where nothing depends on data, and
    upper bounds where something does (the key blocks a causal mask skips,
    the lengths of padded sequences). A size the analysis cannot follow
    makes its figure "unknown" rather than wrong. The output is text, one
    block per entry point; attn-opt prints it to stdout.
  }];
}

def AttnOutlineParallel : Pass<"attn-outline-parallel", "mlir::ModuleOp"> {
  let summary = "Run the bodies of scf.forall loops on buffers through "
                "attnrt_parallel_for";
  let description = [{
    Runs after bufferization and deallocation. Each one-dimensional
    `scf.forall` from 0 by 1 without outputs becomes

    - a private function `<parent>_parallel(i64 begin, i64 end, !llvm.ptr
      context)` that loads the values the body uses from the context struct
      and runs the body in an `scf.for` over [begin, end), and
    - at the loop: the captured values stored into a stack struct
      (`llvm.alloca` at the function's entry; memrefs as their LLVM
      descriptors through `unrealized_conversion_cast`, which the LLVM
      conversions fold away; index as i64) and a call

        func.call @attnrt_parallel_for(i64 count, !llvm.ptr body,
                                       !llvm.ptr context)

    The runtime runs the iterations on the OpenMP (libgomp) pool that
    OpenBLAS's OpenMP build also uses, so a BLAS call inside an iteration
    runs on that thread alone and the two never oversubscribe the cores
    (DESIGN.md section 6). MLIR's own OpenMP lowering would call LLVM's
    libomp instead: a second pool.

    Loops of another shape, or whose body uses a value of a type other than
    memref, index, integer, float or pointer, are left alone (the pipeline
    then runs them on one thread with `scf-forall-to-for`).
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::func::FuncDialect",
    "mlir::LLVM::LLVMDialect", "mlir::scf::SCFDialect"
  ];
}

def AttnMatmulToBlas : Pass<"attn-matmul-to-blas", "mlir::ModuleOp"> {
  let summary = "Rewrite bufferized f32 matmuls and matrix-vector products "
                "into calls of attnrt_sgemm / attnrt_sgemv";
  let description = [{
    Runs after bufferization. Rewrites `linalg.matmul`,
    `linalg.matmul_transpose_b`, `linalg.batch_matmul` and
    `linalg.batch_matmul_transpose_b` on f32 memrefs whose innermost
    stride is 1 into calls of the runtime's

      void attnrt_sgemm(i32 trans_a, i32 trans_b, i64 m, i64 n, i64 k,
                        f32 alpha, ptr a, i64 lda, ptr b, i64 ldb,
                        f32 beta, ptr c, i64 ldc)

    (row major, C = alpha op(A) op(B) + beta C), and `linalg.matvec`
    (y = A x) and `linalg.vecmat` (y = A^T x) on f32 memrefs whose matrix
    has an innermost stride of 1 and whose vectors have static strides
    >= 1 into calls of

      void attnrt_sgemv(i32 trans, i64 rows, i64 cols, f32 alpha, ptr a,
                        i64 lda, ptr x, i64 incx, f32 beta, ptr y, i64 incy)

    (row major, A stored rows x cols, y = alpha op(A) x + beta y; trans = 1
    for vecmat; the vector strides are the increments), each declared once
    per module when used. A vector stride known only at run time is left
    alone (it could be 0 or negative, which an increment does not mean the
    same way). sgemv rather than sgemm with n = 1: OpenBLAS 0.3.21 packs the
    operands of every sgemm, and sgemv is 2.7-5.7x faster for every M, K in
    100..2000 (bench/blas/gemv_vs_gemm.c; attnrt_sgemm itself forwards
    products with m == 1 or n == 1 to sgemv for the same reason).
    Batched products become an scf.for over the batch with one call each.
    First, the `linalg.generic` contractions that the frontend builds for
    products with leading axes, C[b..., m..., n] += A[b..., m..., k] *
    B[b..., k, n] (or B[b..., n, k], as `linear`), become a `linalg.matmul`
    (no b axes) or `linalg.batch_matmul` (`_transpose_b`) of
    `memref.collapse_shape` views that join the b axes and the m axes, when
    every view is contiguous; a zero fill of C right before it is moved to
    C's view. (On tensors the product cannot be computed collapsed:
    expanding [B * S, N] back to [B, S, N] with B and S both run-time sizes
    is a tensor.expand_shape that MLIR 19 cannot bufferize.)
    The index arithmetic (flop counts, addresses, leading dimensions) is
    `affine.apply` / `affine.max`, folded to constants where the sizes and
    strides are static; lower-affine expands the rest.
    linalg's products accumulate into the output, so beta is 1, unless the
    product is directly preceded by a `linalg.fill` of 0.0 into the same
    buffer: then that fill is folded into beta = 0.

    `min-flops` is compared with 2*m*n*k of one matmul (one batch item), and
    with 2*rows*cols of a matrix-vector product.
    Smaller products keep the op (which becomes loops); when a size is
    dynamic an scf.if chooses at run time between the call and the op
    (with min-flops=0 every product is a call, without a choice). The
    default, 512, is the measured break-even on this project's machines
    (OpenBLAS 0.3, one thread, f32): the loops that LLVM vectorizes from
    convert-linalg-to-loops run at 4-7 GFLOP/s, a call of attnrt_sgemm
    costs about 40 ns; a 4x4x4 product (128 flops) takes 0.033 us as loops
    and 0.043 us through BLAS, 1x16x16 (512) 0.074 against 0.059 us, 8x8x8
    (1024) 0.16 against 0.06 us, and from there BLAS pulls away (16x16x16:
    1.1 against 0.15 us; 64x64x64: 81 against 4.7 us).
  }];
  let options = [
    Option<"minFlops", "min-flops", "int64_t", /*default=*/"512",
           "Products with fewer flops (2*m*n*k, 2*rows*cols) than this stay "
           "as loops">
  ];
  let dependentDialects = [
    "mlir::affine::AffineDialect", "mlir::arith::ArithDialect",
    "mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect",
    "mlir::memref::MemRefDialect", "mlir::scf::SCFDialect"
  ];
}

def AttnMathApprox : Pass<"attn-math-approx"> {
  let summary = "Replace f32 exp, tanh, log, erf, ... by polynomial approximations";
  let description = [{
    Applies upstream's `populateMathPolynomialApproximationPatterns`, which
    MLIR 19 exposes as a function but not as a registered pass. The
    approximations are plain arith/math.fma code, so they vectorize with
    the loops around them instead of ending as one libm call per element
    (exp on vector<16xf32> measured 13x faster than libm, max relative error
    1.1e-7). Ops it does not cover (f64, math.sqrt, ...) are left alone.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::math::MathDialect",
    "mlir::vector::VectorDialect"
  ];
}

def AttnFuseElementwise : Pass<"attn-fuse-elementwise"> {
  let summary = "Fuse elementwise linalg ops, leaving the products alone";
  let description = [{
    Generalizes the named elementwise ops (`linalg.add`, `linalg.sub`,
    `linalg.mul`, `linalg.div`, ... whose indexing maps are all identities)
    and fuses an elementwise `linalg.generic` producer with a single use
    into the `linalg.generic` that consumes it, so a chain of elementwise
    ops makes one loop nest and no temporaries.

    Upstream's `linalg-fuse-elementwise-ops` is not used because it also
    propagates `tensor.expand_shape` through producers by rewriting
    `linalg.matmul` into `linalg.generic` (as happens to the projections in
    front of a multi-head split), which hides the product from
    `attn-matmul-to-blas`. Here only generics fuse with generics, and never
    into a generic that is a contraction (the products with leading axes
    of the frontend): a `relu` fused into the second `linear` of a
    feed-forward block would turn its sgemm into scalar loops.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def AttnSplitSharedInits : Pass<"attn-split-shared-inits"> {
  let summary = "Give every destination-passing op its own init tensor";
  let description = [{
    CSE merges identical `tensor.empty` ops, and `linalg.fill`s of them, so
    that several ops (say, the four projections of an attention layer) share
    one zero-filled init. One-shot bufferization then has to copy the shared
    buffer for each of them, and `eliminate-empty-tensors` cannot place a
    function output in the caller's buffer, which costs a copy of the whole
    output. Run right before bufferization, this pass gives each use of a
    `tensor.empty` or tensor `linalg.fill` its own clone (a fill's clone
    with its own `tensor.empty`), placed right before the user when both
    are in one block. A zero fill then sits right before its product, where
    `attn-matmul-to-blas` folds it into beta = 0.
  }];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"
  ];
}

def AttnSinkOutputReshapes : Pass<"attn-sink-output-reshapes"> {
  let summary = "Move reshapes of function outputs behind their destinations";
  let description = [{
    `eliminate-empty-tensors` does not look through reshapes: when an output
    is `bufferization.materialize_in_destination (tensor.expand_shape %x)
    in %out` (a product computed on collapsed batch dims, a decoder step
    computed as a block of one), %x gets its own buffer and the whole output
    is copied into %out. This pass rewrites it into
    `tensor.expand_shape (materialize_in_destination %x in
    (tensor.collapse_shape %out))` (and the same with collapse and expand
    swapped), with the reshaped destination placed right after %out's
    definition, so that %x is computed in a view of the caller's buffer.
    Only destinations that are function arguments (or reshapes of them) are
    rewritten; a collapse whose inverse expansion cannot be inferred (two
    dynamic dims in one group) is left alone.
  }];
  let dependentDialects = [
    "mlir::bufferization::BufferizationDialect", "mlir::tensor::TensorDialect"
  ];
}

def AttnLowerRecurrent : Pass<"attn-lower-recurrent"> {
  let summary = "Lower GRU and LSTM layers and cells to scf loops and linalg";
  let description = [{
    Rewrites `attn.gru_cell`, `attn.lstm_cell`, `attn.gru` and `attn.lstm`
    into upstream ops on tensors, with PyTorch's equations and gate order
    (docs/AttnDialect.md).

    - A layer over a sequence [S, I] projects every input row at once,
      X W_ih^T + b_ih as one `linalg.matmul_transpose_b` (sent to sgemm
      after bufferization), then runs an `scf.for` over the S rows (from the
      last one with `reverse`) whose body multiplies only the recurrent
      weights: `linalg.matvec` W_hh h, then one `linalg.generic` over the
      hidden units computes the gates and the next state, in place of the
      state it read. Each step's state is inserted into row t of the [S, H]
      outputs, a `bufferization.alloc_tensor` (see the code for why).
    - Biases are the init that a product accumulates into (a copy, or a
      broadcast over rows), so they cost no separate pass. The LSTM adds
      b_ih + b_hh once and accumulates W_hh h onto the input gates; the GRU
      keeps the hidden gates apart, since its candidate multiplies
      W_hn h + b_hn by the reset gate.
    - sigmoid is 1 / (1 + exp(-x)); exp and tanh stay `math` ops, which
      `attn-math-approx` later replaces by vectorizable polynomials.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::bufferization::BufferizationDialect",
    "mlir::linalg::LinalgDialect", "mlir::math::MathDialect",
    "mlir::scf::SCFDialect", "mlir::tensor::TensorDialect"
  ];
}

def AttnEmitCInterface : Pass<"attn-emit-c-interface", "mlir::ModuleOp"> {
  let summary = "Add a model's checked C entry points to its LLVM-dialect "
                "module, from its `attn.model`";
  let description = [{
    An application calls a compiled model through plain C functions
    (DESIGN.md section 8, docs/RUNTIME.md): `<model>_create` loads and
    checks the weights into an immutable handle, `<model>_destroy` frees
    it, and one `<model>_<fn>` per entry point takes the handle, the
    run-time dims its buffers use (`int64_t`), pointers to the inputs and
    to the caller-owned outputs, and returns an `attnrt_status`. The kernels
    the pipeline lowered take memref descriptors instead (the bare-pointer
    convention would silently leave dynamic shapes unconverted). This pass
    writes the wrappers between the two in the LLVM dialect, from the
    module's typed `attn.model` attribute (docs/AttnDialect.md), the same
    attribute attnc writes the C header from, so the two cannot disagree.

    - Every argument is checked before any memory is touched: the handle and
      every pointer are non-null, each dim is at least 1 and at most its
      bound, and the values of `i32` inputs that index memory (token ids,
      padding lengths) are in range (`attnrt_check_range` for arrays; a
      scalar is compared inline, so that its message has no index). A bad argument
      returns `ATTNRT_ERROR_*` with the thread's last error set, and the
      outputs are left untouched.
    - `<model>_create` binds the parameters in declaration order, each with
      its dtype and shape, so that a weights file that does not match fails
      at load time. A NULL path opens the weights embedded in the module,
      if it has them (a global `__attnc_weights` holding a safetensors
      image, added by attnc --embed-weights), from memory
      (`attnrt_model_open_memory`); a model without parameters accepts a
      NULL path too. Otherwise a NULL path is refused under the name of
      `<model>_create`.
    - The kernel gets a row-major descriptor per parameter, input and
      output. Every definition in the module but the C interface (the
      kernels, their outlined parallel bodies, upstream's dealloc_helper,
      globals) becomes internal: only `<model>_create`, `_destroy` and one
      function per entry are exported, so that several models link into one
      program, and LLVM may inline a kernel into its wrapper.
    - The runtime functions it calls and their types come from
      interface/RuntimeFunctions.def, checked against attnrt.h.

    It runs last, on a module lowered to the LLVM dialect (attnc's pipeline,
    or `attnc-lower{c-interface=1}`). It refuses a module without
    `attn.model`, an entry whose kernel is missing, is not an `llvm.func`,
    returns values (its outputs were not written in place) or takes other
    arguments than the interface describes, a module that already defines a
    symbol the wrappers define, and a declaration of a runtime function with
    another type than libattnrt's; it then adds nothing.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // ATTNC_PASSES_TD
