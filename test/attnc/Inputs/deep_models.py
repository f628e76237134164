"""Writes the deep-nesting reproducers of issue 14 into argv[1]: each once
crashed attnc's stack at 8 MB (or took seconds per thousand terms)."""
import os
import sys

out = sys.argv[1]


def model(name, body, consts=""):
    with open(os.path.join(out, name + ".attn"), "w") as f:
        f.write("model m {\n" + consts +
                "  fn f(x: f32[4, 4]) -> (y: f32[4, 4]) {\n"
                "    y = " + body + "\n  }\n}\n")


model("parens", "(" * 15000 + "x" + ")" * 15000)
model("minus", "-" * 19000 + "x")
model("calls", "tanh(" * 5857 + "x" + ")" * 5857)
model("sum", " + ".join(["x"] * 7907))
model("transposes", "x" + ".T" * 16497)
model("const-sum", "x * C", "  const C = " + " + ".join(["1"] * 87556) + "\n")
# Just inside the limit: 256 levels compile.
model("deep-ok", "tanh(" * 255 + "x" + ")" * 255)
