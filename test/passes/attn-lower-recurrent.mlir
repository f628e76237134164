// RUN: attn-opt %s --split-input-file --attn-lower-recurrent | FileCheck %s
// The lowered IR is valid and bufferizes (loops may carry the states in
// place; the outputs are an alloc_tensor); the attention ops of the last
// case are lowered by their own pass.
// RUN: attn-opt %s --split-input-file --attn-lower-recurrent --convert-attn-to-linalg --one-shot-bufferize="bufferize-function-boundaries" > /dev/null

// A GRU layer, forward, with biases, over a run-time number of rows:
// - bias_ih broadcast over the rows is the init of one product X W_ih^T;
// - an scf.for over the S rows visits row t (no arith.subi);
// - each step copies bias_hh into the init of the matvec W_hh h, then one
//   generic over the 64 units reads the 3 input and 3 hidden gates
//   (r, z, n: rows 0, 1, 2 of [3, 64]) and writes the carried state;
// - the new state goes to row t of the outputs, an alloc_tensor.
// CHECK-DAG: #[[G0:.+]] = affine_map<(d0) -> (0, d0)>
// CHECK-DAG: #[[G1:.+]] = affine_map<(d0) -> (1, d0)>
// CHECK-DAG: #[[G2:.+]] = affine_map<(d0) -> (2, d0)>
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @gru_forward
// CHECK-SAME: (%[[X:.+]]: tensor<?x32xf32>, %[[H:.+]]: tensor<64xf32>, %[[WIH:.+]]: tensor<192x32xf32>, %[[WHH:.+]]: tensor<192x64xf32>, %[[BIH:.+]]: tensor<192xf32>, %[[BHH:.+]]: tensor<192xf32>)
// CHECK-NOT: attn.gru
// CHECK: %[[PINIT:.+]] = linalg.broadcast ins(%[[BIH]] : tensor<192xf32>) outs(%{{.+}} : tensor<?x192xf32>) dimensions = [0]
// CHECK: %[[GX:.+]] = linalg.matmul_transpose_b ins(%[[X]], %[[WIH]] : tensor<?x32xf32>, tensor<192x32xf32>) outs(%[[PINIT]] : tensor<?x192xf32>)
// CHECK: %[[ROWS:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x32xf32>
// CHECK: %[[OUTS:.+]] = bufferization.alloc_tensor(%{{.+}}) : tensor<?x64xf32>
// CHECK: %[[LOOP:.+]]:2 = scf.for %[[T:.+]] = %{{.+}} to %[[ROWS]] step %{{.+}} iter_args(%[[ACC:.+]] = %[[OUTS]], %[[STATE:.+]] = %[[H]]) -> (tensor<?x64xf32>, tensor<64xf32>)
// CHECK-NOT: arith.subi
// CHECK: %[[HINIT:.+]] = linalg.copy ins(%[[BHH]] : tensor<192xf32>)
// CHECK: %[[GH:.+]] = linalg.matvec ins(%[[WHH]], %[[STATE]] : tensor<192x64xf32>, tensor<64xf32>) outs(%[[HINIT]] : tensor<192xf32>)
// CHECK: %[[ROW:.+]] = tensor.extract_slice %[[GX]][%[[T]], 0] [1, 192] [1, 1] : tensor<?x192xf32> to tensor<192xf32>
// CHECK: %[[XG:.+]] = tensor.expand_shape %[[ROW]] {{\[}}[0, 1]] output_shape [3, 64] : tensor<192xf32> into tensor<3x64xf32>
// CHECK: %[[HG:.+]] = tensor.expand_shape %[[GH]] {{\[}}[0, 1]] output_shape [3, 64] : tensor<192xf32> into tensor<3x64xf32>
// CHECK: %[[NEXT:.+]] = linalg.generic {indexing_maps = [#[[G0]], #[[G1]], #[[G2]], #[[G0]], #[[G1]], #[[G2]], #[[ID]]], iterator_types = ["parallel"]} ins(%[[XG]], %[[XG]], %[[XG]], %[[HG]], %[[HG]], %[[HG]] : {{.*}}) outs(%[[STATE]] : tensor<64xf32>)
// The equations: r = sigmoid(xr + hr), z = sigmoid(xz + hz),
// n = tanh(xn + r * hn), h' = n + z * (h - n).
// CHECK-NEXT: ^bb0(%[[XR:.+]]: f32, %[[XZ:.+]]: f32, %[[XN:.+]]: f32, %[[HR:.+]]: f32, %[[HZ:.+]]: f32, %[[HN:.+]]: f32, %[[OLD:.+]]: f32):
// CHECK-NEXT: %[[RS:.+]] = arith.addf %[[XR]], %[[HR]]
// CHECK: %[[RNEG:.+]] = arith.negf %[[RS]]
// CHECK: %[[REXP:.+]] = math.exp %[[RNEG]]
// CHECK: %[[RDEN:.+]] = arith.addf %{{.+}}, %[[REXP]]
// CHECK: %[[R:.+]] = arith.divf %{{.+}}, %[[RDEN]]
// CHECK: %[[ZS:.+]] = arith.addf %[[XZ]], %[[HZ]]
// CHECK: %[[Z:.+]] = arith.divf
// CHECK: %[[RH:.+]] = arith.mulf %[[R]], %[[HN]]
// CHECK: %[[NS:.+]] = arith.addf %[[XN]], %[[RH]]
// CHECK: %[[N:.+]] = math.tanh %[[NS]]
// CHECK: %[[D:.+]] = arith.subf %[[OLD]], %[[N]]
// CHECK: %[[ZD:.+]] = arith.mulf %[[Z]], %[[D]]
// CHECK: %[[NEW:.+]] = arith.addf %[[N]], %[[ZD]]
// CHECK: linalg.yield %[[NEW]]
// CHECK: %[[INS:.+]] = tensor.insert_slice %[[NEXT]] into %[[ACC]][%[[T]], 0] [1, 64] [1, 1] : tensor<64xf32> into tensor<?x64xf32>
// CHECK: scf.yield %[[INS]], %[[NEXT]] : tensor<?x64xf32>, tensor<64xf32>
// CHECK: return %[[LOOP]]#0, %[[LOOP]]#1
func.func @gru_forward(%x: tensor<?x32xf32>, %h: tensor<64xf32>,
                       %wih: tensor<192x32xf32>, %whh: tensor<192x64xf32>,
                       %bih: tensor<192xf32>, %bhh: tensor<192xf32>)
    -> (tensor<?x64xf32>, tensor<64xf32>) {
  %0:2 = attn.gru %x, %h weights(%wih, %whh) biases(%bih, %bhh)
      : (tensor<?x32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>,
         tensor<192xf32>, tensor<192xf32>) -> (tensor<?x64xf32>, tensor<64xf32>)
  return %0#0, %0#1 : tensor<?x64xf32>, tensor<64xf32>
}

