#
# nf-interpreter interop module for SkipRnn.Edge.Native (see firmware/README.md, "A firmware image with the
# native kernel"). Copy this file into nf-interpreter's CMake/Modules and this folder plus ../src and ../include
# into InteropAssemblies/SkipRnn.Edge.Native, then build with NF_INTEROP_ASSEMBLIES="SkipRnn.Edge.Native".
#

# native code directory
set(BASE_PATH_FOR_THIS_MODULE ${PROJECT_SOURCE_DIR}/InteropAssemblies/SkipRnn.Edge.Native)

# set include directories
list(APPEND SkipRnn.Edge.Native_INCLUDE_DIRS ${PROJECT_SOURCE_DIR}/src/CLR/Core)
list(APPEND SkipRnn.Edge.Native_INCLUDE_DIRS ${PROJECT_SOURCE_DIR}/src/CLR/Include)
list(APPEND SkipRnn.Edge.Native_INCLUDE_DIRS ${PROJECT_SOURCE_DIR}/src/HAL/Include)
list(APPEND SkipRnn.Edge.Native_INCLUDE_DIRS ${PROJECT_SOURCE_DIR}/src/PAL/Include)
list(APPEND SkipRnn.Edge.Native_INCLUDE_DIRS ${BASE_PATH_FOR_THIS_MODULE})
list(APPEND SkipRnn.Edge.Native_INCLUDE_DIRS ${BASE_PATH_FOR_THIS_MODULE}/include)

# source files: the stubs and the C99 kernel
set(SkipRnn.Edge.Native_SRCS
    SkipRnn_Edge_Native.cpp
    SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru_mshl.cpp
    SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru.cpp
    skrn_model.c
    skrn_step.c
    skrn_activation.c
    skrn_tables.c
)

foreach(SRC_FILE ${SkipRnn.Edge.Native_SRCS})
    set(SkipRnn.Edge.Native_SRC_FILE SRC_FILE-NOTFOUND)
    find_file(SkipRnn.Edge.Native_SRC_FILE ${SRC_FILE}
        PATHS
            ${BASE_PATH_FOR_THIS_MODULE}
            ${BASE_PATH_FOR_THIS_MODULE}/src
        CMAKE_FIND_ROOT_PATH_BOTH
    )
    list(APPEND SkipRnn.Edge.Native_SOURCES ${SkipRnn.Edge.Native_SRC_FILE})
endforeach()

include(FindPackageHandleStandardArgs)

FIND_PACKAGE_HANDLE_STANDARD_ARGS(SkipRnn.Edge.Native DEFAULT_MSG SkipRnn.Edge.Native_INCLUDE_DIRS SkipRnn.Edge.Native_SOURCES)
