//-----------------------------------------------------------------------------
//
//    The native side of SkipRnn.Edge.Native (src/SkipRnn.Edge.Native), in the shape nanoFramework's metadata
//    processor generates for an interop assembly: this header, the method table (SkipRnn_Edge_Native.cpp), the
//    marshalling stubs (*_mshl.cpp) and the implementation (*_NativeSkipGru.cpp). Written by hand, checked by
//    check_stubs.py against the assembly's .pe (method order and native checksum) in test.sh.
//
//-----------------------------------------------------------------------------

#ifndef SKIPRNN_EDGE_NATIVE_H
#define SKIPRNN_EDGE_NATIVE_H

#include <nanoCLR_Interop.h>
#include <nanoCLR_Runtime.h>
#include <nanoPackStruct.h>

struct Library_SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru
{
    NANOCLR_NATIVE_DECLARE(Version___STATIC__I4);
    NANOCLR_NATIVE_DECLARE(Open___STATIC__I4__SZARRAY_U1);
    NANOCLR_NATIVE_DECLARE(Update___STATIC__I4__I4__SZARRAY_I4__SZARRAY_I4);
    NANOCLR_NATIVE_DECLARE(Frame___STATIC__I4__I4__SZARRAY_I2__SZARRAY_I4__SZARRAY_I4__SZARRAY_I2);
    NANOCLR_NATIVE_DECLARE(FrameSlots___STATIC__I4__I4__SZARRAY_U1__I4__SZARRAY_I4__SZARRAY_I4__SZARRAY_I2);
    NANOCLR_NATIVE_DECLARE(CopyState___STATIC__VOID__I4__I4__SZARRAY_I2);
    NANOCLR_NATIVE_DECLARE(Reset___STATIC__VOID__I4);
    NANOCLR_NATIVE_DECLARE(Close___STATIC__VOID__I4);

    //--//
};

extern const CLR_RT_NativeAssemblyData g_CLR_AssemblyNative_SkipRnn_Edge_Native;

#endif // SKIPRNN_EDGE_NATIVE_H
