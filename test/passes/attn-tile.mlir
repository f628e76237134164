// attn-tile (passes/Tile.cpp: the loop nest; TileGeometry.cpp: the views,
// the precomputation and the keys a query block visits; TileSoftmax.cpp: the
// online-softmax step, the final division and the weights pass), with the
// score kinds, mask test and normalization of passes/AttentionBuilder.cpp.
// RUN: attn-opt %s --attn-tile --canonicalize --cse | FileCheck %s
// RUN: attn-opt %s --attn-tile="query-block=32 key-block=128" --canonicalize --cse | FileCheck %s --check-prefix=SIZES
// RUN: not attn-opt %s --attn-tile="key-block=0" 2>&1 | FileCheck %s --check-prefix=BADSIZE

// BADSIZE: error: attn-tile: query-block and key-block must be at least 1, not 128 and 0

// The numbers of query and key blocks are ceil divisions.
// CHECK-DAG: #[[CEIL128:.+]] = affine_map<()[s0] -> (s0 ceildiv 128)>
// CHECK-DAG: #[[CEIL256:.+]] = affine_map<()[s0] -> (s0 ceildiv 256)>
// SIZES-DAG: #[[CEIL32:.+]] = affine_map<()[s0] -> (s0 ceildiv 32)>

// The loop structure: one scf.forall over the query blocks (one group, one
// head here), an scf.for over the key blocks carrying the row max, the row
// sum, the accumulator (the output block itself) and the scratch tile. The
// last block has min(128, N - q0) queries and min(256, end - k0) keys.
// CHECK-LABEL: func.func @structure
// CHECK-SAME: (%[[Q:.+]]: tensor<?x64xf32>, %[[K:.+]]: tensor<?x64xf32>, %[[V:.+]]: tensor<?x64xf32>)
// CHECK: %[[N:.+]] = tensor.dim %[[Q]], %c0
// CHECK: %[[QV:.+]] = tensor.expand_shape %[[Q]] {{\[\[}}0, 1], [2, 3]] output_shape [1, %[[N]], 1, 64]
// CHECK: %[[KV:.+]] = tensor.expand_shape %[[K]]
// CHECK: %[[VV:.+]] = tensor.expand_shape %[[V]]
// CHECK: %[[OUT:.+]] = tensor.empty(%[[N]]) : tensor<1x?x1x64xf32>
// CHECK: %[[BLOCKS:.+]] = affine.apply #[[CEIL128]]()[%[[N]]]
// CHECK: %[[RES:.+]] = scf.forall (%[[IV:.+]]) in (%[[BLOCKS]]) shared_outs(%[[O:.+]] = %[[OUT]]) -> (tensor<1x?x1x64xf32>)
// CHECK:   %[[Q0:.+]] = arith.muli %{{.+}}, %c128
// CHECK:   %[[LEFT:.+]] = arith.subi %[[N]], %[[Q0]]
// CHECK:   %[[ROWS:.+]] = arith.minsi %[[LEFT]], %c128
// CHECK:   %[[QB:.+]] = tensor.extract_slice %[[QV]][%{{.+}}, %[[Q0]], 0, 0] [1, %[[ROWS]], 1, 64] [1, 1, 1, 1] : tensor<1x?x1x64xf32> to tensor<?x64xf32>
// CHECK:   %[[ACCBLOCK:.+]] = tensor.extract_slice %[[O]][%{{.+}}, %[[Q0]], 0, 0] [1, %[[ROWS]], 1, 64]
// CHECK:   %[[ACC0:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[ACCBLOCK]] : tensor<?x64xf32>)
// CHECK:   %[[SCRATCH:.+]] = tensor.empty(%[[ROWS]]) : tensor<?x256xf32>
// CHECK:   %[[LOOP:.+]]:4 = scf.for %[[KB:.+]] = %c0 to %{{.+}} step %c1 iter_args(%[[MAX:.+]] = %{{.+}}, %[[SUM:.+]] = %{{.+}}, %[[ACC:.+]] = %[[ACC0]], %[[TILE:.+]] = %[[SCRATCH]])
// CHECK:     %[[K0:.+]] = arith.muli %[[KB]], %c256
// CHECK:     %[[COLS:.+]] = arith.minsi %{{.+}}, %c256
// CHECK:     %[[S:.+]] = tensor.extract_slice %[[TILE]][0, 0] [%[[ROWS]], %[[COLS]]]
// CHECK:     %[[KBLK:.+]] = tensor.extract_slice %[[KV]][%{{.+}}, %[[K0]], 0, 0] [1, %[[COLS]], 1, 64]
// CHECK:     %[[ZERO:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[S]] : tensor<?x?xf32>)
// CHECK:     %[[SCORES:.+]] = linalg.matmul_transpose_b ins(%[[QB]], %[[KBLK]] : tensor<?x64xf32>, tensor<?x64xf32>) outs(%[[ZERO]] : tensor<?x?xf32>)
// The running max (a reduction over the keys from the old max) ...
// CHECK:     %[[NEWMAX:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[SCORES]] : tensor<?x?xf32>) outs(%[[MAX]] : tensor<?xf32>)
// CHECK:       arith.maximumf
// ... the rescale factor exp(old max - new max) ...
// CHECK:     %[[RESCALE:.+]] = linalg.generic {{.*}} ins(%[[MAX]], %{{.+}} : tensor<?xf32>, tensor<?xf32>)
// CHECK:       math.exp
// ... p = exp(e - max) in place of the scores ...
// CHECK:     %[[P:.+]] = linalg.generic {{.*}} outs(%[[SCORES]] : tensor<?x?xf32>)
// CHECK:       math.exp
// ... sum * rescale + row sums of p, acc * rescale + p V.
// CHECK:     %[[SCALEDSUM:.+]] = linalg.generic {{.*}} ins(%[[RESCALE]] : tensor<?xf32>) outs(%[[SUM]] : tensor<?xf32>)
// CHECK:     %[[NEWSUM:.+]] = linalg.generic {{.*}} ins(%[[P]] : tensor<?x?xf32>) outs(%[[SCALEDSUM]] : tensor<?xf32>)
// CHECK:     %[[SCALEDACC:.+]] = linalg.generic {{.*}} ins(%[[RESCALE]] : tensor<?xf32>) outs(%[[ACC]] : tensor<?x64xf32>)
// CHECK:     %[[VBLK:.+]] = tensor.extract_slice %[[VV]][%{{.+}}, %[[K0]], 0, 0] [1, %[[COLS]], 1, 64]
// CHECK:     %[[NEWACC:.+]] = linalg.matmul ins(%[[P]], %[[VBLK]] : tensor<?x?xf32>, tensor<?x64xf32>) outs(%[[SCALEDACC]] : tensor<?x64xf32>)
// CHECK:     %[[NEWTILE:.+]] = tensor.insert_slice %[[P]] into %[[TILE]]
// CHECK:     scf.yield %[[NEWMAX]], %[[NEWSUM]], %[[NEWACC]], %[[NEWTILE]]
// CHECK:   } {attn.key_blocks}
// No mask: no second, masked loop.
// CHECK-NOT: attn.masked_key_blocks
// out = acc / sum, 0 where the sum is 0.
// CHECK:   %[[NORM:.+]] = linalg.generic {{.*}} ins(%[[LOOP]]#1 : tensor<?xf32>) outs(%[[LOOP]]#2 : tensor<?x64xf32>)
// CHECK:     arith.cmpf ogt
// CHECK:     arith.divf
// CHECK:     arith.select
// CHECK:   scf.forall.in_parallel
// CHECK:     tensor.parallel_insert_slice %[[NORM]] into %[[O]][%{{.+}}, %[[Q0]], 0, 0] [1, %[[ROWS]], 1, 64]
// CHECK: tensor.collapse_shape %[[RES]] {{\[\[}}0, 1], [2, 3]] : tensor<1x?x1x64xf32> into tensor<?x64xf32>
// SIZES-LABEL: func.func @structure
// SIZES: affine.apply #[[CEIL32]]()
// SIZES: scf.forall
// SIZES: arith.minsi %{{.+}}, %c32
// SIZES: tensor.empty(%{{.+}}) : tensor<?x128xf32>
// SIZES: scf.for
// SIZES: arith.minsi %{{.+}}, %c128
func.func @structure(%q: tensor<?x64xf32>, %k: tensor<?x64xf32>, %v: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %o = attn.attention dot %q, %k, %v : (tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x64xf32>
  return %o : tensor<?x64xf32>
}

// Causal: the last query blocks (most keys) are the first iterations; keys
// past the block's last query are never visited (the loop ends at
// min(Nk, q0 + rows)); the blocks wholly at or below q0 run unmasked, the
// diagonal ones in a second loop that tests j <= i.
// CHECK-LABEL: func.func @causal
// CHECK: %[[NKEYS:.+]] = tensor.dim %arg2, %c0
// CHECK: scf.forall (%[[IV:.+]]) in (%[[BLOCKS:.+]]) shared_outs
// CHECK:   %[[R:.+]] = arith.remui %[[IV]], %[[BLOCKS]]
// CHECK:   %[[LAST:.+]] = arith.subi %[[BLOCKS]], %c1
// CHECK:   %[[QBLOCK:.+]] = arith.subi %[[LAST]], %[[R]]
// CHECK:   %[[Q0:.+]] = arith.muli %[[QBLOCK]], %c128
// CHECK:   %[[ROWS:.+]] = arith.minsi %{{.+}}, %c128
// CHECK:   %[[LASTROW:.+]] = arith.subi %[[ROWS]], %c1
// CHECK:   %[[LASTQ:.+]] = arith.addi %[[Q0]], %[[LASTROW]]
// CHECK:   %[[PASTQ:.+]] = arith.addi %[[LASTQ]], %c1
// CHECK:   %[[END0:.+]] = arith.minsi %[[NKEYS]], %[[PASTQ]]
// CHECK:   %[[END:.+]] = arith.maxsi %[[END0]], %c0
// CHECK:   %[[KBLOCKS:.+]] = affine.apply #[[CEIL256]]()[%[[END]]]
// CHECK:   %[[Q0P1:.+]] = arith.addi %[[Q0]], %c1
// CHECK:   %[[FULL:.+]] = arith.divui %[[Q0P1]], %c256
// CHECK:   %[[ALLBELOW:.+]] = arith.cmpi sle, %[[END]], %[[Q0P1]]
// CHECK:   %[[FULLC:.+]] = arith.minsi %[[FULL]], %[[KBLOCKS]]
// CHECK:   %[[UNMASKED:.+]] = arith.select %[[ALLBELOW]], %[[KBLOCKS]], %[[FULLC]]
// CHECK:   %[[L1:.+]]:4 = scf.for %{{.+}} = %c0 to %[[UNMASKED]] step %c1
// CHECK-NOT:  linalg.index
// CHECK:   } {attn.key_blocks}
// CHECK:   scf.for %[[T:.+]] = %[[UNMASKED]] to %[[KBLOCKS]] step %c1 iter_args(%{{.+}} = %[[L1]]#0, %{{.+}} = %[[L1]]#1, %{{.+}} = %[[L1]]#2, %{{.+}} = %[[L1]]#3)
// CHECK:     %[[K0:.+]] = arith.muli %[[T]], %c256
// CHECK:     linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK:       %[[I:.+]] = linalg.index 0
// CHECK:       %[[QI:.+]] = arith.addi %[[Q0]], %[[I]]
// CHECK:       %[[J:.+]] = linalg.index 1
// CHECK:       %[[KJ:.+]] = arith.addi %[[K0]], %[[J]]
// CHECK:       %[[KEEP:.+]] = arith.cmpi sle, %[[KJ]], %[[QI]]
// CHECK:       arith.select %[[KEEP]], %{{.+}}, %cst
// CHECK:   } {attn.masked_key_blocks}
func.func @causal(%q: tensor<?x64xf32>, %k: tensor<?x64xf32>, %v: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %o = attn.attention dot %q, %k, %v mask<causal> : (tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x64xf32>
  return %o : tensor<?x64xf32>
}

// One padding length per sequence: keys at or past it are never visited
// (the key range ends at min(Nk, len[b])) and no block needs a mask test.
// Batch dims are flattened into groups: [2, 3] -> 6.
// CHECK-LABEL: func.func @padding_per_sequence
// CHECK: tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2], [3]] : tensor<2x3x?x16xf32> into tensor<6x?x16xf32>
// CHECK: %[[LENS:.+]] = tensor.collapse_shape %arg3 {{\[\[}}0, 1]] : tensor<2x3xi32> into tensor<6xi32>
// CHECK: scf.forall
// CHECK:   %[[LEN:.+]] = tensor.extract %[[LENS]][%{{.+}}] : tensor<6xi32>
// CHECK:   %[[LENI:.+]] = arith.index_cast %[[LEN]] : i32 to index
// CHECK:   %[[LENP:.+]] = arith.maxsi %[[LENI]], %c0
// CHECK:   %[[END0:.+]] = arith.minsi %{{.+}}, %[[LENP]]
// CHECK:   arith.maxsi %[[END0]], %c0
// CHECK:   scf.for
// CHECK:   } {attn.key_blocks}
// CHECK-NOT: attn.masked_key_blocks
// CHECK: tensor.expand_shape %{{.+}} {{\[\[}}0, 1], [2], [3]] output_shape [2, 3, %{{.+}}, 16]
func.func @padding_per_sequence(%q: tensor<2x3x?x16xf32>, %k: tensor<2x3x?x16xf32>, %v: tensor<2x3x?x16xf32>, %len: tensor<2x3xi32>) -> tensor<2x3x?x16xf32> {
  %o = attn.attention scaled_dot %q, %k, %v mask<padding> lengths(%len) : (tensor<2x3x?x16xf32>, tensor<2x3x?x16xf32>, tensor<2x3x?x16xf32>, tensor<2x3xi32>) -> tensor<2x3x?x16xf32>
  return %o : tensor<2x3x?x16xf32>
}

// One length per query: every block tests j < len[i], read per row (the
// empty unmasked loop folds away).
// CHECK-LABEL: func.func @padding_per_query
// CHECK: scf.forall
// CHECK:   %[[LENBLK:.+]] = tensor.extract_slice %{{.+}}[%{{.+}}, %{{.+}}] [1, %{{.+}}] [1, 1] : tensor<1x?xi64> to tensor<?xi64>
// CHECK-NOT: attn.key_blocks
// CHECK:   scf.for
// CHECK:     linalg.generic {{.*}} ins(%{{.+}}, %[[LENBLK]] : tensor<?x?xf32>, tensor<?xi64>)
// CHECK:       arith.index_cast %{{.+}} : i64 to index
// CHECK:       arith.cmpi slt
// CHECK:   } {attn.masked_key_blocks}
func.func @padding_per_query(%q: tensor<?x8xf32>, %k: tensor<?x8xf32>, %v: tensor<?x8xf32>, %len: tensor<?xi64>) -> tensor<?x8xf32> {
  %o = attn.attention dot %q, %k, %v mask<padding> lengths(%len) : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?xi64>) -> tensor<?x8xf32>
  return %o : tensor<?x8xf32>
}

// A window (local-m): only keys in [q0 - w, q_last + w] are visited.
// CHECK-LABEL: func.func @window
// CHECK: scf.forall
// CHECK:   %[[Q0:.+]] = arith.muli %{{.+}}, %c128
// CHECK:   %[[START0:.+]] = arith.subi %[[Q0]], %c3
// CHECK:   %[[START:.+]] = arith.maxsi %[[START0]], %c0
// CHECK:   arith.addi %{{.+}}, %c4
// CHECK:   scf.for
// CHECK:   } {attn.masked_key_blocks}
func.func @window(%q: tensor<?x8xf32>, %k: tensor<?x8xf32>, %v: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %o = attn.attention dot %q, %k, %v mask<window> window(3) : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %o : tensor<?x8xf32>
}

// Heads: [N, 4*8] viewed as [1, N, 4, 8]; one iteration per (head, query
// block); slices are per head (row stride 32).
// CHECK-LABEL: func.func @heads
// CHECK: tensor.expand_shape %arg0 {{\[\[}}0, 1], [2, 3]] output_shape [1, %{{.+}}, 4, 8]
// CHECK: scf.forall
// CHECK:   arith.remui %{{.+}}, %c4
// CHECK:   tensor.extract_slice %{{.+}}[%{{.+}}, %{{.+}}, %{{.+}}, 0] [1, %{{.+}}, 1, 8] [1, 1, 1, 1] : tensor<1x?x4x8xf32> to tensor<?x8xf32>
func.func @heads(%q: tensor<?x32xf32>, %k: tensor<?x32xf32>, %v: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %o = attn.attention scaled_dot %q, %k, %v heads(4) : (tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>) -> tensor<?x32xf32>
  return %o : tensor<?x32xf32>
}

// Weights: a second loop over the visited key blocks writes
// exp(e - max) / sum into the weights' row block; keys never visited are 0
// (the row block is zero-filled first).
// CHECK-LABEL: func.func @weights
// CHECK: %[[W0:.+]] = tensor.empty(%{{.+}}, %{{.+}}) : tensor<1x1x?x?xf32>
// CHECK: scf.forall {{.*}} shared_outs(%{{.+}} = %{{.+}}, %[[W:.+]] = %[[W0]])
// CHECK:   } {attn.masked_key_blocks}
// CHECK:   %[[WROW:.+]] = tensor.extract_slice %[[W]][%{{.+}}, 0, %{{.+}}, 0] [1, 1, %{{.+}}, %{{.+}}] [1, 1, 1, 1] : tensor<1x1x?x?xf32> to tensor<?x?xf32>
// CHECK:   %[[ZEROED:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[WROW]] : tensor<?x?xf32>)
// CHECK:   %[[WLOOP:.+]] = scf.for {{.*}} iter_args(%[[ROWBLK:.+]] = %[[ZEROED]])
// CHECK:     linalg.matmul_transpose_b
// CHECK:     linalg.generic
// CHECK:       math.exp
// CHECK:       arith.divf
// CHECK:     tensor.insert_slice %{{.+}} into %[[ROWBLK]]
// CHECK:   scf.forall.in_parallel
// CHECK:     tensor.parallel_insert_slice
// CHECK:     tensor.parallel_insert_slice %[[WLOOP]] into %[[W]]
// CHECK: tensor.collapse_shape %{{.+}} {{\[\[}}0, 1, 2], [3]] : tensor<1x1x?x?xf32> into tensor<?x?xf32>
func.func @weights(%q: tensor<?x8xf32>, %k: tensor<?x8xf32>, %v: tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x?xf32>) {
  %o, %w = attn.attention dot %q, %k, %v mask<causal> : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x?xf32>)
  return %o, %w : tensor<?x8xf32>, tensor<?x?xf32>
}

