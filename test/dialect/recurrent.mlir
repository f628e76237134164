// RUN: attn-opt %s | FileCheck %s
// Round trip: what attn-opt prints, it parses again to the same text.
// RUN: attn-opt %s | attn-opt | FileCheck %s
// RUN: attn-opt %s > %t.once && attn-opt %t.once > %t.twice && diff %t.once %t.twice
// The generic form reads back to the same custom form.
// RUN: attn-opt %s --mlir-print-op-generic | attn-opt | FileCheck %s
// RUN: attn-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// The cells: one step, with PyTorch's biases or without (bias=False).
// CHECK-LABEL: func.func @cells
// GENERIC-LABEL: sym_name = "cells"
func.func @cells(%x: tensor<32xf32>, %h: tensor<64xf32>, %c: tensor<64xf32>,
                 %gwih: tensor<192x32xf32>, %gwhh: tensor<192x64xf32>,
                 %gbih: tensor<192xf32>, %gbhh: tensor<192xf32>,
                 %lwih: tensor<256x32xf32>, %lwhh: tensor<256x64xf32>,
                 %lbih: tensor<256xf32>, %lbhh: tensor<256xf32>) {
  // CHECK: attn.gru_cell %{{.*}}, %{{.*}} weights(%{{.*}}, %{{.*}}) biases(%{{.*}}, %{{.*}}) : (tensor<32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>, tensor<192xf32>, tensor<192xf32>) -> tensor<64xf32>
  // GENERIC: "attn.gru_cell"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (tensor<32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>, tensor<192xf32>, tensor<192xf32>) -> tensor<64xf32>
  %0 = attn.gru_cell %x, %h weights(%gwih, %gwhh) biases(%gbih, %gbhh)
      : (tensor<32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>,
         tensor<192xf32>, tensor<192xf32>) -> tensor<64xf32>
  // No biases: no `biases(...)` printed.
  // CHECK: attn.gru_cell %{{.*}}, %{{.*}} weights(%{{.*}}, %{{.*}}) : (tensor<32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>) -> tensor<64xf32>
  // GENERIC: "attn.gru_cell"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (tensor<32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>) -> tensor<64xf32>
  %1 = attn.gru_cell %x, %h weights(%gwih, %gwhh)
      : (tensor<32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>) -> tensor<64xf32>
  // CHECK: %{{.*}}, %{{.*}} = attn.lstm_cell %{{.*}}, %{{.*}}, %{{.*}} weights(%{{.*}}, %{{.*}}) biases(%{{.*}}, %{{.*}}) : (tensor<32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>, tensor<256x64xf32>, tensor<256xf32>, tensor<256xf32>) -> (tensor<64xf32>, tensor<64xf32>)
  // GENERIC: "attn.lstm_cell"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (tensor<32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>, tensor<256x64xf32>, tensor<256xf32>, tensor<256xf32>) -> (tensor<64xf32>, tensor<64xf32>)
  %2:2 = attn.lstm_cell %x, %h, %c weights(%lwih, %lwhh) biases(%lbih, %lbhh)
      : (tensor<32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>,
         tensor<256x64xf32>, tensor<256xf32>, tensor<256xf32>)
      -> (tensor<64xf32>, tensor<64xf32>)
  // CHECK: %{{.*}}, %{{.*}} = attn.lstm_cell %{{.*}}, %{{.*}}, %{{.*}} weights(%{{.*}}, %{{.*}}) : (tensor<32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>, tensor<256x64xf32>) -> (tensor<64xf32>, tensor<64xf32>)
  %3:2 = attn.lstm_cell %x, %h, %c weights(%lwih, %lwhh)
      : (tensor<32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>,
         tensor<256x64xf32>) -> (tensor<64xf32>, tensor<64xf32>)
  return
}

