//-----------------------------------------------------------------------------
//
//    SkipRnn.Edge.Native.NativeSkipGru over firmware/native's skrn: a small table of runners, each with one
//    arena allocated by Open (platform_malloc: the only allocation) and freed by Close. The managed byte[] is
//    not referenced after Open (skrn_init copies what it needs), so the managed heap may move it. Update
//    allocates nothing. Bad arguments become the HRESULTs nanoCLR raises as the matching managed exceptions.
//
//-----------------------------------------------------------------------------

#include "SkipRnn_Edge_Native.h"
#include "SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru.h"

#include "skrn.h"
#include "skrn_audio.h"

using namespace SkipRnn_Edge_Native::SkipRnn_Edge_Native;

namespace
{
    struct Slot
    {
        skrn_runner runner;
        void *arena;
        bool used;
    };

    Slot slots[NativeSkipGru::SlotCount];

    // The audio front end's work area (4 KiB), shared: the interpreter makes one native call at a time and nothing
    // in it outlives a Frame call.
    skrn_audio_work audio_work;
    // FrameSlots' frame, unpacked from the raw I2S ring (shared for the same reason).
    int16_t slot_frame[SKRN_AUDIO_FRAME_LENGTH];

    Slot *Find(signed int handle, HRESULT &hr)
    {
        if (handle < 0 || handle >= NativeSkipGru::SlotCount || !slots[handle].used)
        {
            hr = CLR_E_INVALID_PARAMETER;
            return nullptr;
        }
        return &slots[handle];
    }
}

signed int NativeSkipGru::Version( HRESULT &hr )
{
    (void)hr;
    return 4;   // NativeSkipGru.InterfaceVersion on the managed side
}

signed int NativeSkipGru::Open( CLR_RT_TypedArray_UINT8 param0, HRESULT &hr )
{
    if (param0.GetBuffer() == nullptr)
    {
        hr = CLR_E_NULL_REFERENCE;
        return 0;
    }
    int free = -1;
    for (int i = 0; i < SlotCount && free < 0; i++)
        if (!slots[i].used) free = i;
    if (free < 0) return -1;

    skrn_error err;
    size_t bytes = skrn_arena_bytes(param0.GetBuffer(), param0.GetSize(), &err);
    if (bytes == 0) return -3;
    void *arena = platform_malloc(bytes);   // platform_malloc aligns for any type (8 bytes at least)
    if (arena == nullptr) return -2;
    if (skrn_init(&slots[free].runner, param0.GetBuffer(), param0.GetSize(), arena, bytes, &err) != SKRN_OK)
    {
        platform_free(arena);
        return -3;
    }
    slots[free].arena = arena;
    slots[free].used = true;
    return free;
}

signed int NativeSkipGru::Update( signed int param0, CLR_RT_TypedArray_INT32 param1, CLR_RT_TypedArray_INT32 param2, HRESULT &hr )
{
    Slot *s = Find(param0, hr);
    if (s == nullptr) return 0;
    skrn_runner &r = s->runner;
    if (param1.GetBuffer() == nullptr || (param2.GetBuffer() == nullptr && r.model.output_size > 0))
    {
        hr = CLR_E_NULL_REFERENCE;
        return 0;
    }
    if ((int)param1.GetSize() < r.model.input_size || (int)param2.GetSize() < r.model.output_size)
    {
        hr = CLR_E_INDEX_OUT_OF_RANGE;
        return 0;
    }
    skrn_update(&r, param1.GetBuffer());
    signed int *out = param2.GetBuffer();
    for (int o = 0; o < r.model.output_size; o++) out[o] = r.outputs[o];
    // Delta u~ (<= 32768) in bits 0-15, the clamped-input count (<= 4096) above: NativeSkipGru.Update's contract.
    return r.increment | (r.clamped << 16);
}

// The keyword path's checks shared by Frame and FrameSlots: a keyword model (40 inputs), the output arrays present
// and long enough. Returns the runner, or nullptr with hr set.
static skrn_runner *FrameRunner( signed int handle, CLR_RT_TypedArray_INT32 &features, CLR_RT_TypedArray_INT32 &outputs,
    CLR_RT_TypedArray_INT16 &state, HRESULT &hr )
{
    Slot *s = Find(handle, hr);
    if (s == nullptr) return nullptr;
    skrn_runner &r = s->runner;
    if (r.model.input_size != SKRN_AUDIO_BANDS)
    {
        hr = CLR_E_INVALID_PARAMETER;   // not a keyword model: its inputs are not the 40 features
        return nullptr;
    }
    if (features.GetBuffer() == nullptr || state.GetBuffer() == nullptr || (outputs.GetBuffer() == nullptr && r.model.output_size > 0))
    {
        hr = CLR_E_NULL_REFERENCE;
        return nullptr;
    }
    if ((int)features.GetSize() < SKRN_AUDIO_BANDS || (int)outputs.GetSize() < r.model.output_size ||
        (int)state.GetSize() < r.model.hidden_size)
    {
        hr = CLR_E_INDEX_OUT_OF_RANGE;
        return nullptr;
    }
    return &r;
}