// -----

// A GRU layer, reverse, without biases: the products accumulate into zeros,
// and step t reads and writes row S-1-t.
// CHECK-LABEL: func.func @gru_reverse
// CHECK-SAME: (%[[X:.+]]: tensor<?x32xf32>, %[[H:.+]]: tensor<64xf32>, %[[WIH:.+]]: tensor<192x32xf32>, %[[WHH:.+]]: tensor<192x64xf32>)
// CHECK-NOT: linalg.broadcast
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[PINIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<?x192xf32>)
// CHECK: %[[GX:.+]] = linalg.matmul_transpose_b ins(%[[X]], %[[WIH]] : {{.*}}) outs(%[[PINIT]] : tensor<?x192xf32>)
// CHECK: %[[ROWS:.+]] = tensor.dim %[[X]]
// CHECK: scf.for %[[T:.+]] = %{{.+}} to %[[ROWS]] step %{{.+}} iter_args(%[[ACC:.+]] = %{{.+}}, %[[STATE:.+]] = %[[H]])
// CHECK: %[[ONE:.+]] = arith.constant 1 : index
// CHECK: %[[LAST:.+]] = arith.subi %[[ROWS]], %[[ONE]] : index
// CHECK: %[[ROW:.+]] = arith.subi %[[LAST]], %[[T]] : index
// CHECK-NOT: linalg.copy
// CHECK: %[[HINIT:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<192xf32>)
// CHECK: linalg.matvec ins(%[[WHH]], %[[STATE]] : {{.*}}) outs(%[[HINIT]] : tensor<192xf32>)
// CHECK: tensor.extract_slice %[[GX]][%[[ROW]], 0] [1, 192] [1, 1]
// CHECK: %[[NEXT:.+]] = linalg.generic
// CHECK: tensor.insert_slice %[[NEXT]] into %[[ACC]][%[[ROW]], 0] [1, 64] [1, 1]
func.func @gru_reverse(%x: tensor<?x32xf32>, %h: tensor<64xf32>,
                       %wih: tensor<192x32xf32>, %whh: tensor<192x64xf32>)
    -> (tensor<?x64xf32>, tensor<64xf32>) {
  %0:2 = attn.gru %x, %h weights(%wih, %whh) reverse
      : (tensor<?x32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>)
      -> (tensor<?x64xf32>, tensor<64xf32>)
  return %0#0, %0#1 : tensor<?x64xf32>, tensor<64xf32>
}