//===----------------------------------------------------------------------===//
// Score kinds: per-op work before the scf.forall, per-block work inside.
//===----------------------------------------------------------------------===//

// scaled_dot: the queries are scaled once (1/sqrt(16) = 0.25).
// CHECK-LABEL: func.func @scaled_dot
// CHECK: linalg.generic
// CHECK:   arith.mulf %{{.+}}, %cst
// CHECK: scf.forall
// CHECK:   linalg.matmul_transpose_b
func.func @scaled_dot(%q: tensor<?x16xf32>, %k: tensor<?x16xf32>, %v: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %o = attn.attention scaled_dot %q, %k, %v : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<?x16xf32>
  return %o : tensor<?x16xf32>
}

// general: the queries are multiplied by W once, then a dot per block.
// CHECK-LABEL: func.func @general
// CHECK: linalg.matmul ins(%{{.+}}, %arg3 : tensor<?x16xf32>, tensor<16x12xf32>)
// CHECK: scf.forall
// CHECK:   linalg.matmul_transpose_b ins(%{{.+}}, %{{.+}} : tensor<?x12xf32>, tensor<?x12xf32>)
func.func @general(%q: tensor<?x16xf32>, %k: tensor<?x12xf32>, %v: tensor<?x12xf32>, %w: tensor<16x12xf32>) -> tensor<?x12xf32> {
  %o = attn.attention general %q, %k, %v W(%w) : (tensor<?x16xf32>, tensor<?x12xf32>, tensor<?x12xf32>, tensor<16x12xf32>) -> tensor<?x12xf32>
  return %o : tensor<?x12xf32>
}

