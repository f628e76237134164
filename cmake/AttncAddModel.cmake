# attnc_add_model: compiles a .attn model with attnc at build time into a
# static library target. Part of attnc's installed CMake package; reference
# in docs/INTEGRATION.md.
#
#   attnc_add_model(<target> <model.attn>
#                   [WEIGHTS <weights.safetensors>] [EMBED]
#                   [STATIC_RUNTIME]
#                   [OPTIONS <attnc flag>...])
#
# <target> holds the model's object; linking it gives the header
# <stem>.h (the .attn file's name without extension) on the include path,
# and the runtime libattnrt with OpenBLAS, libgomp and libm.
# WEIGHTS with EMBED compiles the weights into the object (--embed-weights),
# so that <model>_create(NULL, &model) needs no file; WEIGHTS alone defines
# <STEM>_WEIGHTS_PATH, the file's absolute path as a C string, for the
# target and its users. STATIC_RUNTIME links libattnrt.a instead of
# libattnrt.so. OPTIONS are passed to attnc (-O3, --mcpu=x86-64-v3, ...).

include_guard(GLOBAL)

# Makes `path` absolute (relative to the calling directory, as
# add_custom_command does) and stops with a message naming the target if the
# file neither exists nor is made by a custom command of this directory.
function(_attnc_input_file target what path out)
  get_filename_component(path "${path}" ABSOLUTE
                         BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  get_source_file_property(generated "${path}" GENERATED)
  if(NOT EXISTS "${path}" AND NOT generated)
    message(FATAL_ERROR
      "attnc_add_model(${target}): the ${what} '${path}' does not exist")
  endif()
  set(${out} "${path}" PARENT_SCOPE)
endfunction()

function(attnc_add_model target model)
  cmake_parse_arguments(PARSE_ARGV 2 ARG "EMBED;STATIC_RUNTIME" "WEIGHTS"
                        "OPTIONS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR
      "attnc_add_model(${target}): unknown argument(s) "
      "'${ARG_UNPARSED_ARGUMENTS}'; expected WEIGHTS <file>, EMBED, "
      "STATIC_RUNTIME, OPTIONS <flags>...")
  endif()
  if("WEIGHTS" IN_LIST ARG_KEYWORDS_MISSING_VALUES)
    message(FATAL_ERROR
      "attnc_add_model(${target}): WEIGHTS needs a safetensors file")
  endif()
  if(ARG_EMBED AND NOT ARG_WEIGHTS)
    message(FATAL_ERROR
      "attnc_add_model(${target}): EMBED needs WEIGHTS <file> to embed")
  endif()
  if(NOT TARGET attnc::attnc)
    message(FATAL_ERROR
      "attnc_add_model(${target}): attnc::attnc is not defined; call "
      "find_package(attnc) first")
  endif()

  _attnc_input_file(${target} "model file" "${model}" model)
  get_filename_component(stem "${model}" NAME_WLE)
  # Outputs per target, so that two targets may compile one model (e.g. with
  # and without embedded weights) and each include dir holds one header.
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/attnc/${target}")
  set(object "${dir}/${stem}.o")
  set(header "${dir}/include/${stem}.h")

  set(attnc_flags ${ARG_OPTIONS})
  set(depends "${model}")
  if(ARG_WEIGHTS)
    _attnc_input_file(${target} "weights file" "${ARG_WEIGHTS}" weights)
    if(ARG_EMBED)
      list(APPEND attnc_flags --embed-weights "${weights}")
      list(APPEND depends "${weights}")
    endif()
  endif()

  # attnc writes the header beside it and the copy replaces the real one only
  # when the text changed: Ninja's restat then leaves the sources that include
  # it alone when the .attn file (or the weights) is only touched.
  add_custom_command(
    OUTPUT "${object}" "${header}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${dir}/include"
    COMMAND attnc::attnc "${model}" -o "${object}" --header "${header}.new"
            ${attnc_flags}
    COMMAND "${CMAKE_COMMAND}" -E copy_if_different "${header}.new" "${header}"
    # A new attnc may generate other code: depend on its file too.
    DEPENDS ${depends} "$<TARGET_FILE:attnc::attnc>"
    COMMENT "Compiling attnc model ${stem} (${target})"
    VERBATIM)

  add_library(${target} STATIC "${object}" "${header}")
  set_source_files_properties("${object}" PROPERTIES EXTERNAL_OBJECT TRUE
                                                     GENERATED TRUE)
  # Only objects to archive: any enabled language can do it.
  get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if("C" IN_LIST languages)
    set_target_properties(${target} PROPERTIES LINKER_LANGUAGE C)
  else()
    set_target_properties(${target} PROPERTIES LINKER_LANGUAGE CXX)
  endif()
  target_include_directories(${target} PUBLIC "${dir}/include")

  # libm as -lm: a plain `m` would name the user's target if one is called so.
  if(ARG_STATIC_RUNTIME)
    target_link_libraries(${target} PUBLIC attnc::attnrt_static -lm)
  else()
    # libattnrt.so itself depends on OpenBLAS and libgomp.
    target_link_libraries(${target} PUBLIC attnc::attnrt -lm)
  endif()

  if(ARG_WEIGHTS AND NOT ARG_EMBED)
    string(MAKE_C_IDENTIFIER "${stem}" macro)
    string(TOUPPER "${macro}_WEIGHTS_PATH" macro)
    target_compile_definitions(${target} PUBLIC "${macro}=\"${weights}\"")
  endif()
endfunction()
