// Two attention models written directly in the attn dialect.

// One decoder step of a Bahdanau (additive) seq2seq model: the decoder state
// %s scores every encoder state, a padding mask hides keys past the source
// length, and the context is the weighted sum of the encoder states.
func.func @bahdanau_step(%s: tensor<64xf32>, %keys: tensor<?x128xf32>,
                         %len: tensor<i32>, %Wa: tensor<32x64xf32>,
                         %Ua: tensor<32x128xf32>, %va: tensor<32xf32>)
    -> (tensor<128xf32>, tensor<?xf32>) {
  %e = attn.score additive %s, %keys W(%Wa) U(%Ua) v(%va)
      : (tensor<64xf32>, tensor<?x128xf32>, tensor<32x64xf32>,
         tensor<32x128xf32>, tensor<32xf32>) -> tensor<?xf32>
  %a = attn.softmax %e mask<padding> lengths(%len)
      : (tensor<?xf32>, tensor<i32>) -> tensor<?xf32>
  %c = attn.context %a, %keys
      : (tensor<?xf32>, tensor<?x128xf32>) -> tensor<128xf32>
  return %c, %a : tensor<128xf32>, tensor<?xf32>
}

// Causal multi-head self-attention over a run-time number of tokens: the
// fused op, with 8 heads of 64 features and sliding-window locality.
func.func @causal_self_attention(%q: tensor<?x512xf32>, %k: tensor<?x512xf32>,
                                 %v: tensor<?x512xf32>) -> tensor<?x512xf32> {
  %o = attn.attention scaled_dot %q, %k, %v heads(8) mask<causal|window>
      window(128)
      : (tensor<?x512xf32>, tensor<?x512xf32>, tensor<?x512xf32>)
      -> tensor<?x512xf32>
  return %o : tensor<?x512xf32>
}