// Features of frame[0..480) and the update from them; outputs and layer 0's state copied out. Frame's contract.
static signed int FrameUpdate( skrn_runner &r, const int16_t *frame, CLR_RT_TypedArray_INT32 &features,
    CLR_RT_TypedArray_INT32 &outputs, CLR_RT_TypedArray_INT16 &state )
{
    signed int *f = features.GetBuffer();
    skrn_audio_features(frame, f, &audio_work);
    skrn_update(&r, f);
    signed int *out = outputs.GetBuffer();
    for (int o = 0; o < r.model.output_size; o++) out[o] = r.outputs[o];
    signed short int *d = state.GetBuffer();
    for (int j = 0; j < r.model.hidden_size; j++) d[j] = (signed short int)r.state[j];
    return r.increment | (r.clamped << 16);
}

signed int NativeSkipGru::Frame( signed int param0, CLR_RT_TypedArray_INT16 param1, CLR_RT_TypedArray_INT32 param2, CLR_RT_TypedArray_INT32 param3, CLR_RT_TypedArray_INT16 param4, HRESULT &hr )
{
    skrn_runner *r = FrameRunner(param0, param2, param3, param4, hr);
    if (r == nullptr) return 0;
    if (param1.GetBuffer() == nullptr)
    {
        hr = CLR_E_NULL_REFERENCE;
        return 0;
    }
    if ((int)param1.GetSize() < SKRN_AUDIO_FRAME_LENGTH)
    {
        hr = CLR_E_INDEX_OUT_OF_RANGE;
        return 0;
    }
    return FrameUpdate(*r, param1.GetBuffer(), param2, param3, param4);
}

signed int NativeSkipGru::FrameSlots( signed int param0, CLR_RT_TypedArray_UINT8 param1, signed int param2, CLR_RT_TypedArray_INT32 param3, CLR_RT_TypedArray_INT32 param4, CLR_RT_TypedArray_INT16 param5, HRESULT &hr )
{
    skrn_runner *r = FrameRunner(param0, param3, param4, param5, hr);
    if (r == nullptr) return 0;
    if (param1.GetBuffer() == nullptr)
    {
        hr = CLR_E_NULL_REFERENCE;
        return 0;
    }
    // A ring of whole 8-byte frames holding at least one window, and a first slot inside it.
    unsigned int bytes = param1.GetSize();
    if (bytes % SKRN_AUDIO_SLOT_BYTES != 0 || bytes / SKRN_AUDIO_SLOT_BYTES < SKRN_AUDIO_FRAME_LENGTH ||
        param2 < 0 || (unsigned int)param2 >= bytes / SKRN_AUDIO_SLOT_BYTES)
    {
        hr = CLR_E_INDEX_OUT_OF_RANGE;
        return 0;
    }
    skrn_audio_unpack_slots(param1.GetBuffer(), (int32_t)(bytes / SKRN_AUDIO_SLOT_BYTES), param2, slot_frame);
    return FrameUpdate(*r, slot_frame, param3, param4, param5);
}

void NativeSkipGru::CopyState( signed int param0, signed int param1, CLR_RT_TypedArray_INT16 param2, HRESULT &hr )
{
    Slot *s = Find(param0, hr);
    if (s == nullptr) return;
    const skrn_runner &r = s->runner;
    if (param1 < 0 || param1 >= r.model.layer_count)
    {
        hr = CLR_E_INDEX_OUT_OF_RANGE;
        return;
    }
    if (param2.GetBuffer() == nullptr)
    {
        hr = CLR_E_NULL_REFERENCE;
        return;
    }
    if ((int)param2.GetSize() < r.model.hidden_size)
    {
        hr = CLR_E_INDEX_OUT_OF_RANGE;
        return;
    }
    const int32_t *h = r.state + (size_t)param1 * (size_t)r.model.hidden_size;
    signed short int *d = param2.GetBuffer();
    for (int j = 0; j < r.model.hidden_size; j++) d[j] = (signed short int)h[j];
}

void NativeSkipGru::Reset( signed int param0, HRESULT &hr )
{
    Slot *s = Find(param0, hr);
    if (s != nullptr) skrn_reset(&s->runner);
}

void NativeSkipGru::Close( signed int param0, HRESULT &hr )
{
    // Idempotent: a finalizer may run after an explicit close.
    (void)hr;
    if (param0 < 0 || param0 >= SlotCount || !slots[param0].used) return;
    platform_free(slots[param0].arena);
    slots[param0].arena = nullptr;
    slots[param0].used = false;
}
