//-----------------------------------------------------------------------------
//
//    Marshalling stubs of SkipRnn.Edge.Native.NativeSkipGru: read each argument from the managed stack frame,
//    call the implementation, store the result (the metadata processor's generated form).
//
//-----------------------------------------------------------------------------

#include "SkipRnn_Edge_Native.h"
#include "SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru.h"

using namespace SkipRnn_Edge_Native::SkipRnn_Edge_Native;

HRESULT Library_SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru::Version___STATIC__I4( CLR_RT_StackFrame& stack )
{
    NANOCLR_HEADER(); hr = S_OK;
    {
        signed int retValue = NativeSkipGru::Version( hr );
        NANOCLR_CHECK_HRESULT( hr );
        SetResult_INT32( stack, retValue );
    }
    NANOCLR_NOCLEANUP();
}

HRESULT Library_SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru::Open___STATIC__I4__SZARRAY_U1( CLR_RT_StackFrame& stack )
{
    NANOCLR_HEADER(); hr = S_OK;
    {
        CLR_RT_TypedArray_UINT8 param0;
        NANOCLR_CHECK_HRESULT( Interop_Marshal_UINT8_ARRAY( stack, 0, param0 ) );

        signed int retValue = NativeSkipGru::Open( param0, hr );
        NANOCLR_CHECK_HRESULT( hr );
        SetResult_INT32( stack, retValue );
    }
    NANOCLR_NOCLEANUP();
}

HRESULT Library_SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru::Update___STATIC__I4__I4__SZARRAY_I4__SZARRAY_I4( CLR_RT_StackFrame& stack )
{
    NANOCLR_HEADER(); hr = S_OK;
    {
        signed int param0;
        NANOCLR_CHECK_HRESULT( Interop_Marshal_INT32( stack, 0, param0 ) );

        CLR_RT_TypedArray_INT32 param1;
        NANOCLR_CHECK_HRESULT( Interop_Marshal_INT32_ARRAY( stack, 1, param1 ) );

        CLR_RT_TypedArray_INT32 param2;
        NANOCLR_CHECK_HRESULT( Interop_Marshal_INT32_ARRAY( stack, 2, param2 ) );

        signed int retValue = NativeSkipGru::Update( param0, param1, param2, hr );
        NANOCLR_CHECK_HRESULT( hr );
        SetResult_INT32( stack, retValue );
    }
    NANOCLR_NOCLEANUP();
}

HRESULT Library_SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru::Frame___STATIC__I4__I4__SZARRAY_I2__SZARRAY_I4__SZARRAY_I4__SZARRAY_I2( CLR_RT_StackFrame& stack )
{
    NANOCLR_HEADER(); hr = S_OK;
    {
        signed int param0;
        NANOCLR_CHECK_HRESULT( Interop_Marshal_INT32( stack, 0, param0 ) );

        CLR_RT_TypedArray_INT16 param1;
        NANOCLR_CHECK_HRESULT( Interop_Marshal_INT16_ARRAY( stack, 1, param1 ) );

        CLR_RT_TypedArray_INT32 param2;
        NANOCLR_CHECK_HRESULT( Interop_Marshal_INT32_ARRAY( stack, 2, param2 ) );

        CLR_RT_TypedArray_INT32 param3;
        NANOCLR_CHECK_HRESULT( Interop_Marshal_INT32_ARRAY( stack, 3, param3 ) );

        CLR_RT_TypedArray_INT16 param4;
        NANOCLR_CHECK_HRESULT( Interop_Marshal_INT16_ARRAY( stack, 4, param4 ) );

        signed int retValue = NativeSkipGru::Frame( param0, param1, param2, param3, param4, hr );
        NANOCLR_CHECK_HRESULT( hr );
        SetResult_INT32( stack, retValue );
    }
    NANOCLR_NOCLEANUP();
}

HRESULT Library_SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru::FrameSlots___STATIC__I4__I4__SZARRAY_U1__I4__SZARRAY_I4__SZARRAY_I4__SZARRAY_I2( CLR_RT_StackFrame& stack )
{
    NANOCLR_HEADER(); hr = S_OK;
    {
        signed int param0;
        NANOCLR_CHECK_HRESULT( Interop_Marshal_INT32( stack, 0, param0 ) );

        CLR_RT_TypedArray_UINT8 param1;
        NANOCLR_CHECK_HRESULT( Interop_Marshal_UINT8_ARRAY( stack, 1, param1 ) );

        signed int param2;
        NANOCLR_CHECK_HRESULT( Interop_Marshal_INT32( stack, 2, param2 ) );

        CLR_RT_TypedArray_INT32 param3;
        NANOCLR_CHECK_HRESULT( Interop_Marshal_INT32_ARRAY( stack, 3, param3 ) );

        CLR_RT_TypedArray_INT32 param4;
        NANOCLR_CHECK_HRESULT( Interop_Marshal_INT32_ARRAY( stack, 4, param4 ) );

        CLR_RT_TypedArray_INT16 param5;
        NANOCLR_CHECK_HRESULT( Interop_Marshal_INT16_ARRAY( stack, 5, param5 ) );

        signed int retValue = NativeSkipGru::FrameSlots( param0, param1, param2, param3, param4, param5, hr );
        NANOCLR_CHECK_HRESULT( hr );
        SetResult_INT32( stack, retValue );
    }
    NANOCLR_NOCLEANUP();
}

HRESULT Library_SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru::CopyState___STATIC__VOID__I4__I4__SZARRAY_I2( CLR_RT_StackFrame& stack )
{
    NANOCLR_HEADER(); hr = S_OK;
    {
        signed int param0;
        NANOCLR_CHECK_HRESULT( Interop_Marshal_INT32( stack, 0, param0 ) );

        signed int param1;
        NANOCLR_CHECK_HRESULT( Interop_Marshal_INT32( stack, 1, param1 ) );

        CLR_RT_TypedArray_INT16 param2;
        NANOCLR_CHECK_HRESULT( Interop_Marshal_INT16_ARRAY( stack, 2, param2 ) );

        NativeSkipGru::CopyState( param0, param1, param2, hr );
        NANOCLR_CHECK_HRESULT( hr );
    }
    NANOCLR_NOCLEANUP();
}

HRESULT Library_SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru::Reset___STATIC__VOID__I4( CLR_RT_StackFrame& stack )
{
    NANOCLR_HEADER(); hr = S_OK;
    {
        signed int param0;
        NANOCLR_CHECK_HRESULT( Interop_Marshal_INT32( stack, 0, param0 ) );

        NativeSkipGru::Reset( param0, hr );
        NANOCLR_CHECK_HRESULT( hr );
    }
    NANOCLR_NOCLEANUP();
}

HRESULT Library_SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru::Close___STATIC__VOID__I4( CLR_RT_StackFrame& stack )
{
    NANOCLR_HEADER(); hr = S_OK;
    {
        signed int param0;
        NANOCLR_CHECK_HRESULT( Interop_Marshal_INT32( stack, 0, param0 ) );

        NativeSkipGru::Close( param0, hr );
        NANOCLR_CHECK_HRESULT( hr );
    }
    NANOCLR_NOCLEANUP();
}
