// One f32 matrix-vector product with run-time sizes, y += A x, in the
// entry-point contract form (docs/PASSES.md); matvec_threshold.sh renames
// @NAME and lowers it once with every product in loops and once with every
// product through attnrt_sgemv.
func.func @NAME(%a: tensor<?x?xf32> {bufferization.writable = false},
                %x: tensor<?xf32> {bufferization.writable = false},
                %y: tensor<?xf32> {bufferization.writable = true})
    -> tensor<?xf32> attributes {llvm.emit_c_interface} {
  %r = linalg.matvec ins(%a, %x : tensor<?x?xf32>, tensor<?xf32>) outs(%y : tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}