// GRU layers over a run-time number of rows S: forward and reverse, with
// and without biases; the results name their operands in order.
// CHECK-LABEL: func.func @gru_layers
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<?x32xf32>, %[[H:[a-z0-9]+]]: tensor<64xf32>, %[[WIH:[a-z0-9]+]]: tensor<192x32xf32>, %[[WHH:[a-z0-9]+]]: tensor<192x64xf32>, %[[BIH:[a-z0-9]+]]: tensor<192xf32>, %[[BHH:[a-z0-9]+]]: tensor<192xf32>)
// GENERIC-LABEL: sym_name = "gru_layers"
func.func @gru_layers(%x: tensor<?x32xf32>, %h: tensor<64xf32>,
                      %wih: tensor<192x32xf32>, %whh: tensor<192x64xf32>,
                      %bih: tensor<192xf32>, %bhh: tensor<192xf32>)
    -> (tensor<?x64xf32>, tensor<64xf32>, tensor<?x64xf32>, tensor<64xf32>) {
  // CHECK: %[[F:[a-z0-9_]+]], %{{.*}} = attn.gru %[[X]], %[[H]] weights(%[[WIH]], %[[WHH]]) biases(%[[BIH]], %[[BHH]]) : (tensor<?x32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>, tensor<192xf32>, tensor<192xf32>) -> (tensor<?x64xf32>, tensor<64xf32>)
  // GENERIC: "attn.gru"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (tensor<?x32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>, tensor<192xf32>, tensor<192xf32>) -> (tensor<?x64xf32>, tensor<64xf32>)
  %0:2 = attn.gru %x, %h weights(%wih, %whh) biases(%bih, %bhh)
      : (tensor<?x32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>,
         tensor<192xf32>, tensor<192xf32>) -> (tensor<?x64xf32>, tensor<64xf32>)
  // `reverse` follows the weights; in the generic form it is a unit attribute.
  // CHECK: %{{.*}}, %[[R:[a-z0-9_]+]] = attn.gru %[[X]], %[[H]] weights(%[[WIH]], %[[WHH]]) biases(%[[BIH]], %[[BHH]]) reverse : (tensor<?x32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>, tensor<192xf32>, tensor<192xf32>) -> (tensor<?x64xf32>, tensor<64xf32>)
  // GENERIC: "attn.gru"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{reverse}> : (tensor<?x32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>, tensor<192xf32>, tensor<192xf32>) -> (tensor<?x64xf32>, tensor<64xf32>)
  %1:2 = attn.gru %x, %h weights(%wih, %whh) biases(%bih, %bhh) reverse
      : (tensor<?x32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>,
         tensor<192xf32>, tensor<192xf32>) -> (tensor<?x64xf32>, tensor<64xf32>)
  // CHECK: %[[N0:[a-z0-9_]+]], %[[N1:[a-z0-9_]+]] = attn.gru %[[X]], %[[H]] weights(%[[WIH]], %[[WHH]]) reverse : (tensor<?x32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>) -> (tensor<?x64xf32>, tensor<64xf32>)
  // GENERIC: "attn.gru"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{reverse}> : (tensor<?x32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>) -> (tensor<?x64xf32>, tensor<64xf32>)
  %2:2 = attn.gru %x, %h weights(%wih, %whh) reverse
      : (tensor<?x32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>)
      -> (tensor<?x64xf32>, tensor<64xf32>)
  // CHECK: return %[[F]], %[[R]], %[[N0]], %[[N1]] :
  return %0#0, %1#1, %2#0, %2#1
      : tensor<?x64xf32>, tensor<64xf32>, tensor<?x64xf32>, tensor<64xf32>
}

// A GRU layer over a static number of rows.
// CHECK-LABEL: func.func @gru_static
func.func @gru_static(%x: tensor<7x32xf32>, %h: tensor<64xf32>,
                      %wih: tensor<192x32xf32>, %whh: tensor<192x64xf32>)
    -> tensor<7x64xf32> {
  // CHECK: attn.gru %{{.*}}, %{{.*}} weights(%{{.*}}, %{{.*}}) : (tensor<7x32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>) -> (tensor<7x64xf32>, tensor<64xf32>)
  %0:2 = attn.gru %x, %h weights(%wih, %whh)
      : (tensor<7x32xf32>, tensor<64xf32>, tensor<192x32xf32>, tensor<192x64xf32>)
      -> (tensor<7x64xf32>, tensor<64xf32>)
  return %0#0 : tensor<7x64xf32>
}

