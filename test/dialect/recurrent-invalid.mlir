// RUN: attn-opt %s --split-input-file --verify-diagnostics
// One case per verifier message of the GRU and LSTM ops
// (dialect/AttnRecurrentOps.cpp).

// weight_hh must be a matrix [G*H, H].
func.func @weight_hh_rank(%x: tensor<32xf32>, %h: tensor<64xf32>,
                          %wih: tensor<192x32xf32>, %whh: tensor<192xf32>) {
  // expected-error @+1 {{'attn.gru_cell' op needs weight_hh of shape [3H, H], got [192]}}
  %0 = attn.gru_cell %x, %h weights(%wih, %whh)
      : (tensor<32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192xf32>) -> tensor<64xf32>
  return
}

// -----

// A GRU has 3 gates: weight_hh [3H, H]; [4H, H] is an LSTM's.
func.func @gru_gate_count(%x: tensor<?x32xf32>, %h: tensor<64xf32>,
                          %wih: tensor<256x32xf32>, %whh: tensor<256x64xf32>) {
  // expected-error @+1 {{'attn.gru' op needs weight_hh of shape [3H, H] (3 gates), got [256, 64]}}
  %0:2 = attn.gru %x, %h weights(%wih, %whh)
      : (tensor<?x32xf32>, tensor<64xf32>, tensor<256x32xf32>, tensor<256x64xf32>)
      -> (tensor<?x64xf32>, tensor<64xf32>)
  return
}

// -----

// An LSTM has 4 gates: weight_hh [4H, H]; [3H, H] is a GRU's.
func.func @lstm_gate_count(%x: tensor<32xf32>, %h: tensor<64xf32>, %c: tensor<64xf32>,
                           %wih: tensor<192x32xf32>, %whh: tensor<192x64xf32>) {
  // expected-error @+1 {{'attn.lstm_cell' op needs weight_hh of shape [4H, H] (4 gates), got [192, 64]}}
  %0:2 = attn.lstm_cell %x, %h, %c weights(%wih, %whh)
      : (tensor<32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>)
      -> (tensor<64xf32>, tensor<64xf32>)
  return
}

// -----

// The state has the hidden size of weight_hh.
func.func @state_size(%x: tensor<32xf32>, %h: tensor<32xf32>,
                      %wih: tensor<192x32xf32>, %whh: tensor<192x64xf32>) {
  // expected-error @+1 {{'attn.gru_cell' op needs a state of shape [64], got [32]}}
  %0 = attn.gru_cell %x, %h weights(%wih, %whh)
      : (tensor<32xf32>, tensor<32xf32>, tensor<192x32xf32>, tensor<192x64xf32>) -> tensor<64xf32>
  return
}

// -----

// A layer's state is one vector [H], not one row per direction.
func.func @state_rank(%x: tensor<?x32xf32>, %h: tensor<2x64xf32>,
                      %wih: tensor<192x32xf32>, %whh: tensor<192x64xf32>) {
  // expected-error @+1 {{'attn.gru' op needs a state of shape [64], got [2, 64]}}
  %0:2 = attn.gru %x, %h weights(%wih, %whh)
      : (tensor<?x32xf32>, tensor<2x64xf32>, tensor<192x32xf32>, tensor<192x64xf32>)
      -> (tensor<?x64xf32>, tensor<64xf32>)
  return
}

// -----

// The LSTM's cell state is [H] too.
func.func @cell_state(%x: tensor<?x32xf32>, %h: tensor<64xf32>, %c: tensor<128xf32>,
                      %wih: tensor<256x32xf32>, %whh: tensor<256x64xf32>) {
  // expected-error @+1 {{'attn.lstm' op needs a cell state of shape [64], got [128]}}
  %0:3 = attn.lstm %x, %h, %c weights(%wih, %whh)
      : (tensor<?x32xf32>, tensor<64xf32>, tensor<128xf32>, tensor<256x32xf32>, tensor<256x64xf32>)
      -> (tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>)
  return
}

// -----

// A cell reads one input vector [I].
func.func @cell_input_rank(%x: tensor<1x32xf32>, %h: tensor<64xf32>,
                           %wih: tensor<192x32xf32>, %whh: tensor<192x64xf32>) {
  // expected-error @+1 {{'attn.gru_cell' op needs an input of shape [?], got [1, 32]}}
  %0 = attn.gru_cell %x, %h weights(%wih, %whh)
      : (tensor<1x32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>) -> tensor<64xf32>
  return
}

// -----

// A layer reads a sequence [S, I].
func.func @layer_input_rank(%x: tensor<32xf32>, %h: tensor<64xf32>, %c: tensor<64xf32>,
                            %wih: tensor<256x32xf32>, %whh: tensor<256x64xf32>) {
  // expected-error @+1 {{'attn.lstm' op needs an input of shape [?, ?], got [32]}}
  %0:3 = attn.lstm %x, %h, %c weights(%wih, %whh)
      : (tensor<32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>, tensor<256x64xf32>)
      -> (tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>)
  return
}

