# Helpers that keep adding a TLS stack down to one folder and one line.

# tlsmatrix_add_stack(NAME): builds adapters/NAME, whose CMakeLists.txt calls tlsmatrix_add_peer.
# TLSMATRIX_STACKS (a list) limits the build to some stacks, e.g. while working on one adapter.
set(TLSMATRIX_STACKS "" CACHE STRING "Build only these stacks (empty: all)")
function(tlsmatrix_add_stack name)
  if(TLSMATRIX_STACKS AND NOT name IN_LIST TLSMATRIX_STACKS)
    return()
  endif()
  add_subdirectory(${PROJECT_SOURCE_DIR}/adapters/${name} ${PROJECT_BINARY_DIR}/adapters/${name})
endfunction()

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
