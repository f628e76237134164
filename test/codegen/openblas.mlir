// The self-attention and score tests again, linked with libattnrt, so that
// the products run through the runtime's attnrt_sgemm (cblas_sgemm of
// OpenBLAS) instead of the harness's loop. Skipped until libattnrt is built
// (ninja attnrt).
// REQUIRES: attnrt
// RUN: attn-opt %S/self-attention.mlir --attnc-lower="blas-min-flops=0 c-interface=0" -o %t.self.mlir
// RUN: %attn-llc %t.self.mlir -o %t.self.o
// RUN: %host-cc %S/Inputs/self-attention.c %t.self.o %attnrt-link -lm -o %t.self.exe
// RUN: %t.self.exe | FileCheck %s
// RUN: attn-opt %S/scores.mlir --attnc-lower="blas-min-flops=0 c-interface=0" -o %t.scores.mlir
// RUN: %attn-llc %t.scores.mlir -o %t.scores.o
// RUN: %host-cc %S/Inputs/scores.c %t.scores.o %attnrt-link -lm -o %t.scores.exe
// RUN: %t.scores.exe | FileCheck %s

// CHECK-NOT: FAIL
// CHECK: PASS
