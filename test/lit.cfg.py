# -*- Python -*-
# lit configuration of the attnc test suite.

import os
import subprocess

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "ATTNC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".attn", ".test", ".py"]
# Inputs/ holds models used by tests; lib/ the end-to-end helpers.
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py",
                   "Inputs", "lib"]

config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.attnc_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%attnc_src_root", config.attnc_src_root))
config.substitutions.append(("%attnc_obj_root", config.attnc_obj_root))
# Oracles (numpy, torch) are Debian's: /usr/bin/python3, not the first on PATH.
config.substitutions.append(("%python", "/usr/bin/python3"))
llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

# FileCheck, not and count come from llvm-19-tools; our tools from build/bin.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tool_dirs = [config.attnc_tools_dir, config.llvm_tools_dir]
tools = ["attn-opt", "attnc", "attnc-frontend-fuzzer"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# C programs that link libattnrt: %cc is the system's compiler, %clang
# clang-19. In a sanitizer build libattnrt is instrumented, so they are too,
# with clang's runtimes; a Python process that loads it preloads them.
sanitizer_flags = ""
python_dlopen = "/usr/bin/python3"
if "Address" in config.llvm_use_sanitizer:
    config.available_features.add("asan")
    # The flags the build used (CMakeLists.txt, LLVM_UBSAN_FLAGS).
    sanitizer_flags = " -fsanitize=address " + config.llvm_ubsan_flags
    asan_runtime = subprocess.check_output(
        ["clang-19", "-print-file-name=libclang_rt.asan-x86_64.so"], text=True).strip()
    # Python itself is not instrumented and keeps its memory to the end.
    python_dlopen = ("env LD_PRELOAD=" + asan_runtime
                     + " ASAN_OPTIONS=detect_leaks=0 /usr/bin/python3")
    # Builds that tests run (examples' scripts, CMake and make apps).
    config.environment["CC"] = "clang-19"
    config.environment["CFLAGS"] = config.environment["LDFLAGS"] = sanitizer_flags.strip()
# Before %python, which is its prefix.
config.substitutions.insert(0, ("%python_dlopen", python_dlopen))
# An end-to-end test: python <test> <src root> <build root> <scratch dir>;
# %e2e_dlopen when the test loads libattnrt into Python.
for name, python in [("%e2e_dlopen", python_dlopen), ("%e2e", "/usr/bin/python3")]:
    config.substitutions.append(
        (name, python + " %s " + config.attnc_src_root + " "
         + config.attnc_obj_root + " %t"))
# ASan reserves terabytes of address space for its shadow memory: a test's
# address-space limit (%ulimit_v KB) holds in other builds only.
config.substitutions.append(("%ulimit_v", "true" if sanitizer_flags else "ulimit -v"))
config.substitutions.append(("%cc", ("clang-19" if sanitizer_flags else "cc") + sanitizer_flags))
config.substitutions.append(("%clang", "clang-19" + sanitizer_flags))
# The end-to-end helpers (test/lib) compile their callers with these too.
config.environment["ATTNC_TEST_CFLAGS"] = sanitizer_flags.strip()
config.attnc_sanitizer_cflags = sanitizer_flags
config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1"

# The libFuzzer targets exist when the compiler could build them (fuzz/).
if os.path.exists(os.path.join(config.attnc_tools_dir,
                               "attnrt-safetensors-fuzzer")):
    config.available_features.add("libfuzzer")
if config.sanitize_coverage in ("ON", "1", "TRUE", "YES"):
    config.available_features.add("frontend-libfuzzer")