// -----

// An LSTM layer with biases: bias_ih broadcast plus bias_hh (one generic)
// is the init of the input product, computed once; each step copies its
// row of input gates and accumulates W_hh h onto it; one generic over the
// units reads the 4 gates (i, f, g, o: rows 0..3 of [4, 64]) and updates h
// and c in place.
// CHECK-DAG: #[[COL:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[G0:.+]] = affine_map<(d0) -> (0, d0)>
// CHECK-DAG: #[[G1:.+]] = affine_map<(d0) -> (1, d0)>
// CHECK-DAG: #[[G2:.+]] = affine_map<(d0) -> (2, d0)>
// CHECK-DAG: #[[G3:.+]] = affine_map<(d0) -> (3, d0)>
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @lstm_forward
// CHECK-SAME: (%[[X:.+]]: tensor<?x32xf32>, %[[H:.+]]: tensor<64xf32>, %[[C:.+]]: tensor<64xf32>, %[[WIH:.+]]: tensor<256x32xf32>, %[[WHH:.+]]: tensor<256x64xf32>, %[[BIH:.+]]: tensor<256xf32>, %[[BHH:.+]]: tensor<256xf32>)
// CHECK: %[[B1:.+]] = linalg.broadcast ins(%[[BIH]] : tensor<256xf32>) outs(%{{.+}} : tensor<?x256xf32>) dimensions = [0]
// CHECK: %[[B2:.+]] = linalg.generic {indexing_maps = [#[[COL]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[BHH]] : tensor<256xf32>) outs(%[[B1]] : tensor<?x256xf32>)
// CHECK: arith.addf
// CHECK: %[[GX:.+]] = linalg.matmul_transpose_b ins(%[[X]], %[[WIH]] : tensor<?x32xf32>, tensor<256x32xf32>) outs(%[[B2]] : tensor<?x256xf32>)
// CHECK: %[[OUTS:.+]] = bufferization.alloc_tensor(%{{.+}}) : tensor<?x64xf32>
// CHECK: %[[LOOP:.+]]:3 = scf.for %[[T:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %[[OUTS]], %[[HS:.+]] = %[[H]], %[[CS:.+]] = %[[C]]) -> (tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>)
// CHECK-NOT: arith.subi
// CHECK: %[[ROW:.+]] = tensor.extract_slice %[[GX]][%[[T]], 0] [1, 256] [1, 1] : tensor<?x256xf32> to tensor<256xf32>
// CHECK: %[[COPY:.+]] = linalg.copy ins(%[[ROW]] : tensor<256xf32>)
// CHECK: %[[GATES:.+]] = linalg.matvec ins(%[[WHH]], %[[HS]] : tensor<256x64xf32>, tensor<64xf32>) outs(%[[COPY]] : tensor<256xf32>)
// CHECK: %[[SPLIT:.+]] = tensor.expand_shape %[[GATES]] {{\[}}[0, 1]] output_shape [4, 64] : tensor<256xf32> into tensor<4x64xf32>
// CHECK: %[[NEXT:.+]]:2 = linalg.generic {indexing_maps = [#[[G0]], #[[G1]], #[[G2]], #[[G3]], #[[ID]], #[[ID]]], iterator_types = ["parallel"]} ins(%[[SPLIT]], %[[SPLIT]], %[[SPLIT]], %[[SPLIT]] : {{.*}}) outs(%[[HS]], %[[CS]] : tensor<64xf32>, tensor<64xf32>)
// i, f, o are sigmoids, g a tanh; c' = f * c + i * g; h' = o * tanh(c').
// CHECK-NEXT: ^bb0(%[[GI:.+]]: f32, %[[GF:.+]]: f32, %[[GG:.+]]: f32, %[[GO:.+]]: f32, %{{.+}}: f32, %[[OLDC:.+]]: f32):
// CHECK: %[[I:.+]] = arith.divf
// CHECK: %[[F:.+]] = arith.divf
// CHECK: %[[G:.+]] = math.tanh %[[GG]]
// CHECK: %[[O:.+]] = arith.divf
// CHECK: %[[FC:.+]] = arith.mulf %[[F]], %[[OLDC]]
// CHECK: %[[IG:.+]] = arith.mulf %[[I]], %[[G]]
// CHECK: %[[NEWC:.+]] = arith.addf %[[FC]], %[[IG]]
// CHECK: %[[TC:.+]] = math.tanh %[[NEWC]]
// CHECK: %[[NEWH:.+]] = arith.mulf %[[O]], %[[TC]]
// CHECK: linalg.yield %[[NEWH]], %[[NEWC]]
// CHECK: %[[INS:.+]] = tensor.insert_slice %[[NEXT]]#0 into %[[ACC]][%[[T]], 0] [1, 64] [1, 1]
// CHECK: scf.yield %[[INS]], %[[NEXT]]#0, %[[NEXT]]#1
// CHECK: return %[[LOOP]]#0, %[[LOOP]]#1, %[[LOOP]]#2
func.func @lstm_forward(%x: tensor<?x32xf32>, %h: tensor<64xf32>, %c: tensor<64xf32>,
                        %wih: tensor<256x32xf32>, %whh: tensor<256x64xf32>,
                        %bih: tensor<256xf32>, %bhh: tensor<256xf32>)
    -> (tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>) {
  %0:3 = attn.lstm %x, %h, %c weights(%wih, %whh) biases(%bih, %bhh)
      : (tensor<?x32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>,
         tensor<256x64xf32>, tensor<256xf32>, tensor<256xf32>)
      -> (tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>)
  return %0#0, %0#1, %0#2 : tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>
}