// -----

// weight_ih is [G*H, I]: its columns are the input size.
func.func @input_size(%x: tensor<?x16xf32>, %h: tensor<64xf32>,
                      %wih: tensor<192x32xf32>, %whh: tensor<192x64xf32>) {
  // expected-error @+1 {{'attn.gru' op needs weight_ih of shape [192, 16], got [192, 32]}}
  %0:2 = attn.gru %x, %h weights(%wih, %whh)
      : (tensor<?x16xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>)
      -> (tensor<?x64xf32>, tensor<64xf32>)
  return
}

// -----

// weight_ih has as many rows as weight_hh (one per gate and unit).
func.func @weight_ih_rows(%x: tensor<32xf32>, %h: tensor<64xf32>, %c: tensor<64xf32>,
                          %wih: tensor<192x32xf32>, %whh: tensor<256x64xf32>) {
  // expected-error @+1 {{'attn.lstm_cell' op needs weight_ih of shape [256, 32], got [192, 32]}}
  %0:2 = attn.lstm_cell %x, %h, %c weights(%wih, %whh)
      : (tensor<32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<256x64xf32>)
      -> (tensor<64xf32>, tensor<64xf32>)
  return
}

// -----

// Biases come in pairs (bias_ih, bias_hh) or not at all: not one...
func.func @one_bias(%x: tensor<32xf32>, %h: tensor<64xf32>,
                    %wih: tensor<192x32xf32>, %whh: tensor<192x64xf32>, %b: tensor<192xf32>) {
  // expected-error @+1 {{'attn.gru_cell' op takes no biases or two (bias_ih, bias_hh), got 1}}
  %0 = attn.gru_cell %x, %h weights(%wih, %whh) biases(%b)
      : (tensor<32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>, tensor<192xf32>)
      -> tensor<64xf32>
  return
}

// -----

// ... nor three.
func.func @three_biases(%x: tensor<?x32xf32>, %h: tensor<64xf32>, %c: tensor<64xf32>,
                        %wih: tensor<256x32xf32>, %whh: tensor<256x64xf32>, %b: tensor<256xf32>) {
  // expected-error @+1 {{'attn.lstm' op takes no biases or two (bias_ih, bias_hh), got 3}}
  %0:3 = attn.lstm %x, %h, %c weights(%wih, %whh) biases(%b, %b, %b)
      : (tensor<?x32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>, tensor<256x64xf32>,
         tensor<256xf32>, tensor<256xf32>, tensor<256xf32>)
      -> (tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>)
  return
}

// -----

// bias_ih has one entry per gate row: [G*H].
func.func @bias_ih_shape(%x: tensor<?x32xf32>, %h: tensor<64xf32>,
                         %wih: tensor<192x32xf32>, %whh: tensor<192x64xf32>,
                         %bih: tensor<64xf32>, %bhh: tensor<192xf32>) {
  // expected-error @+1 {{'attn.gru' op needs bias_ih of shape [192], got [64]}}
  %0:2 = attn.gru %x, %h weights(%wih, %whh) biases(%bih, %bhh)
      : (tensor<?x32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>,
         tensor<64xf32>, tensor<192xf32>) -> (tensor<?x64xf32>, tensor<64xf32>)
  return
}

// -----

// So has bias_hh (here a matrix instead of a vector).
func.func @bias_hh_shape(%x: tensor<32xf32>, %h: tensor<64xf32>, %c: tensor<64xf32>,
                         %wih: tensor<256x32xf32>, %whh: tensor<256x64xf32>,
                         %bih: tensor<256xf32>, %bhh: tensor<4x64xf32>) {
  // expected-error @+1 {{'attn.lstm_cell' op needs bias_hh of shape [256], got [4, 64]}}
  %0:2 = attn.lstm_cell %x, %h, %c weights(%wih, %whh) biases(%bih, %bhh)
      : (tensor<32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>, tensor<256x64xf32>,
         tensor<256xf32>, tensor<4x64xf32>) -> (tensor<64xf32>, tensor<64xf32>)
  return
}

// -----

// A cell's result is the next state [H].
func.func @gru_cell_result(%x: tensor<32xf32>, %h: tensor<64xf32>,
                           %wih: tensor<192x32xf32>, %whh: tensor<192x64xf32>) {
  // expected-error @+1 {{'attn.gru_cell' op has a result of shape [32], expected [64]}}
  %0 = attn.gru_cell %x, %h weights(%wih, %whh)
      : (tensor<32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>) -> tensor<32xf32>
  return
}

// -----

func.func @lstm_cell_next_state(%x: tensor<32xf32>, %h: tensor<64xf32>, %c: tensor<64xf32>,
                                %wih: tensor<256x32xf32>, %whh: tensor<256x64xf32>) {
  // expected-error @+1 {{'attn.lstm_cell' op has a next state of shape [1, 64], expected [64]}}
  %0:2 = attn.lstm_cell %x, %h, %c weights(%wih, %whh)
      : (tensor<32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>, tensor<256x64xf32>)
      -> (tensor<1x64xf32>, tensor<64xf32>)
  return
}

