# -*- Python -*-
# lit configuration of the attnc test suite.

import os

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
# An end-to-end test: python <test> <src root> <build root> <scratch dir>.
config.substitutions.append(
    ("%e2e", "/usr/bin/python3 %s " + config.attnc_src_root + " "
     + config.attnc_obj_root + " %t"))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

# FileCheck, not and count come from llvm-19-tools; our tools from build/bin.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tool_dirs = [config.attnc_tools_dir, config.llvm_tools_dir]
tools = ["attn-opt", "attnc"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# The libFuzzer targets exist when the compiler could build them (fuzz/).
if os.path.exists(os.path.join(config.attnc_tools_dir,
                               "attnrt-safetensors-fuzzer")):
    config.available_features.add("libfuzzer")