// -----

// An LSTM layer, reverse, without biases, over 7 rows known at compile
// time: zeros as the init, no bias generic, a constant trip count.
// CHECK-LABEL: func.func @lstm_reverse_static
// CHECK-SAME: (%[[X:.+]]: tensor<7x32xf32>,
// CHECK-NOT: linalg.broadcast
// CHECK: %[[PINIT:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<7x256xf32>)
// CHECK-NOT: linalg.generic
// CHECK: %[[GX:.+]] = linalg.matmul_transpose_b ins(%[[X]], %{{.+}} : tensor<7x32xf32>, tensor<256x32xf32>) outs(%[[PINIT]] : tensor<7x256xf32>)
// CHECK-DAG: %[[SEVEN:.+]] = arith.constant 7 : index
// CHECK-DAG: %[[OUTS:.+]] = bufferization.alloc_tensor() : tensor<7x64xf32>
// CHECK: scf.for %[[T:.+]] = %{{.+}} to %[[SEVEN]] step %{{.+}} iter_args(%[[ACC:.+]] = %[[OUTS]],
// CHECK: %[[LAST:.+]] = arith.subi %[[SEVEN]], %{{.+}} : index
// CHECK: %[[ROW:.+]] = arith.subi %[[LAST]], %[[T]] : index
// CHECK: tensor.extract_slice %[[GX]][%[[ROW]], 0] [1, 256] [1, 1] : tensor<7x256xf32> to tensor<256xf32>
// CHECK: %[[NEXT:.+]]:2 = linalg.generic
// CHECK: tensor.insert_slice %[[NEXT]]#0 into %[[ACC]][%[[ROW]], 0] [1, 64] [1, 1] : tensor<64xf32> into tensor<7x64xf32>
func.func @lstm_reverse_static(%x: tensor<7x32xf32>, %h: tensor<64xf32>, %c: tensor<64xf32>,
                               %wih: tensor<256x32xf32>, %whh: tensor<256x64xf32>)
    -> (tensor<7x64xf32>, tensor<64xf32>, tensor<64xf32>) {
  %0:3 = attn.lstm %x, %h, %c weights(%wih, %whh) reverse
      : (tensor<7x32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>, tensor<256x64xf32>)
      -> (tensor<7x64xf32>, tensor<64xf32>, tensor<64xf32>)
  return %0#0, %0#1, %0#2 : tensor<7x64xf32>, tensor<64xf32>, tensor<64xf32>
}