// cosine: row norms once, a dot per block divided by max(|q| |k|, 1e-8).
// CHECK-LABEL: func.func @cosine
// CHECK: math.sqrt
// CHECK: math.sqrt
// CHECK: scf.forall
// CHECK:   %[[DOTS:.+]] = linalg.matmul_transpose_b
// CHECK:   linalg.generic {{.*}} outs(%[[DOTS]] : tensor<?x?xf32>)
// CHECK:     arith.mulf
// CHECK:     arith.maximumf
// CHECK:     arith.divf
func.func @cosine(%q: tensor<?x16xf32>, %k: tensor<?x16xf32>, %v: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %o = attn.attention cosine %q, %k, %v : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<?x16xf32>
  return %o : tensor<?x16xf32>
}

// additive: W q and U k once (products before the loop), v^T tanh(.) per
// block in one generic reducing over A.
// CHECK-LABEL: func.func @additive
// CHECK: linalg.matmul_transpose_b ins(%{{.+}}, %arg3 : tensor<?x16xf32>, tensor<10x16xf32>)
// CHECK: linalg.matmul_transpose_b ins(%{{.+}}, %arg4 : tensor<?x12xf32>, tensor<10x12xf32>)
// CHECK: scf.forall
// CHECK:   linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.+}}, %{{.+}}, %arg5 : tensor<?x10xf32>, tensor<?x10xf32>, tensor<10xf32>)
// CHECK:     math.tanh
// CHECK-NOT: linalg.matmul_transpose_b
// CHECK:   linalg.matmul
func.func @additive(%q: tensor<?x16xf32>, %k: tensor<?x12xf32>, %v: tensor<?x12xf32>, %w: tensor<10x16xf32>, %u: tensor<10x12xf32>, %va: tensor<10xf32>) -> tensor<?x12xf32> {
  %o = attn.attention additive %q, %k, %v W(%w) U(%u) v(%va) : (tensor<?x16xf32>, tensor<?x12xf32>, tensor<?x12xf32>, tensor<10x16xf32>, tensor<10x12xf32>, tensor<10xf32>) -> tensor<?x12xf32>
  return %o : tensor<?x12xf32>
}

