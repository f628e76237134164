//===- AttnModelAttrs.td - The C interface as attributes -*- tablegen -*-===//
//
// What an application sees of a compiled model (DESIGN.md section 8), as one
// typed attribute on the module: `attn.model = #attn.model<...>`. MLIRGen
// writes it; attn-emit-c-interface builds the wrapper functions and attnc
// the C header from it.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_MODEL_ATTRS_TD
#define ATTN_MODEL_ATTRS_TD

include "dialect/AttnDialect.td"
include "mlir/IR/AttrTypeBase.td"

class Attn_Attr<string name, string attrMnemonic>
    : AttrDef<Attn_Dialect, name> {
  let mnemonic = attrMnemonic;
}

// A size in a shape or a bound: an integer, or the name of a run-time dim,
// printed bare (`64`, `S`).
def Attn_ExtentParameter
    : AttrParameter<"::mlir::attn::Extent", "an integer or a run-time dim"> {
  let parser = "::mlir::attn::parseExtent($_parser)";
  let printer = "::mlir::attn::printExtent($_printer, $_self)";
}

// A list in square brackets, possibly empty, of attributes printed in full.
class Attn_ListParameter<string of, string desc>
    : ArrayRefParameter<of, desc> {
  let parser = "::mlir::attn::parseAttrList<" # of # ">($_parser)";
  let printer = "::mlir::attn::printAttrList($_printer, $_self)";
}
class Attn_OptionalListParameter<string of, string desc>
    : OptionalArrayRefParameter<of, desc> {
  let parser = "::mlir::attn::parseAttrList<" # of # ">($_parser)";
  let printer = "::mlir::attn::printAttrList($_printer, $_self)";
}

// An optional integer bound; printed only when present.
def Attn_BoundParameter
    : OptionalParameter<"std::optional<int64_t>", "its upper bound"> {
  let printer = "$_printer << *$_self";
}

def Attn_DimAttr : Attn_Attr<"Dim", "dim"> {
  let summary = "A run-time dim of a model, with an optional upper bound";
  let description = [{
    A dim whose size the caller passes at run time, as an `int64_t` argument
    of each entry point whose buffers use it. Entry points check that it is
    at least 1 and, with a `max`, at most `max`; the header defines
    `<MODEL>_<DIM>_MAX` for a bounded dim.

    ```mlir
    #attn.dim<"S", max = 512>
    ```
  }];
  let parameters = (ins
    StringRefParameter<"the dim's name">:$name,
    Attn_BoundParameter:$max
  );

  let assemblyFormat = "`<` $name (`,` `max` `=` $max^)? `>`";
}

def Attn_RangeCheckAttr : Attn_Attr<"RangeCheck", "range"> {
  let summary = "A run-time check that an i32 input indexes memory safely";
  let description = [{
    Every value of the input must lie in `[0, max]`, where `max` is an
    integer or a run-time dim; `what` says what the values are, for the
    error message. The entry point calls `attnrt_check_range` before the
    kernel runs, so that nothing is written on a bad value.

    ```mlir
    #attn.range<max = 39, what = "an id of the embedding table 'emb'">
    #attn.range<max = S, what = "a padding length">
    ```
  }];
  let parameters = (ins
    Attn_ExtentParameter:$max,
    StringRefParameter<"what the values are">:$what
  );
  let assemblyFormat = "`<` `max` `=` $max `,` `what` `=` $what `>`";
}