// -----

// A GRU cell without biases: no loop, two matvecs into zeros (the input and
// the hidden gates stay apart: n multiplies W_hn h by r), then the generic.
// CHECK-LABEL: func.func @gru_cell_nobias
// CHECK-SAME: (%[[X:.+]]: tensor<32xf32>, %[[H:.+]]: tensor<64xf32>, %[[WIH:.+]]: tensor<192x32xf32>, %[[WHH:.+]]: tensor<192x64xf32>)
// CHECK-NOT: scf.for
// CHECK: %[[Z1:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<192xf32>)
// CHECK: %[[GX:.+]] = linalg.matvec ins(%[[WIH]], %[[X]] : tensor<192x32xf32>, tensor<32xf32>) outs(%[[Z1]] : tensor<192xf32>)
// CHECK: %[[Z2:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<192xf32>)
// CHECK: %[[GH:.+]] = linalg.matvec ins(%[[WHH]], %[[H]] : tensor<192x64xf32>, tensor<64xf32>) outs(%[[Z2]] : tensor<192xf32>)
// CHECK: %[[XG:.+]] = tensor.expand_shape %[[GX]] {{\[}}[0, 1]] output_shape [3, 64]
// CHECK: %[[HG:.+]] = tensor.expand_shape %[[GH]] {{\[}}[0, 1]] output_shape [3, 64]
// CHECK: %[[NEXT:.+]] = linalg.generic {{.*}} ins(%[[XG]], %[[XG]], %[[XG]], %[[HG]], %[[HG]], %[[HG]] : {{.*}}) outs(%[[H]] : tensor<64xf32>)
// CHECK: return %[[NEXT]] : tensor<64xf32>
func.func @gru_cell_nobias(%x: tensor<32xf32>, %h: tensor<64xf32>,
                           %wih: tensor<192x32xf32>, %whh: tensor<192x64xf32>) -> tensor<64xf32> {
  %0 = attn.gru_cell %x, %h weights(%wih, %whh)
      : (tensor<32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>) -> tensor<64xf32>
  return %0 : tensor<64xf32>
}