// location: a dot against the first Nk rows of W, the same for every group.
// CHECK-LABEL: func.func @location
// CHECK: %[[ROWS:.+]] = tensor.extract_slice %arg3[0, 0] [%{{.+}}, 16] [1, 1] : tensor<50x16xf32> to tensor<?x16xf32>
// CHECK: %[[KEYS:.+]] = tensor.expand_shape %[[ROWS]] {{\[\[}}0, 1], [2, 3]] output_shape [1, %{{.+}}, 1, 16]
// CHECK: scf.forall
// CHECK:   tensor.extract_slice %[[KEYS]][0, %{{.+}}, 0, 0]
// CHECK:   linalg.matmul_transpose_b
func.func @location(%q: tensor<?x16xf32>, %k: tensor<?x12xf32>, %v: tensor<?x12xf32>, %w: tensor<50x16xf32>) -> tensor<?x12xf32> {
  %o = attn.attention location %q, %k, %v W(%w) : (tensor<?x16xf32>, tensor<?x12xf32>, tensor<?x12xf32>, tensor<50x16xf32>) -> tensor<?x12xf32>
  return %o : tensor<?x12xf32>
}

//===----------------------------------------------------------------------===//
// Left for convert-attn-to-linalg
//===----------------------------------------------------------------------===//

// A single query (a decoder step), local-p positions and the Gaussian.
// CHECK-LABEL: func.func @not_tiled
// CHECK-NOT: scf.forall
// CHECK: attn.attention general
// CHECK: attn.attention dot {{.*}} positions
// CHECK-NOT: scf.forall
func.func @not_tiled(%s: tensor<16xf32>, %keys: tensor<?x12xf32>, %w: tensor<16x12xf32>,
                     %q: tensor<?x8xf32>, %k: tensor<?x8xf32>, %p: tensor<?xf32>) -> (tensor<12xf32>, tensor<?x8xf32>) {
  %c = attn.attention general %s, %keys, %keys W(%w) : (tensor<16xf32>, tensor<?x12xf32>, tensor<?x12xf32>, tensor<16x12xf32>) -> tensor<12xf32>
  %o = attn.attention dot %q, %k, %k mask<window> window(2) positions(%p) gaussian : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?xf32>) -> tensor<?x8xf32>
  return %c, %o : tensor<12xf32>, tensor<?x8xf32>
}
