//-----------------------------------------------------------------------------
//
//    Declarations of the native methods of SkipRnn.Edge.Native.NativeSkipGru, called by the marshalling stubs;
//    implemented in SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru.cpp over firmware/native's skrn.
//
//-----------------------------------------------------------------------------

#ifndef SKIPRNN_EDGE_NATIVE_SKIPRNN_EDGE_NATIVE_SKIPRNN_EDGE_NATIVE_NATIVESKIPGRU_H
#define SKIPRNN_EDGE_NATIVE_SKIPRNN_EDGE_NATIVE_SKIPRNN_EDGE_NATIVE_NATIVESKIPGRU_H

namespace SkipRnn_Edge_Native
{
    namespace SkipRnn_Edge_Native
    {
        struct NativeSkipGru
        {
            // Runner slots: Open takes one (and allocates its arena once), Close frees it.
            static const int SlotCount = 4;

            static signed int Version( HRESULT &hr );
            static signed int Open( CLR_RT_TypedArray_UINT8 param0, HRESULT &hr );
            static signed int Update( signed int param0, CLR_RT_TypedArray_INT32 param1, CLR_RT_TypedArray_INT32 param2, HRESULT &hr );
            static signed int Frame( signed int param0, CLR_RT_TypedArray_INT16 param1, CLR_RT_TypedArray_INT32 param2, CLR_RT_TypedArray_INT32 param3, CLR_RT_TypedArray_INT16 param4, HRESULT &hr );
            static signed int FrameSlots( signed int param0, CLR_RT_TypedArray_UINT8 param1, signed int param2, CLR_RT_TypedArray_INT32 param3, CLR_RT_TypedArray_INT32 param4, CLR_RT_TypedArray_INT16 param5, HRESULT &hr );
            static void CopyState( signed int param0, signed int param1, CLR_RT_TypedArray_INT16 param2, HRESULT &hr );
            static void Reset( signed int param0, HRESULT &hr );
            static void Close( signed int param0, HRESULT &hr );
        };
    }
}

#endif
