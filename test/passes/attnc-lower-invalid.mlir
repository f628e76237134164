// RUN: not attn-opt %s --attnc-lower 2>&1 | FileCheck %s
// RUN: not attn-opt %s --attnc-lower="stop=vectorized" 2>&1 | FileCheck %s --check-prefix=STAGE

// An unknown stage name is an option error.
// STAGE: for the --stop option: Cannot find option named 'vectorized'!

// What convert-attn-to-linalg refuses stops the whole pipeline with its
// error and a failing exit code; nothing is half lowered.
// CHECK: error: 'attn.attention' op with heads(2) needs a static feature size of 'query' to split it into heads
func.func @forward(%q: tensor<?x?xf32> {bufferization.writable = false},
                   %y_out: tensor<?x?xf32> {bufferization.writable = true})
    -> tensor<?x?xf32> attributes {llvm.emit_c_interface} {
  %o = attn.attention dot %q, %q, %q heads(2) : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %r = bufferization.materialize_in_destination %o in %y_out : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