def Attn_ArgAttr : Attn_Attr<"Arg", "arg"> {
  let summary = "A parameter, input or output: name, element type, shape";
  let description = [{
    A row-major buffer of `f32` or `i32` elements whose shape lists integers
    and run-time dims (none for a scalar). An `i32` input whose values index
    memory has one `#attn.range` check per use.

    ```mlir
    #attn.arg<"wq" : f32[64, 64]>
    #attn.arg<"src" : i32[S], checks = [#attn.range<max = 39,
              what = "an id of the embedding table 'emb'">]>
    #attn.arg<"len" : i32>
    ```
  }];
  let parameters = (ins
    StringRefParameter<"the name in the .attn model">:$name,
    AttrParameter<"::mlir::Type", "f32 or i32">:$elementType,
    ArrayRefParameter<"::mlir::attn::Extent", "the shape">:$shape,
    Attn_OptionalListParameter<"::mlir::attn::RangeCheckAttr",
                               "checks of the values">:$checks
  );
  let assemblyFormat = [{
    `<` $name `:` custom<ArgType>($elementType, $shape)
    (`,` `checks` `=` $checks^)? `>`
  }];
  let extraClassDeclaration = [{
    /// Whether the shape uses the run-time dim `dim`.
    bool usesDim(::llvm::StringRef dim) const;
  }];
}

def Attn_EntryAttr : Attn_Attr<"Entry", "entry"> {
  let summary = "An entry point of a model: one `fn`, its kernel and buffers";
  let description = [{
    The C function `<model>_<name>` takes the model handle, the run-time
    dims its buffers use (in the model's order), the inputs and then the
    caller-owned outputs; it checks them and calls `kernel`, which takes
    every parameter, then the inputs, then the outputs.

    ```mlir
    #attn.entry<"forward", kernel = @__attnc_m_forward,
                inputs = [#attn.arg<"x" : f32[S, 64]>],
                outputs = [#attn.arg<"y" : f32[S, 64]>]>
    ```
  }];
  let parameters = (ins
    StringRefParameter<"the fn's name">:$name,
    AttrParameter<"::mlir::FlatSymbolRefAttr", "the kernel it calls">:$kernel,
    Attn_ListParameter<"::mlir::attn::ArgAttr", "the inputs">:$inputs,
    Attn_ListParameter<"::mlir::attn::ArgAttr", "the outputs">:$outputs
  );
  let assemblyFormat = [{
    `<` $name `,` `kernel` `=` $kernel `,` `inputs` `=` $inputs `,`
    `outputs` `=` $outputs `>`
  }];
}

def Attn_ModelAttr : Attn_Attr<"Model", "model"> {
  let summary = "The C interface of a model";
  let description = [{
    Sits on the module as `attn.model`: the model's name (the prefix of
    every C symbol), its run-time dims, its parameters (loaded from the
    weights file, in slot order) and its entry points. The dialect verifies
    it: names are unique C identifiers, every dim a shape or check names is
    declared, parameters have static shapes, element types are `f32` or
    `i32`, and only `i32` buffers have range checks.

    ```mlir
    module attributes {attn.model = #attn.model<"m",
        dims = [#attn.dim<"S", max = 512>],
        params = [#attn.arg<"w" : f32[64, 64]>],
        entries = [#attn.entry<"forward", kernel = @__attnc_m_forward,
                               inputs = [#attn.arg<"x" : f32[S, 64]>],
                               outputs = [#attn.arg<"y" : f32[S, 64]>]>]>} {
      ...
    }
    ```
  }];
  let parameters = (ins
    StringRefParameter<"the model's name">:$name,
    Attn_ListParameter<"::mlir::attn::DimAttr", "the run-time dims">:$dims,
    Attn_ListParameter<"::mlir::attn::ArgAttr", "the parameters">:$params,
    Attn_ListParameter<"::mlir::attn::EntryAttr", "the entry points">:$entries
  );
  let assemblyFormat = [{
    `<` $name `,` `dims` `=` $dims `,` `params` `=` $params `,`
    `entries` `=` $entries `>`
  }];
  let extraClassDeclaration = [{
    /// The declared dim called `name`, or null.
    DimAttr lookupDim(::llvm::StringRef name) const;
    /// The run-time dims that `entry`'s buffers use, in the model's order:
    /// the `int64_t` arguments of its C function.
    ::llvm::SmallVector<DimAttr> getEntryDims(EntryAttr entry) const;
  }];
}

#endif // ATTN_MODEL_ATTRS_TD
