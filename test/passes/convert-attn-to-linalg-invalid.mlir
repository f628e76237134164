// RUN: attn-opt %s --split-input-file --convert-attn-to-linalg --verify-diagnostics

// Splitting into heads needs a feature size known at compile time (the
// verifier cannot check that heads divides a dynamic one).
func.func @heads_dynamic_features(%q: tensor<?x?xf32>, %k: tensor<?x?xf32>, %v: tensor<?x?xf32>) -> tensor<?x?xf32> {
  // expected-error @+1 {{'attn.attention' op with heads(4) needs a static feature size of 'query' to split it into heads}}
  %o = attn.attention dot %q, %k, %v heads(4) : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %o : tensor<?x?xf32>
}

// -----

// The values alone may be dynamic: still refused, and nothing is rewritten.
func.func @heads_dynamic_values(%q: tensor<?x32xf32>, %k: tensor<?x32xf32>, %v: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %e = attn.score dot %q, %k : (tensor<?x32xf32>, tensor<?x32xf32>) -> tensor<?x?xf32>
  // expected-error @+1 {{'attn.attention' op with heads(2) needs a static feature size of 'values' to split it into heads}}
  %o = attn.attention dot %q, %k, %v heads(2) : (tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %o : tensor<?x?xf32>
}
