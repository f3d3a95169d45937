# Helpers that keep adding a TLS stack down to one folder and one line.

# tlsmatrix_add_stack(NAME): builds adapters/NAME, whose CMakeLists.txt calls tlsmatrix_add_peer.
# TLSMATRIX_STACKS (a list) limits the build to some stacks, e.g. while working on one adapter.
set(TLSMATRIX_STACKS "" CACHE STRING "Build only these stacks (empty: all)")
function(tlsmatrix_add_stack name)
  if(TLSMATRIX_STACKS AND NOT name IN_LIST TLSMATRIX_STACKS)
    return()
  endif()
  # Seen by tlsmatrix_find_stack_library() in the adapter's CMakeLists.txt.
  if(TLSMATRIX_STACKS)
    set(TLSMATRIX_STACK_REQUESTED ON)
  else()
    set(TLSMATRIX_STACK_REQUESTED OFF)
  endif()
  add_subdirectory(${PROJECT_SOURCE_DIR}/adapters/${name} ${PROJECT_BINARY_DIR}/adapters/${name})
endfunction()

# tlsmatrix_find_stack_library(PREFIX MODULE...): pkg_check_modules(PREFIX IMPORTED_TARGET
# MODULE...) for an adapter's library, setting PREFIX_FOUND. A stack named in TLSMATRIX_STACKS
# (as every environment's peer build does) must find it; a full build on a machine without the
# library (bookworm ships no Botan 3) leaves that stack out with a message instead, so the
# adapter's CMakeLists.txt says `if(NOT PREFIX_FOUND) return() endif()`.
macro(tlsmatrix_find_stack_library prefix)
  if(TLSMATRIX_STACK_REQUESTED)
    pkg_check_modules(${prefix} REQUIRED IMPORTED_TARGET ${ARGN})
  else()
    pkg_check_modules(${prefix} QUIET IMPORTED_TARGET ${ARGN})
    if(NOT ${prefix}_FOUND)
      message(STATUS "${CMAKE_CURRENT_SOURCE_DIR}: ${ARGN} not found, so its peer is not built")
    endif()
  endif()
endmacro()

# tlsmatrix_add_peer(NAME SOURCES ... LIBRARIES ...): the adapter library and the peer
# executable tlsmatrix-peer-NAME, recorded for the generated peer catalog.
function(tlsmatrix_add_peer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  add_library(tlsmatrix-adapter-${name} STATIC ${ARG_SOURCES})
  target_link_libraries(tlsmatrix-adapter-${name} PUBLIC tlsmatrix-adapter-interface ${ARG_LIBRARIES})
  add_executable(tlsmatrix-peer-${name} ${PROJECT_SOURCE_DIR}/peers/driver/peer_main.cpp)
  target_link_libraries(tlsmatrix-peer-${name} PRIVATE tlsmatrix-peer-driver tlsmatrix-adapter-${name})
  set_target_properties(tlsmatrix-peer-${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/peers)
  set_property(GLOBAL APPEND PROPERTY TLSMATRIX_PEERS ${name})
endfunction()

# Writes peers.catalog.json beside the runner: one entry per peer built here, environment "host".
function(tlsmatrix_write_peer_catalog)
  get_property(stacks GLOBAL PROPERTY TLSMATRIX_PEERS)
  set(entries "")
  foreach(stack IN LISTS stacks)
    if(entries)
      string(APPEND entries ",\n")
    endif()
    string(APPEND entries "    {\"id\": \"${stack}@host\", \"stack\": \"${stack}\", \"environment\": \"host\", \"command\": [\"$<TARGET_FILE:tlsmatrix-peer-${stack}>\"]}")
  endforeach()
  file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/peers.catalog.json CONTENT
"{\n  \"schema\": \"tlsmatrix-peer-catalog\",\n  \"schema_version\": 1,\n  \"peers\": [\n${entries}\n  ]\n}\n")
endfunction()
