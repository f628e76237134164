//===- PythonModule.cpp - The Python module of a compiled model -----------===//
//
// A Python module that calls a model's entry points through ctypes with
// numpy arrays, written from the same `attn.model` attribute as the C
// header. The module is a fixed generic part (kGenericPart: loading,
// checking, allocating, calling) plus per-model tables and one method per
// fn, so that what it checks is reviewed once, not per model.
//
//===----------------------------------------------------------------------===//

#include "interface/CInterface.h"
#include "interface/Version.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::attn;

namespace {

/// The part of every generated module that does not depend on the model.
/// Its module-level names start with `_` (but the documented AttncError),
/// the attributes of a model object with `_attnc` (but close()); a method
/// uses no other name than `self`, so that no name in the model can clash
/// with it once getPythonNames() has renamed the clashing ones.
constexpr llvm::StringLiteral kGenericPart = R"py(
# ---------------------------------------------------------------------------
# The generic part, the same in every module attnc writes.
# ---------------------------------------------------------------------------


class AttncError(RuntimeError):
    """An error status of the compiled model: `status` is its name, e.g.
    "ATTNRT_ERROR_OUT_OF_RANGE" (attnrt_status_name), and the message is the
    runtime's (attnrt_last_error), e.g. "m_f: dim S = 513 is above its bound
    512"."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def _shape_text(shape):
    """(S, 64), (64,) or (): a shape as Python prints tuples."""
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


class _Arg:
    """An input or output: its name in the .attn model, its dtype, its shape
    (ints and names of run-time dims)."""

    def __init__(self, name, dtype, shape):
        self.name, self.dtype, self.shape = name, _np.dtype(dtype), shape


class _Entry:
    """A fn: the C function `symbol` takes the model, the run-time dims `dims`
    ((name, bound or None), in the model's order) as int64, then pointers to
    the inputs and to the outputs."""

    def __init__(self, name, symbol, dims, inputs, outputs):
        self.name, self.symbol, self.dims = name, symbol, dims
        self.inputs, self.outputs = inputs, outputs


def _input_array(where, arg, value):
    """`value` as an array of arg's dtype. Arrays and numpy scalars must have
    that dtype exactly (no silent conversion); a scalar input also takes a
    Python int, or a float for f32."""
    # type(), not isinstance: bool is an int, numpy.float64 a float.
    if not arg.shape and type(value) in (int, float):
        if isinstance(value, float) and arg.dtype != _np.float32:
            raise TypeError(f"{where}: {arg.name} is the float {value!r}, expected {arg.dtype}")
        if arg.dtype == _np.int32 and not -(1 << 31) <= value < (1 << 31):
            raise OverflowError(f"{where}: {arg.name} = {value} does not fit in int32")
        return _np.array(value, dtype=arg.dtype)
    if not isinstance(value, (_np.ndarray, _np.generic)):
        raise TypeError(f"{where}: {arg.name} must be a numpy array of {arg.dtype}, "
                        f"not {type(value).__name__}")
    if value.dtype != arg.dtype:
        raise TypeError(f"{where}: {arg.name} has dtype {value.dtype}, expected {arg.dtype}")
    return _np.asarray(value)


class _ModelBase:
    _attnc_name = None  # the model's name, the prefix of its C symbols
    _attnc_entries = {}  # fn name -> _Entry

    def __init__(self, library, weights_path=None):
        self._attnc_handle = None
        if not isinstance(library, _ctypes.CDLL):
            library = _os.fspath(library)
            # dlopen looks for a name without "/" in the system's paths only.
            if _os.path.exists(library):
                library = _os.path.abspath(library)
            library = _ctypes.CDLL(library)
        self._attnc_library = library
        c = _ctypes
        self._attnc_status_name = self._attnc_bind("attnrt_status_name", c.c_char_p, [c.c_int32])
        self._attnc_last_error = self._attnc_bind("attnrt_last_error", c.c_char_p, [])
        create = self._attnc_bind(self._attnc_name + "_create", c.c_int32,
                                  [c.c_char_p, c.POINTER(c.c_void_p)])
        self._attnc_destroy = self._attnc_bind(self._attnc_name + "_destroy", None, [c.c_void_p])
        self._attnc_functions = {
            entry.name: self._attnc_bind(
                entry.symbol, c.c_int32,
                [c.c_void_p] + [c.c_int64] * len(entry.dims) +
                [c.c_void_p] * (len(entry.inputs) + len(entry.outputs)))
            for entry in self._attnc_entries.values()}
        handle = c.c_void_p()
        path = None if weights_path is None else _os.fsencode(weights_path)
        status = create(path, c.byref(handle))
        if status:
            raise self._attnc_error(status)
        self._attnc_handle = handle

    def _attnc_bind(self, symbol, restype, argtypes):
        try:
            function = getattr(self._attnc_library, symbol)
        except AttributeError:
            raise OSError(f"{self._attnc_library._name}: no symbol {symbol}: link the "
                          f"object of the model '{self._attnc_name}' and -lattnrt into it") from None
        function.restype, function.argtypes = restype, argtypes
        return function

    def _attnc_error(self, status):
        return AttncError(self._attnc_status_name(status).decode(),
                          self._attnc_last_error().decode("utf-8", "replace"))

    def close(self):
        """Frees the model; calling it again does nothing, calling a fn after
        it raises ValueError."""
        handle, self._attnc_handle = self._attnc_handle, None
        if handle is not None:
            self._attnc_destroy(handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __del__(self):
        if getattr(self, "_attnc_handle", None) is not None:
            self.close()

    def _attnc_call(self, name, inputs, given_dims):
        """Checks the inputs, allocates the outputs, calls the fn; returns
        its one output or the tuple of its outputs (a scalar as a numpy
        scalar)."""
        entry = self._attnc_entries[name]
        where = f"{self._attnc_name}.{name}"
        if self._attnc_handle is None:
            raise ValueError(f"{where}: the model is closed")
        dims = {}  # dim -> (size, the input it was read from)
        arrays = []
        for arg, value in zip(entry.inputs, inputs):
            array = _input_array(where, arg, value)
            expected = _shape_text(arg.shape)
            if array.ndim != len(arg.shape):
                raise ValueError(f"{where}: {arg.name} has shape {array.shape}, expected {expected}")
            for extent, size in zip(arg.shape, array.shape):
                if isinstance(extent, int):
                    if size != extent:
                        raise ValueError(f"{where}: {arg.name} has shape {array.shape}, "
                                         f"expected {expected}")
                elif extent not in dims:
                    dims[extent] = (size, arg.name)
                elif dims[extent][0] != size:
                    raise ValueError(f"{where}: {arg.name} has shape {array.shape}, expected "
                                     f"{expected} with {extent} = {dims[extent][0]} "
                                     f"from {dims[extent][1]}")
            arrays.append(_np.require(array, requirements="CA"))
        for dim, value in given_dims.items():
            if isinstance(value, bool) or not isinstance(value, (int, _np.integer)):
                raise TypeError(f"{where}: {dim} must be an int, not {type(value).__name__}")
            if not -(1 << 63) <= value < (1 << 63):
                raise OverflowError(f"{where}: {dim} = {value} does not fit in int64")
            dims[dim] = (int(value), None)
        sizes = [dims[dim][0] for dim, _ in entry.dims]
        # The C function reports a dim out of its range itself, before it
        # touches a buffer: the outputs are then not allocated at that size.
        valid = all(size >= 1 and (bound is None or size <= bound)
                    for (_, bound), size in zip(entry.dims, sizes))
        outputs = [_np.empty(tuple(e if isinstance(e, int) else dims[e][0] for e in arg.shape)
                             if valid else (0,), dtype=arg.dtype)
                   for arg in entry.outputs]
        status = self._attnc_functions[name](
            self._attnc_handle, *sizes, *[a.ctypes.data for a in arrays + outputs])
        if status:
            raise self._attnc_error(status)
        if not valid:
            raise AssertionError(f"{where}: the compiled model accepted dims {sizes}")
        results = tuple(out[()] if out.ndim == 0 else out for out in outputs)
        return results[0] if len(results) == 1 else results
)py";

/// Python's keywords (3.12), which Python code cannot use as names; the
/// soft keywords (`match`, `case`, `type`, `_`) can be.
constexpr llvm::StringLiteral kPythonKeywords[] = {
    "False",  "None",     "True",  "and",    "as",       "assert", "async",
    "await",  "break",    "class", "continue", "def",    "del",    "elif",
    "else",   "except",   "finally", "for",  "from",     "global", "if",
    "import", "in",       "is",    "lambda", "nonlocal", "not",    "or",
    "pass",   "raise",    "return", "try",   "while",    "with",   "yield"};

/// Python names for `names` (C names, which attn.model's verifier
/// enforces, so Python identifiers but for keywords): each name as it is,
/// unless it is a Python keyword or in `reserved` (names the generated code
/// uses itself); then with `_` appended (PEP 8's `lambda_`) until it differs
/// from every other name.
SmallVector<std::string> getPythonNames(ArrayRef<StringRef> names,
                                        ArrayRef<StringRef> reserved) {
  auto clashes = [&](StringRef name) {
    return llvm::is_contained(kPythonKeywords, name) ||
           llvm::is_contained(reserved, name);
  };
  llvm::StringSet<> taken;
  for (StringRef name : names)
    if (!clashes(name))
      taken.insert(name);
  SmallVector<std::string> result;
  for (StringRef name : names) {
    result.push_back(name.str());
    if (!clashes(name))
      continue;
    do
      result.back() += "_";
    while (taken.contains(result.back()) || clashes(result.back()));
    taken.insert(result.back());
  }
  return result;
}

/// `text` inside a double-quoted Python string (or docstring) as it is.
std::string quote(StringRef text) {
  std::string result = "\"";
  for (unsigned char c : text) {
    if (c == '\\' || c == '"')
      (result += '\\') += c;
    else if (c >= 0x20 && c < 0x7f)
      result += c;
    else
      result += "\\x" + llvm::utohexstr(c, /*LowerCase=*/true, /*Width=*/2);
  }
  return result + "\"";
}

/// `(a, b)`, `(a,)` or `()`: a Python tuple of `items`.
std::string getTuple(ArrayRef<std::string> items) {
  return "(" + llvm::join(items, ", ") + (items.size() == 1 ? ",)" : ")");
}

/// `("S", 64)`: a shape.
std::string getShapeTuple(ArrayRef<Extent> shape) {
  return getTuple(llvm::to_vector(llvm::map_range(shape, [](const Extent &e) {
    return e.isDim() ? quote(e.getDim()) : std::to_string(e.getSize());
  })));
}

/// `(_Arg("x", "float32", ("S", 64)),)`: inputs or outputs.
std::string getArgTuple(ArrayRef<ArgAttr> args) {
  return getTuple(llvm::to_vector(llvm::map_range(args, [](ArgAttr arg) {
    return "_Arg(" + quote(arg.getName()) + ", " +
           (arg.getElementType().isF32() ? "\"float32\"" : "\"int32\"") +
           ", " + getShapeTuple(arg.getShape()) + ")";
  })));
}

/// The Python names of one fn's inputs and of the dims it reads only from
/// keyword arguments (those no input's shape gives), in order.
struct EntryNames {
  SmallVector<std::pair<StringRef, std::string>> inputs, keywordDims;
};

EntryNames getEntryNames(ModelAttr model, EntryAttr entry) {
  SmallVector<StringRef> attnNames;
  for (ArgAttr arg : entry.getInputs())
    attnNames.push_back(arg.getName());
  for (DimAttr dim : model.getEntryDims(entry))
    if (llvm::none_of(entry.getInputs(), [&](ArgAttr arg) {
          return arg.usesDim(dim.getName());
        }))
      attnNames.push_back(dim.getName());
  // `self` is the method's first parameter.
  SmallVector<std::string> names = getPythonNames(attnNames, {"self"});
  EntryNames result;
  for (auto [index, attnName] : llvm::enumerate(attnNames))
    (index < entry.getInputs().size() ? result.inputs : result.keywordDims)
        .push_back({attnName, names[index]});
  return result;
}

/// One method: a docstring from the .attn signature, and a call of the
/// generic part.
void writeMethod(ModelAttr model, EntryAttr entry, StringRef method,
                 llvm::raw_ostream &os) {
  EntryNames names = getEntryNames(model, entry);
  os << "\n    def " << method << "(self";
  for (auto &[attnName, name] : names.inputs)
    os << ", " << name;
  if (!names.keywordDims.empty())
    os << ", *";
  for (auto &[attnName, name] : names.keywordDims)
    os << ", " << name;
  os << "):\n";

  // The docstring: the signature, then what each part is.
  os << "        \"\"\"" << method << "(";
  llvm::interleaveComma(names.inputs, os,
                        [&](const auto &input) { os << input.second; });
  if (!names.keywordDims.empty()) {
    os << ", *, ";
    llvm::interleaveComma(names.keywordDims, os,
                          [&](const auto &dim) { os << dim.second; });
  }
  os << ") -> ";
  ArrayRef<ArgAttr> outputs = entry.getOutputs();
  if (outputs.size() != 1)
    os << "(";
  llvm::interleaveComma(outputs, os,
                        [&](ArgAttr arg) { os << arg.getName(); });
  if (outputs.size() != 1)
    os << ")";
  os << "\n\n        Calls " << model.getName() << "_" << entry.getName()
     << ".\n"
     << "        Inputs, numpy arrays of exactly this dtype (f32: float32, "
        "i32: int32;\n"
     << "        a scalar may also be a Python number):\n";
  for (auto [arg, input] : llvm::zip_equal(entry.getInputs(), names.inputs)) {
    os << "            " << input.second;
    if (input.second != arg.getName())
      os << " (" << arg.getName() << " in the model)";
    os << ": " << getArgTypeText(arg) << "\n";
  }
  os << "        Returns " << (outputs.size() == 1 ? "a new array" : "new arrays")
     << " (a scalar output as a numpy scalar):\n";
  for (ArgAttr arg : outputs)
    os << "            " << arg.getName() << ": " << getArgTypeText(arg)
       << "\n";
  SmallVector<DimAttr> dims = model.getEntryDims(entry);
  if (!dims.empty())
    os << "        Run-time dims:\n";
  for (DimAttr dim : dims) {
    std::optional<int64_t> max = dim.getMax();
    os << "            " << dim.getName() << ": "
       << (max ? "1 to " + std::to_string(*max) : std::string("at least 1"));
    auto keyword = llvm::find_if(names.keywordDims, [&](const auto &pair) {
      return pair.first == dim.getName();
    });
    if (keyword == names.keywordDims.end())
      os << ", from the inputs' shapes\n";
    else
      os << ", the keyword argument " << keyword->second << "\n";
  }
  os << "        Raises TypeError for a dtype, ValueError for a shape, "
        "AttncError\n"
     << "        for an error status of the model.\n"
     << "        \"\"\"\n";

  os << "        return self._attnc_call(" << quote(entry.getName()) << ", "
     << getTuple(llvm::to_vector(llvm::make_second_range(names.inputs)))
     << ", {";
  llvm::interleaveComma(names.keywordDims, os, [&](const auto &dim) {
    os << quote(dim.first) << ": " << dim.second;
  });
  os << "})\n";
}

/// The method of each fn: named after it, but not like the generic part's
/// attributes (close() and those called _attnc*).
SmallVector<std::string> getMethodNames(ModelAttr model) {
  SmallVector<StringRef> reserved{"close"};
  StringRef generic = kGenericPart;
  for (size_t at = generic.find("_attnc"); at != StringRef::npos;
       at = generic.find("_attnc", at + 1)) {
    StringRef word = generic.substr(at).take_while(
        [](char c) { return llvm::isAlnum(c) || c == '_'; });
    if (!llvm::is_contained(reserved, word))
      reserved.push_back(word);
  }
  SmallVector<StringRef> fns;
  for (EntryAttr entry : model.getEntries())
    fns.push_back(entry.getName());
  return getPythonNames(fns, reserved);
}

} // namespace

LogicalResult mlir::attn::emitPythonModule(ModuleOp module,
                                           const HeaderProvenance &provenance,
                                           llvm::raw_ostream &os) {
  FailureOr<ModelAttr> lookedUp = lookupModel(module);
  if (failed(lookedUp))
    return failure();
  ModelAttr model = *lookedUp;
  StringRef name = model.getName();
  SmallVector<std::string> methods = getMethodNames(model);
  bool embedded = !provenance.weightsName.empty();
  // Inside the docstring, as in a string literal.
  auto text = [](StringRef raw) {
    return StringRef(quote(raw)).drop_front().drop_back().str();
  };
  std::string libDir = text(provenance.runtimeLibDir);

  // The module's docstring: how to build and load it, and the weights.
  os << "\"\"\"Python interface of the attnc model '" << name << "'.\n\n"
     << "Generated by attnc " << getCompilerVersion() << " from "
     << text(provenance.sourceName) << "; do not edit.\n";
  if (embedded)
    os << "Weights embedded from " << text(provenance.weightsName)
       << ": Model(library) needs no file.\n";
  os << "Needs numpy. Build a shared library from the model's object:\n\n"
     << "    cc -shared -o lib" << name << ".so "
     << text(provenance.objectName) << " -L" << libDir << " \\\\\n"
     << "       -Wl,-rpath," << libDir << " -lattnrt -lopenblas -lm\n\n"
     << "and call it with numpy arrays (see help(Model)):\n\n"
     << "    with Model(\"./lib" << name << ".so\""
     << (embedded ? "" : ", \"weights.safetensors\"") << ") as m:\n";
  for (StringRef method : methods)
    os << "        ... = m." << method << "(...)\n";
  os << "\nWeights (safetensors; name: dtype[shape]):";
  for (ArgAttr param : model.getParams())
    os << "\n    " << param.getName() << ": " << getArgTypeText(param);
  if (model.getParams().empty())
    os << " none; weights_path is None.";
  os << "\n\"\"\"\n\n"
     << "import ctypes as _ctypes\nimport os as _os\n\nimport numpy as _np\n\n"
     << "__all__ = [\"AttncError\", \"Model\", \"ATTNC_VERSION\", "
        "\"SOURCE_SHA256\", \"WEIGHTS_SHA256\"]\n\n"
     << "# What made this module, as its C header records it: the compiler,\n"
     << "# the SHA-256 of the .attn source and of the embedded weights (None:\n"
     << "# none are).\n"
     << "ATTNC_VERSION = " << quote(getCompilerVersion()) << "\n"
     << "SOURCE_SHA256 = " << quote(provenance.sourceSHA256) << "\n"
     << "WEIGHTS_SHA256 = "
     << (embedded ? quote(provenance.weightsSHA256) : "None") << "\n";

  os << kGenericPart;

  // The model: its tables and one method per fn.
  os << "\n\n# " << std::string(75, '-') << "\n"
     << "# The model '" << name << "'.\n"
     << "# " << std::string(75, '-') << "\n\n\n"
     << "class Model(_ModelBase):\n"
     << "    \"\"\"The model '" << name << "', loaded from a shared library.\n\n"
     << "    Model(library, weights_path=None): `library` is the path of a "
        "shared\n"
     << "    library linked from the model's object (or a ctypes.CDLL), "
        "`weights_path`\n"
     << "    a safetensors file, or None for a model without params or "
        "built with\n"
     << "    --embed-weights. An error status raises AttncError. Close it "
        "with close()\n"
     << "    or a `with` block; any number of threads may call its fns at "
        "once.\n"
     << "    \"\"\"\n\n"
     << "    _attnc_name = " << quote(name) << "\n"
     << "    _attnc_entries = {\n";
  for (EntryAttr entry : model.getEntries()) {
    os << "        " << quote(entry.getName()) << ": _Entry(\n"
       << "            " << quote(entry.getName()) << ", "
       << quote((name + "_" + entry.getName()).str()) << ", "
       << getTuple(llvm::to_vector(
              llvm::map_range(model.getEntryDims(entry), [](DimAttr dim) {
                std::optional<int64_t> max = dim.getMax();
                return getTuple({quote(dim.getName()),
                                 max ? std::to_string(*max) : "None"});
              })))
       << ",\n"
       << "            " << getArgTuple(entry.getInputs()) << ",\n"
       << "            " << getArgTuple(entry.getOutputs()) << "),\n";
  }
  os << "    }\n";

  for (auto [entry, method] : llvm::zip_equal(model.getEntries(), methods))
    writeMethod(model, entry, method, os);
  return success();
}
