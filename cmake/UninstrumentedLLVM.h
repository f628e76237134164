//===- UninstrumentedLLVM.h - LLVM's headers as libLLVM was built -*- C++ -*-===//
//
// Force-included into every C++ source of a sanitizer build (CMakeLists.txt).
// Debian's libLLVM and libMLIR are not instrumented, but LLVM's headers see
// -fsanitize=address and make BumpPtrAllocator poison the slabs it allocates.
// Our instrumented copies of those inline functions then interpose on the
// libraries' ones: a slab poisoned by our StartNewSlab is written by
// libMLIR's uninstrumented Allocate, which never unpoisons it, and ASan
// reports a use-after-poison that is not a bug. Here the headers behave as
// they did when libLLVM was compiled: no manual poisoning.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_CMAKE_UNINSTRUMENTEDLLVM_H
#define ATTNC_CMAKE_UNINSTRUMENTEDLLVM_H

#include "llvm/Support/Compiler.h"

#undef LLVM_ADDRESS_SANITIZER_BUILD
#define LLVM_ADDRESS_SANITIZER_BUILD 0
#define __asan_poison_memory_region(p, size) ((void)(p), (void)(size))
#define __asan_unpoison_memory_region(p, size) ((void)(p), (void)(size))

#endif // ATTNC_CMAKE_UNINSTRUMENTEDLLVM_H