// LSTM layers: three results (outputs, final h, final c).
// CHECK-LABEL: func.func @lstm_layers
// GENERIC-LABEL: sym_name = "lstm_layers"
func.func @lstm_layers(%x: tensor<?x32xf32>, %h: tensor<64xf32>, %c: tensor<64xf32>,
                       %wih: tensor<256x32xf32>, %whh: tensor<256x64xf32>,
                       %bih: tensor<256xf32>, %bhh: tensor<256xf32>)
    -> (tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>) {
  // CHECK: %{{.*}}, %{{.*}}, %{{.*}} = attn.lstm %{{.*}}, %{{.*}}, %{{.*}} weights(%{{.*}}, %{{.*}}) biases(%{{.*}}, %{{.*}}) : (tensor<?x32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>, tensor<256x64xf32>, tensor<256xf32>, tensor<256xf32>) -> (tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>)
  // GENERIC: "attn.lstm"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (tensor<?x32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>, tensor<256x64xf32>, tensor<256xf32>, tensor<256xf32>) -> (tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>)
  %0:3 = attn.lstm %x, %h, %c weights(%wih, %whh) biases(%bih, %bhh)
      : (tensor<?x32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>,
         tensor<256x64xf32>, tensor<256xf32>, tensor<256xf32>)
      -> (tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>)
  // CHECK: %{{.*}}, %{{.*}}, %{{.*}} = attn.lstm %{{.*}}, %{{.*}}, %{{.*}} weights(%{{.*}}, %{{.*}}) biases(%{{.*}}, %{{.*}}) reverse : (tensor<?x32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>, tensor<256x64xf32>, tensor<256xf32>, tensor<256xf32>) -> (tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>)
  // GENERIC: "attn.lstm"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{reverse}> : (tensor<?x32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>, tensor<256x64xf32>, tensor<256xf32>, tensor<256xf32>) -> (tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>)
  %1:3 = attn.lstm %x, %h, %c weights(%wih, %whh) biases(%bih, %bhh) reverse
      : (tensor<?x32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>,
         tensor<256x64xf32>, tensor<256xf32>, tensor<256xf32>)
      -> (tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>)
  // CHECK: %{{.*}}, %{{.*}}, %{{.*}} = attn.lstm %{{.*}}, %{{.*}}, %{{.*}} weights(%{{.*}}, %{{.*}}) : (tensor<?x32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>, tensor<256x64xf32>) -> (tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>)
  // GENERIC: "attn.lstm"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (tensor<?x32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>, tensor<256x64xf32>) -> (tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>)
  %2:3 = attn.lstm %x, %h, %c weights(%wih, %whh)
      : (tensor<?x32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<256x32xf32>,
         tensor<256x64xf32>) -> (tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>)
  return %0#0, %1#1, %2#2 : tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>
}

// Sizes known only at run time are accepted where the others agree: a
// dynamic hidden size in the state, a dynamic input size.
// CHECK-LABEL: func.func @dynamic_sizes
func.func @dynamic_sizes(%x: tensor<?x?xf32>, %h: tensor<?xf32>,
                         %wih: tensor<192x?xf32>, %whh: tensor<192x64xf32>)
    -> tensor<?x64xf32> {
  // CHECK: attn.gru %{{.*}}, %{{.*}} weights(%{{.*}}, %{{.*}}) reverse : (tensor<?x?xf32>, tensor<?xf32>, tensor<192x?xf32>, tensor<192x64xf32>) -> (tensor<?x64xf32>, tensor<?xf32>)
  %0:2 = attn.gru %x, %h weights(%wih, %whh) reverse
      : (tensor<?x?xf32>, tensor<?xf32>, tensor<192x?xf32>, tensor<192x64xf32>)
      -> (tensor<?x64xf32>, tensor<?xf32>)
  return %0#0 : tensor<?x64xf32>
}
