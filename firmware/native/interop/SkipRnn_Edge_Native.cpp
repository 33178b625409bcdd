//-----------------------------------------------------------------------------
//
//    Native method table of SkipRnn.Edge.Native: one entry per method of the assembly in the order of its .pe
//    MethodDef table (types NativeKernels, NativeSkipGru, NativeStepKernel), nullptr where the method is IL.
//    The checksum is the .pe header's nativeMethodsChecksum; nanoCLR refuses the assembly when they differ.
//    check_stubs.py verifies both against a freshly compiled .pe.
//
//-----------------------------------------------------------------------------

#include "SkipRnn_Edge_Native.h"

// clang-format off

static const CLR_RT_MethodHandler method_lookup[] =
{
    nullptr,   // NativeKernels::.ctor
    nullptr,   // NativeKernels::Open
    nullptr,   // NativeKernels::.cctor / compiler helper
    nullptr,   // NativeKernels::Install
    Library_SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru::Version___STATIC__I4,
    Library_SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru::Open___STATIC__I4__SZARRAY_U1,
    Library_SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru::Update___STATIC__I4__I4__SZARRAY_I4__SZARRAY_I4,
    Library_SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru::Frame___STATIC__I4__I4__SZARRAY_I2__SZARRAY_I4__SZARRAY_I4__SZARRAY_I2,
    Library_SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru::FrameSlots___STATIC__I4__I4__SZARRAY_U1__I4__SZARRAY_I4__SZARRAY_I4__SZARRAY_I2,
    Library_SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru::CopyState___STATIC__VOID__I4__I4__SZARRAY_I2,
    Library_SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru::Reset___STATIC__VOID__I4,
    Library_SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru::Close___STATIC__VOID__I4,
    nullptr,   // NativeStepKernel::Finalize
    nullptr,   // NativeStepKernel::Update
    nullptr,   // NativeStepKernel::UpdateFromFrame
    nullptr,   // NativeStepKernel::UpdateFromSlots
    nullptr,   // NativeStepKernel::get_ClampedInputs
    nullptr,   // NativeStepKernel::Reset
    nullptr,   // NativeStepKernel::.ctor
};

const CLR_RT_NativeAssemblyData g_CLR_AssemblyNative_SkipRnn_Edge_Native =
{
    "SkipRnn.Edge.Native",
    0xAE64321E,
    method_lookup,
    { 0, 0, 0, 0 }
};

// clang-format on
