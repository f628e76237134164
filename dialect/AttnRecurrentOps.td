//===- AttnRecurrentOps.td - GRU and LSTM layers and cells -*- tablegen -*-===//
//
// The recurrent parts of a seq2seq model. They are not attention, but a
// decoder step or an encoder is written with them, and keeping them as ops
// until `attn-lower-recurrent` keeps the attn stage readable: one line per
// layer instead of a loop nest. Weights follow PyTorch's nn.GRU / nn.LSTM
// layout (gate order r, z, n and i, f, g, o; separate input and hidden
// biases), so a state_dict loads unchanged.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RECURRENT_OPS_TD
#define ATTN_RECURRENT_OPS_TD

defvar RecurrentWeights = (ins Attn_F32Tensor:$weight_ih,
                               Attn_F32Tensor:$weight_hh,
                               Variadic<Attn_F32Tensor>:$biases);
defvar RecurrentWeightsFormat = [{
  `weights` `(` $weight_ih `,` $weight_hh `)`
  (`biases` `(` $biases^ `)`)?
}];

defvar GruEquations = [{
    With x the input, h the state and G = 3H gates in PyTorch's order:

        r  = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
        z  = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
        n  = tanh(W_in x + b_in + r * (W_hn h + b_hn))
        h' = (1 - z) * n + z * h

    `weight_ih` is `[3H, I]`, `weight_hh` is `[3H, H]`; `biases` are either
    absent (PyTorch's `bias=False`) or `bias_ih`, `bias_hh`, both `[3H]`.
}];

defvar LstmEquations = [{
    With x the input, h and c the states and G = 4H gates in PyTorch's
    order i, f, g, o:

        i  = sigmoid(W_ii x + b_ii + W_hi h + b_hi)
        f  = sigmoid(W_if x + b_if + W_hf h + b_hf)
        g  = tanh(W_ig x + b_ig + W_hg h + b_hg)
        o  = sigmoid(W_io x + b_io + W_ho h + b_ho)
        c' = f * c + i * g
        h' = o * tanh(c')

    `weight_ih` is `[4H, I]`, `weight_hh` is `[4H, H]`; `biases` are either
    absent or `bias_ih`, `bias_hh`, both `[4H]`.
}];

def Attn_GruCellOp : Attn_Op<"gru_cell", [Pure]> {
  let summary = "one step of a GRU (nn.GRUCell)";
  let description = !strconcat([{
    Input `[I]`, state `[H]`, result: the next state `[H]`.

  }], GruEquations, [{

    Example:

    ```mlir
    %h1 = attn.gru_cell %x, %h weights(%wih, %whh) biases(%bih, %bhh)
        : (tensor<144xf32>, tensor<128xf32>, tensor<384x144xf32>,
           tensor<384x128xf32>, tensor<384xf32>, tensor<384xf32>)
        -> tensor<128xf32>
    ```
  }]);
  let arguments = !con((ins Attn_F32Tensor:$input, Attn_F32Tensor:$state),
                       RecurrentWeights);
  let results = (outs Attn_F32Tensor:$result);
  let assemblyFormat = !strconcat("$input `,` $state ", RecurrentWeightsFormat,
      "attr-dict `:` functional-type(operands, results)");
  let hasVerifier = 1;
}

def Attn_LstmCellOp : Attn_Op<"lstm_cell", [Pure]> {
  let summary = "one step of an LSTM (nn.LSTMCell)";
  let description = !strconcat([{
    Input `[I]`, states h and c `[H]`; results: the next h and c, `[H]`.

  }], LstmEquations);
  let arguments = !con((ins Attn_F32Tensor:$input, Attn_F32Tensor:$state,
                            Attn_F32Tensor:$cell),
                       RecurrentWeights);
  let results = (outs Attn_F32Tensor:$next_state, Attn_F32Tensor:$next_cell);
  let assemblyFormat = !strconcat("$input `,` $state `,` $cell ",
      RecurrentWeightsFormat,
      "attr-dict `:` functional-type(operands, results)");
  let hasVerifier = 1;
}

def Attn_GruOp : Attn_Op<"gru", [Pure]> {
  let summary = "a GRU layer over a sequence, one direction (nn.GRU)";
  let description = !strconcat([{
    Runs the GRU cell over the rows of the input `[S, I]` (S may be known
    only at run time), from the initial state `[H]`: first row to last, or
    last to first with `reverse`. Results: the state after each row,
    `[S, H]` (row t holds the state after reading input row t, in both
    directions, as PyTorch's output), and the final state `[H]`. A
    bidirectional layer is two of these, one `reverse`, concatenated.

  }], GruEquations, [{

    Example (the backward half of a bidirectional encoder):

    ```mlir
    %out, %last = attn.gru %x, %h0 weights(%wih, %whh) biases(%bih, %bhh)
        reverse : (tensor<?x32xf32>, tensor<64xf32>, tensor<192x32xf32>,
                   tensor<192x64xf32>, tensor<192xf32>, tensor<192xf32>)
        -> (tensor<?x64xf32>, tensor<64xf32>)
    ```
  }]);
  let arguments = !con((ins Attn_F32Tensor:$input, Attn_F32Tensor:$state),
                       RecurrentWeights, (ins UnitAttr:$reverse));
  let results = (outs Attn_F32Tensor:$outputs, Attn_F32Tensor:$final_state);
  let assemblyFormat = !strconcat("$input `,` $state ", RecurrentWeightsFormat,
      "(`reverse` $reverse^)? attr-dict `:` functional-type(operands, results)");
  let hasVerifier = 1;
}

def Attn_LstmOp : Attn_Op<"lstm", [Pure]> {
  let summary = "an LSTM layer over a sequence, one direction (nn.LSTM)";
  let description = !strconcat([{
    As `attn.gru`, with the LSTM cell and two states: input `[S, I]`,
    initial h and c `[H]`; results: h after each row `[S, H]`, and the
    final h and c `[H]`.

  }], LstmEquations);
  let arguments = !con((ins Attn_F32Tensor:$input, Attn_F32Tensor:$state,
                            Attn_F32Tensor:$cell),
                       RecurrentWeights, (ins UnitAttr:$reverse));
  let results = (outs Attn_F32Tensor:$outputs, Attn_F32Tensor:$final_state,
                      Attn_F32Tensor:$final_cell);
  let assemblyFormat = !strconcat("$input `,` $state `,` $cell ",
      RecurrentWeightsFormat,
      "(`reverse` $reverse^)? attr-dict `:` functional-type(operands, results)");
  let hasVerifier = 1;
}

#endif // ATTN_RECURRENT_OPS_TD