// -----

// A GRU cell with biases: each bias is copied into its product's init.
// CHECK-LABEL: func.func @gru_cell_bias
// CHECK-SAME: (%[[X:.+]]: tensor<32xf32>, %[[H:.+]]: tensor<64xf32>, %[[WIH:.+]]: tensor<192x32xf32>, %[[WHH:.+]]: tensor<192x64xf32>, %[[BIH:.+]]: tensor<192xf32>, %[[BHH:.+]]: tensor<192xf32>)
// CHECK-NOT: linalg.fill
// CHECK: %[[I1:.+]] = linalg.copy ins(%[[BIH]] : tensor<192xf32>)
// CHECK: linalg.matvec ins(%[[WIH]], %[[X]] : {{.*}}) outs(%[[I1]] : tensor<192xf32>)
// CHECK: %[[I2:.+]] = linalg.copy ins(%[[BHH]] : tensor<192xf32>)
// CHECK: linalg.matvec ins(%[[WHH]], %[[H]] : {{.*}}) outs(%[[I2]] : tensor<192xf32>)
// CHECK: linalg.generic
// CHECK-NOT: attn.gru_cell
func.func @gru_cell_bias(%x: tensor<32xf32>, %h: tensor<64xf32>,
                         %wih: tensor<192x32xf32>, %whh: tensor<192x64xf32>,
                         %bih: tensor<192xf32>, %bhh: tensor<192xf32>) -> tensor<64xf32> {
  %0 = attn.gru_cell %x, %h weights(%wih, %whh) biases(%bih, %bhh)
      : (tensor<32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>,
         tensor<192xf32>, tensor<192xf32>) -> tensor<64xf32>
  return %0 : tensor<64xf32>
}

// -----

// An LSTM cell with biases: bias_ih copied, bias_hh added (one generic),
// W_ih x accumulated onto that and W_hh h onto W_ih x.
// CHECK-LABEL: func.func @lstm_cell_bias
// CHECK-SAME: (%[[X:.+]]: tensor<32xf32>, %[[H:.+]]: tensor<64xf32>, %[[C:.+]]: tensor<64xf32>, %[[WIH:.+]]: tensor<256x32xf32>, %[[WHH:.+]]: tensor<256x64xf32>, %[[BIH:.+]]: tensor<256xf32>, %[[BHH:.+]]: tensor<256xf32>)
// CHECK: %[[B1:.+]] = linalg.copy ins(%[[BIH]] : tensor<256xf32>)
// CHECK: %[[B2:.+]] = linalg.generic {{.*}} ins(%[[BHH]] : tensor<256xf32>) outs(%[[B1]] : tensor<256xf32>)
// CHECK: arith.addf
// CHECK: %[[GX:.+]] = linalg.matvec ins(%[[WIH]], %[[X]] : {{.*}}) outs(%[[B2]] : tensor<256xf32>)
// CHECK: %[[GATES:.+]] = linalg.matvec ins(%[[WHH]], %[[H]] : {{.*}}) outs(%[[GX]] : tensor<256xf32>)
// CHECK: %[[SPLIT:.+]] = tensor.expand_shape %[[GATES]] {{\[}}[0, 1]] output_shape [4, 64]
// CHECK: %[[NEXT:.+]]:2 = linalg.generic {{.*}} ins(%[[SPLIT]], %[[SPLIT]], %[[SPLIT]], %[[SPLIT]] : {{.*}}) outs(%[[H]], %[[C]] : tensor<64xf32>, tensor<64xf32>)
// CHECK: return %[[NEXT]]#0, %[[NEXT]]#1
func.func @lstm_cell_bias(%x: tensor<32xf32>, %h: tensor<64xf32>, %c: tensor<64xf32>,
                          %wih: tensor<256x32xf32>, %whh: tensor<256x64xf32>,
                          %bih: tensor<256xf32>, %bhh: tensor<256xf32>)
    -> (tensor<64xf32>, tensor<64xf32>) {
  %0:2 = attn.lstm_cell %x, %h, %c weights(%wih, %whh) biases(%bih, %bhh)
      : (tensor<32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>,
         tensor<256x64xf32>, tensor<256xf32>, tensor<256xf32>) -> (tensor<64xf32>, tensor<64xf32>)
  return %0#0, %0#1 : tensor<64xf32>, tensor<64xf32>
}

