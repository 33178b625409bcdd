// Test double of nanoCLR's interop surface (src/CLR/Include/nanoCLR_Interop.h of nanoframework/nf-interpreter):
// only what the SkipRnn.Edge.Native stubs use, with the same names and signatures, so the stubs in
// firmware/native/interop compile unchanged against it and their marshalling can be tested on the host.
// CLR_RT_StackFrame here is a list of argument slots and a result slot; arrays are (pointer, length) views of
// test-owned buffers, a null reference being a null pointer, as nanoCLR's marshalling hands them over.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <vector>

typedef int32_t HRESULT;
#define S_OK ((HRESULT)0)
#define FAILED(hr) ((HRESULT)(hr) < 0)
#define SUCCEEDED(hr) ((HRESULT)(hr) >= 0)
// The values of nf_errors_exceptions.h (MAKE_HRESULT(SEVERITY_ERROR, code, 0)).
#define CLR_E_NULL_REFERENCE ((HRESULT)0xA1000000)
#define CLR_E_INDEX_OUT_OF_RANGE ((HRESULT)0xA9000000)
#define CLR_E_WRONG_TYPE ((HRESULT)0xA2000000)
#define CLR_E_INVALID_PARAMETER ((HRESULT)0xFD000000)

#define NANOCLR_HEADER() HRESULT hr
#define NANOCLR_LEAVE() goto nanoCLR_Cleanup
#define NANOCLR_RETURN() return hr
#define NANOCLR_CHECK_HRESULT(expr) { if (FAILED(hr = (expr))) NANOCLR_LEAVE(); }
#define NANOCLR_SET_AND_LEAVE(expr) { hr = (expr); NANOCLR_LEAVE(); }
#define NANOCLR_CLEANUP() hr = S_OK; nanoCLR_Cleanup:
#define NANOCLR_CLEANUP_END() NANOCLR_RETURN()
#define NANOCLR_NOCLEANUP() NANOCLR_CLEANUP(); NANOCLR_CLEANUP_END()

struct CLR_RECORD_VERSION
{
    uint16_t iMajorVersion, iMinorVersion, iBuildNumber, iRevisionNumber;
};

// One argument: a scalar or an array view; `type` says which marshal call may read it.
struct InteropDoubleArg
{
    enum Type { I4, ARRAY_U1, ARRAY_I2, ARRAY_I4 } type;
    int32_t i4;
    void *data;
    unsigned int count;
};

struct CLR_RT_StackFrame
{
    std::vector<InteropDoubleArg> args;
    bool hasResult = false;
    int32_t result = 0;
};

#define NANOCLR_NATIVE_DECLARE(mtd) static HRESULT mtd(CLR_RT_StackFrame &stack)
typedef HRESULT (*CLR_RT_MethodHandler)(CLR_RT_StackFrame &stack);

struct CLR_RT_NativeAssemblyData
{
    const char *m_szAssemblyName;
    unsigned int m_checkSum;
    const void *m_pNativeMethods;
    CLR_RECORD_VERSION m_Version;
};

template <class T> class CLR_RT_TypedArray
{
  public:
    T *m_pData = nullptr;
    unsigned int m_ElemCount = 0;
    T GetValue(unsigned int i) { return m_pData[i]; }
    T &operator[](unsigned int i) { return m_pData[i]; }
    unsigned int GetSize() { return m_ElemCount; }
    T *GetBuffer() { return m_pData; }
};
typedef CLR_RT_TypedArray<unsigned char> CLR_RT_TypedArray_UINT8;
typedef CLR_RT_TypedArray<signed short int> CLR_RT_TypedArray_INT16;
typedef CLR_RT_TypedArray<signed int> CLR_RT_TypedArray_INT32;

// Like nanoCLR's: a parameter of the wrong kind is CLR_E_WRONG_TYPE.
template <class T>
inline HRESULT InteropDoubleArray(const CLR_RT_StackFrame &s, unsigned int i, InteropDoubleArg::Type t, CLR_RT_TypedArray<T> &a)
{
    if (i >= s.args.size() || s.args[i].type != t) return CLR_E_WRONG_TYPE;
    a.m_pData = (T *)s.args[i].data;
    a.m_ElemCount = s.args[i].count;
    return S_OK;
}

inline HRESULT Interop_Marshal_INT32(const CLR_RT_StackFrame &s, unsigned int i, signed int &param)
{
    if (i >= s.args.size() || s.args[i].type != InteropDoubleArg::I4) return CLR_E_WRONG_TYPE;
    param = s.args[i].i4;
    return S_OK;
}
inline HRESULT Interop_Marshal_UINT8_ARRAY(const CLR_RT_StackFrame &s, unsigned int i, CLR_RT_TypedArray_UINT8 &a)
{
    return InteropDoubleArray(s, i, InteropDoubleArg::ARRAY_U1, a);
}
inline HRESULT Interop_Marshal_INT16_ARRAY(const CLR_RT_StackFrame &s, unsigned int i, CLR_RT_TypedArray_INT16 &a)
{
    return InteropDoubleArray(s, i, InteropDoubleArg::ARRAY_I2, a);
}
inline HRESULT Interop_Marshal_INT32_ARRAY(const CLR_RT_StackFrame &s, unsigned int i, CLR_RT_TypedArray_INT32 &a)
{
    return InteropDoubleArray(s, i, InteropDoubleArg::ARRAY_I4, a);
}
inline void SetResult_INT32(CLR_RT_StackFrame &s, signed int value)
{
    s.hasResult = true;
    s.result = value;
}