// -----

func.func @lstm_cell_next_cell(%x: tensor<32xf32>, %h: tensor<64xf32>, %c: tensor<64xf32>,
                               %wih: tensor<256x32xf32>, %whh: tensor<256x64xf32>) {
  // expected-error @+1 {{'attn.lstm_cell' op has a next cell state of shape [256], expected [64]}}
  %0:2 = attn.lstm_cell %x, %h, %c weights(%wih, %whh)
      : (tensor<32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>, tensor<256x64xf32>)
      -> (tensor<64xf32>, tensor<256xf32>)
  return
}

// -----

// A layer's outputs are [S, H]: one row per input row...
func.func @gru_outputs_rows(%x: tensor<7x32xf32>, %h: tensor<64xf32>,
                            %wih: tensor<192x32xf32>, %whh: tensor<192x64xf32>) {
  // expected-error @+1 {{'attn.gru' op has outputs of shape [8, 64], expected [7, 64]}}
  %0:2 = attn.gru %x, %h weights(%wih, %whh)
      : (tensor<7x32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>)
      -> (tensor<8x64xf32>, tensor<64xf32>)
  return
}

// -----

// ... of the hidden size (one direction: a bidirectional layer is two ops).
func.func @lstm_outputs_width(%x: tensor<?x32xf32>, %h: tensor<64xf32>, %c: tensor<64xf32>,
                              %wih: tensor<256x32xf32>, %whh: tensor<256x64xf32>) {
  // expected-error @+1 {{'attn.lstm' op has outputs of shape [?, 128], expected [?, 64]}}
  %0:3 = attn.lstm %x, %h, %c weights(%wih, %whh) reverse
      : (tensor<?x32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>, tensor<256x64xf32>)
      -> (tensor<?x128xf32>, tensor<64xf32>, tensor<64xf32>)
  return
}

// -----

func.func @gru_final_state(%x: tensor<?x32xf32>, %h: tensor<64xf32>,
                           %wih: tensor<192x32xf32>, %whh: tensor<192x64xf32>) {
  // expected-error @+1 {{'attn.gru' op has a final state of shape [2, 64], expected [64]}}
  %0:2 = attn.gru %x, %h weights(%wih, %whh)
      : (tensor<?x32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>)
      -> (tensor<?x64xf32>, tensor<2x64xf32>)
  return
}

// -----

func.func @lstm_final_state(%x: tensor<?x32xf32>, %h: tensor<64xf32>, %c: tensor<64xf32>,
                            %wih: tensor<256x32xf32>, %whh: tensor<256x64xf32>) {
  // expected-error @+1 {{'attn.lstm' op has a final state of shape [32], expected [64]}}
  %0:3 = attn.lstm %x, %h, %c weights(%wih, %whh)
      : (tensor<?x32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>, tensor<256x64xf32>)
      -> (tensor<?x64xf32>, tensor<32xf32>, tensor<64xf32>)
  return
}

// -----

func.func @lstm_final_cell(%x: tensor<?x32xf32>, %h: tensor<64xf32>, %c: tensor<64xf32>,
                           %wih: tensor<256x32xf32>, %whh: tensor<256x64xf32>) {
  // expected-error @+1 {{'attn.lstm' op has a final cell state of shape [32], expected [64]}}
  %0:3 = attn.lstm %x, %h, %c weights(%wih, %whh)
      : (tensor<?x32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>, tensor<256x64xf32>)
      -> (tensor<?x64xf32>, tensor<64xf32>, tensor<32xf32>)
  return
}

// -----

// The element type is f32 (checked by the operand constraint, not the
// verifier).
func.func @element_type(%x: tensor<32xf16>, %h: tensor<64xf32>,
                        %wih: tensor<192x32xf32>, %whh: tensor<192x64xf32>) {
  // expected-error @+1 {{'attn.gru_cell' op operand #0 must be ranked tensor of 32-bit float values}}
  %0 = attn.gru_cell %x, %h weights(%wih, %whh)
      : (tensor<32xf16>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>) -> tensor<64xf32>
  return
}

// -----

// H comes from the state when weight_hh's columns are dynamic: 192 rows are
// not 3 gates of 32.
func.func @gate_rows_from_state(%x: tensor<32xf32>, %h: tensor<32xf32>, %wih: tensor<96x32xf32>, %whh: tensor<192x?xf32>) -> tensor<32xf32> {
  // expected-error @+1 {{'attn.gru_cell' op needs weight_hh of shape [3H, H] (3 gates), got [192, ?]}}
  %0 = attn.gru_cell %x, %h weights(%wih, %whh) : (tensor<32xf32>, tensor<32xf32>, tensor<96x32xf32>, tensor<192x?xf32>) -> tensor<32xf32>
  return %0 : tensor<32xf32>
}