// -----

// An LSTM cell without biases: zeros, then the two matvecs.
// CHECK-LABEL: func.func @lstm_cell_nobias
// CHECK-SAME: (%[[X:.+]]: tensor<32xf32>, %[[H:.+]]: tensor<64xf32>, %[[C:.+]]: tensor<64xf32>, %[[WIH:.+]]: tensor<256x32xf32>, %[[WHH:.+]]: tensor<256x64xf32>)
// CHECK-NOT: linalg.copy
// CHECK: %[[Z:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<256xf32>)
// CHECK-NEXT: %[[GX:.+]] = linalg.matvec ins(%[[WIH]], %[[X]] : {{.*}}) outs(%[[Z]] : tensor<256xf32>)
// CHECK-NEXT: %[[GATES:.+]] = linalg.matvec ins(%[[WHH]], %[[H]] : {{.*}}) outs(%[[GX]] : tensor<256xf32>)
// CHECK: linalg.generic
func.func @lstm_cell_nobias(%x: tensor<32xf32>, %h: tensor<64xf32>, %c: tensor<64xf32>,
                            %wih: tensor<256x32xf32>, %whh: tensor<256x64xf32>)
    -> (tensor<64xf32>, tensor<64xf32>) {
  %0:2 = attn.lstm_cell %x, %h, %c weights(%wih, %whh)
      : (tensor<32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>, tensor<256x64xf32>)
      -> (tensor<64xf32>, tensor<64xf32>)
  return %0#0, %0#1 : tensor<64xf32>, tensor<64xf32>
}

// -----

// Only the recurrent ops are lowered: attention ops around them stay.
// CHECK-LABEL: func.func @others_untouched
// CHECK: %[[E:.+]] = attn.score additive %{{.+}}, %{{.+}} W(%{{.+}}) v(%{{.+}})
// CHECK: %[[A:.+]] = attn.softmax %[[E]] : (tensor<?xf32>) -> tensor<?xf32>
// CHECK: %[[CTX:.+]] = attn.context %[[A]], %{{.+}} : (tensor<?xf32>, tensor<?x128xf32>) -> tensor<128xf32>
// CHECK-NOT: attn.gru_cell
// CHECK: linalg.generic
// CHECK: return
func.func @others_untouched(%s: tensor<64xf32>, %pkeys: tensor<?x32xf32>,
                            %keys: tensor<?x128xf32>, %wa: tensor<32x64xf32>,
                            %va: tensor<32xf32>, %wih: tensor<192x128xf32>,
                            %whh: tensor<192x64xf32>) -> tensor<64xf32> {
  %e = attn.score additive %s, %pkeys W(%wa) v(%va)
      : (tensor<64xf32>, tensor<?x32xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<?xf32>
  %a = attn.softmax %e : (tensor<?xf32>) -> tensor<?xf32>
  %c = attn.context %a, %keys : (tensor<?xf32>, tensor<?x128xf32>) -> tensor<128xf32>
  %h = attn.gru_cell %c, %s weights(%wih, %whh)
      : (tensor<128xf32>, tensor<64xf32>, tensor<192x128xf32>, tensor<192x64xf32>) -> tensor<64xf32>
  return %h : tensor<64xf32>
}
