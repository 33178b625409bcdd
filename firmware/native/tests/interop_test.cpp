// The nanoFramework interop stubs (firmware/native/interop) compiled against a test double of nanoCLR's interop
// surface: arguments marshalled from a stack frame, results set, errors as HRESULTs, and the whole path
// replayed against the managed runtime's traces (every update's Δũ, states and outputs).
#include <gtest/gtest.h>

#include "SkipRnn_Edge_Native.h"
#include "SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru.h"
#include "test_files.h"

using namespace skrn_test;
using Stubs = Library_SkipRnn_Edge_Native_SkipRnn_Edge_Native_NativeSkipGru;

int interop_double_live_allocations = 0;

namespace {

InteropDoubleArg I4(int32_t v) { return {InteropDoubleArg::I4, v, nullptr, 0}; }
template <class T> InteropDoubleArg Arr(InteropDoubleArg::Type t, std::vector<T> &v)
{
    return {t, 0, v.empty() ? nullptr : v.data(), (unsigned)v.size()};
}
InteropDoubleArg Null(InteropDoubleArg::Type t) { return {t, 0, nullptr, 0}; }

// Calls a stub with the given arguments; returns its HRESULT, the result (if set) in *result.
HRESULT Call(CLR_RT_MethodHandler stub, std::vector<InteropDoubleArg> args, int32_t *result = nullptr)
{
    CLR_RT_StackFrame f;
    f.args = std::move(args);
    HRESULT hr = stub(f);
    if (result != nullptr) *result = f.hasResult ? f.result : INT32_MIN;
    return hr;
}

struct Trace {
    std::vector<uint8_t> model;
    int32_t layers = 0, hidden = 0, inputs = 0, outputs = 0;
};

// Reads the model and sizes at the head of a trace (sizes from the model header: I, H, O at payload offsets 2..7).
Trace Head(const std::vector<uint8_t> &t)
{
    Reader rd(t);
    rd.Bytes(4);
    int32_t len = rd.I32();
    const uint8_t *p = rd.Bytes((size_t)len);
    Trace h;
    h.model.assign(p, p + len);
    h.layers = h.model[17];
    h.inputs = h.model[18] | (h.model[19] << 8);
    h.hidden = h.model[20] | (h.model[21] << 8);
    h.outputs = h.model[22] | (h.model[23] << 8);
    return h;
}

// Replays a managed trace through the stubs the way NativeStepKernel drives them (Update + CopyState per layer on
// updates, Reset on resets; skipping is managed). Returns "" or the first difference.
std::string ReplayThroughStubs(const std::string &path, int64_t &updates)
{
    std::vector<uint8_t> data = ReadAll(path);
    Trace h = Head(data);
    int32_t handle = -99;
    if (Call(Stubs::Open___STATIC__I4__SZARRAY_U1, {Arr(InteropDoubleArg::ARRAY_U1, h.model)}, &handle) != S_OK || handle < 0)
        return "Open failed: " + std::to_string(handle);
    // The managed array may move after Open: scribble over it to prove the native side kept its own copy.
    std::fill(h.model.begin(), h.model.end(), 0xA5);

    Reader rd(data);
    rd.Bytes(8 + h.model.size());
    rd.I64();
    rd.I64();
    int32_t events = rd.I32();
    int64_t clamped_seen = 0;   // Counters.ClampedInputs as of the last update
    std::vector<int32_t> raw((size_t)h.inputs), outs((size_t)h.outputs);
    std::vector<int16_t> state((size_t)h.hidden);
    bool last_update = false;
    for (int32_t e = 0; e < events; e++) {
        uint8_t kind = rd.U8();
        last_update = false;
        if (kind == 0) {
            for (auto &v : raw) v = rd.I32();
        } else if (kind == 1) {
            rd.I32();
        } else if (Call(Stubs::Reset___STATIC__VOID__I4, {I4(handle)}) != S_OK) {
            return "Reset failed";
        }
        bool updated = rd.U8() == 1;
        int32_t u = rd.I32(), inc = rd.I32();
        rd.I32(); rd.U8(); rd.I64(); rd.I64();
        int64_t clamped_total = rd.I64();
        int32_t result = 0;
        if (kind == 0 && updated) {
            if (Call(Stubs::Update___STATIC__I4__I4__SZARRAY_I4__SZARRAY_I4,
                     {I4(handle), Arr(InteropDoubleArg::ARRAY_I4, raw), Arr(InteropDoubleArg::ARRAY_I4, outs)}, &result) != S_OK)
                return "Update failed at event " + std::to_string(e);
            // NativeSkipGru.Update's contract: delta u~ in bits 0-15, the inputs clamped by this update above.
            int32_t increment = result & 0xFFFF, clamped = result >> 16;
            if (increment != inc || u != inc) return "delta u~ differs at event " + std::to_string(e);
            if (clamped != clamped_total - clamped_seen) return "clamped inputs differ at event " + std::to_string(e);
            clamped_seen = clamped_total;
            updates++;
            last_update = true;
        }
        for (int32_t l = 0; l < h.layers; l++) {
            if (last_update &&
                Call(Stubs::CopyState___STATIC__VOID__I4__I4__SZARRAY_I2, {I4(handle), I4(l), Arr(InteropDoubleArg::ARRAY_I2, state)}) != S_OK)
                return "CopyState failed";
            for (int32_t j = 0; j < h.hidden; j++) {
                int16_t want = rd.I16();
                if (last_update && state[(size_t)j] != want)
                    return "state differs at event " + std::to_string(e) + " layer " + std::to_string(l);
            }
        }
        for (int32_t o = 0; o < h.outputs; o++) {
            int32_t want = rd.I32();
            if (last_update && outs[(size_t)o] != want) return "output differs at event " + std::to_string(e);
        }
        rd.I32();
    }
    Call(Stubs::Close___STATIC__VOID__I4, {I4(handle)});
    return "";
}

// audio_keyword.trace starts with its tag and the model file; the frames follow.
std::vector<uint8_t> KeywordTraceModel(Reader &rd)
{
    rd.Bytes(4);
    int32_t len = rd.I32();
    const uint8_t *p = rd.Bytes((size_t)len);
    return std::vector<uint8_t>(p, p + len);
}

}  // namespace

TEST(Interop, TheMethodTableNamesTheStubsAndTheAssembly)
{
    const CLR_RT_NativeAssemblyData &a = g_CLR_AssemblyNative_SkipRnn_Edge_Native;
    EXPECT_STREQ(a.m_szAssemblyName, "SkipRnn.Edge.Native");
    auto table = (const CLR_RT_MethodHandler *)a.m_pNativeMethods;
    EXPECT_EQ(table[4], &Stubs::Version___STATIC__I4);
    EXPECT_EQ(table[7], &Stubs::Frame___STATIC__I4__I4__SZARRAY_I2__SZARRAY_I4__SZARRAY_I4__SZARRAY_I2);
    EXPECT_EQ(table[8], &Stubs::FrameSlots___STATIC__I4__I4__SZARRAY_U1__I4__SZARRAY_I4__SZARRAY_I4__SZARRAY_I2);
    EXPECT_EQ(table[11], &Stubs::Close___STATIC__VOID__I4);
    int32_t v = 0;
    EXPECT_EQ(Call(Stubs::Version___STATIC__I4, {}, &v), S_OK);
    EXPECT_EQ(v, 4);   // NativeSkipGru.InterfaceVersion
}

TEST(Interop, StubsReplayTheManagedTracesBitExact)
{
    std::vector<std::string> files = FilesEndingIn(".trace", "random_");
    for (const std::string &s : FilesEndingIn(".trace", "shipped_")) files.push_back(s);
    ASSERT_GE(files.size(), 100u);
    int64_t updates = 0;
    for (const std::string &f : files) ASSERT_EQ(ReplayThroughStubs(f, updates), "") << f;
    EXPECT_EQ(interop_double_live_allocations, 0) << "every Open's arena must be freed by Close";
    std::printf("interop stubs: %zu traces, %lld updates through Update/CopyState, all identical\n", files.size(),
                (long long)updates);
}

TEST(Interop, BadArgumentsBecomeHresultsNotCrashes)
{
    Trace h = Head(ReadAll(FilesEndingIn(".trace", "shipped_").at(0)));
    int32_t handle = -1;
    ASSERT_EQ(Call(Stubs::Open___STATIC__I4__SZARRAY_U1, {Arr(InteropDoubleArg::ARRAY_U1, h.model)}, &handle), S_OK);
    ASSERT_GE(handle, 0);
    std::vector<int32_t> raw((size_t)h.inputs), shortRaw((size_t)h.inputs - 1), outs((size_t)h.outputs);
    std::vector<int16_t> state((size_t)h.hidden), shortState((size_t)h.hidden - 1);
    auto update = [&](std::vector<InteropDoubleArg> a) { return Call(Stubs::Update___STATIC__I4__I4__SZARRAY_I4__SZARRAY_I4, a); };

    EXPECT_EQ(update({I4(handle + 1), Arr(InteropDoubleArg::ARRAY_I4, raw), Arr(InteropDoubleArg::ARRAY_I4, outs)}), CLR_E_INVALID_PARAMETER);
    EXPECT_EQ(update({I4(-7), Arr(InteropDoubleArg::ARRAY_I4, raw), Arr(InteropDoubleArg::ARRAY_I4, outs)}), CLR_E_INVALID_PARAMETER);
    EXPECT_EQ(update({I4(handle), Arr(InteropDoubleArg::ARRAY_I4, shortRaw), Arr(InteropDoubleArg::ARRAY_I4, outs)}), CLR_E_INDEX_OUT_OF_RANGE);
    EXPECT_EQ(update({I4(handle), Null(InteropDoubleArg::ARRAY_I4), Arr(InteropDoubleArg::ARRAY_I4, outs)}), CLR_E_NULL_REFERENCE);
    EXPECT_EQ(update({I4(handle), Arr(InteropDoubleArg::ARRAY_I2, state), Arr(InteropDoubleArg::ARRAY_I4, outs)}), CLR_E_WRONG_TYPE);
    EXPECT_EQ(update({I4(handle), Arr(InteropDoubleArg::ARRAY_I4, raw), Arr(InteropDoubleArg::ARRAY_I4, outs)}), S_OK);

    auto copy = [&](int32_t layer, std::vector<int16_t> &d) {
        return Call(Stubs::CopyState___STATIC__VOID__I4__I4__SZARRAY_I2, {I4(handle), I4(layer), Arr(InteropDoubleArg::ARRAY_I2, d)});
    };
    EXPECT_EQ(copy(h.layers, state), CLR_E_INDEX_OUT_OF_RANGE);
    EXPECT_EQ(copy(-1, state), CLR_E_INDEX_OUT_OF_RANGE);
    EXPECT_EQ(copy(0, shortState), CLR_E_INDEX_OUT_OF_RANGE);
    EXPECT_EQ(copy(0, state), S_OK);

    // A corrupt file is refused with -3, a null array raises; slots run out at SlotCount.
    std::vector<uint8_t> bad = h.model;
    bad[20] ^= 0xFF;
    int32_t r = 0;
    EXPECT_EQ(Call(Stubs::Open___STATIC__I4__SZARRAY_U1, {Arr(InteropDoubleArg::ARRAY_U1, bad)}, &r), S_OK);
    EXPECT_EQ(r, -3);
    EXPECT_EQ(Call(Stubs::Open___STATIC__I4__SZARRAY_U1, {Null(InteropDoubleArg::ARRAY_U1)}), CLR_E_NULL_REFERENCE);
    std::vector<int32_t> handles{handle};
    for (int i = 1; i < SkipRnn_Edge_Native::SkipRnn_Edge_Native::NativeSkipGru::SlotCount; i++) {
        ASSERT_EQ(Call(Stubs::Open___STATIC__I4__SZARRAY_U1, {Arr(InteropDoubleArg::ARRAY_U1, h.model)}, &r), S_OK);
        ASSERT_GE(r, 0);
        handles.push_back(r);
    }
    EXPECT_EQ(Call(Stubs::Open___STATIC__I4__SZARRAY_U1, {Arr(InteropDoubleArg::ARRAY_U1, h.model)}, &r), S_OK);
    EXPECT_EQ(r, -1);
    for (int32_t x : handles) EXPECT_EQ(Call(Stubs::Close___STATIC__VOID__I4, {I4(x)}), S_OK);
    EXPECT_EQ(Call(Stubs::Close___STATIC__VOID__I4, {I4(handle)}), S_OK);   // twice: harmless
    EXPECT_EQ(Call(Stubs::Reset___STATIC__VOID__I4, {I4(handle)}), CLR_E_INVALID_PARAMETER);
    EXPECT_EQ(interop_double_live_allocations, 0);
}

// The keyword path: one Frame call per computed frame (features + update) on the shipped keyword model, against the
// managed LogMelPipeline + SkipGru (audio_keyword.trace): features, delta u~, clamped count, outputs and state.
TEST(Interop, FrameComputesFeaturesAndUpdatesBitExact)
{
    std::vector<uint8_t> data = ReadOne("audio_keyword", ".trace", "SKAK");
    Reader rd(data);
    std::vector<uint8_t> model = KeywordTraceModel(rd);
    Trace h;
    h.model = model;
    h.inputs = model[18] | (model[19] << 8);
    h.hidden = model[20] | (model[21] << 8);
    h.outputs = model[22] | (model[23] << 8);
    ASSERT_EQ(h.inputs, 40);
    int32_t handle = -1;
    ASSERT_EQ(Call(Stubs::Open___STATIC__I4__SZARRAY_U1, {Arr(InteropDoubleArg::ARRAY_U1, h.model)}, &handle), S_OK);
    ASSERT_GE(handle, 0);
    auto frame = [&](std::vector<InteropDoubleArg> a, int32_t *result = nullptr) {
        return Call(Stubs::Frame___STATIC__I4__I4__SZARRAY_I2__SZARRAY_I4__SZARRAY_I4__SZARRAY_I2, std::move(a), result);
    };
    std::vector<int16_t> pcm(480), state((size_t)h.hidden);
    std::vector<int32_t> features(40), outs((size_t)h.outputs);
    int32_t frames = rd.I32();
    ASSERT_GE(frames, 100);
    for (int32_t f = 0; f < frames; f++) {
        for (auto &s : pcm) s = rd.I16();
        int32_t result = 0;
        ASSERT_EQ(frame({I4(handle), Arr(InteropDoubleArg::ARRAY_I2, pcm), Arr(InteropDoubleArg::ARRAY_I4, features),
                         Arr(InteropDoubleArg::ARRAY_I4, outs), Arr(InteropDoubleArg::ARRAY_I2, state)}, &result), S_OK);
        for (int m = 0; m < 40; m++) ASSERT_EQ(features[(size_t)m], rd.I32()) << "feature " << m << " at frame " << f;
        ASSERT_EQ(result & 0xFFFF, rd.I32()) << "delta u~ at frame " << f;
        ASSERT_EQ(result >> 16, rd.I32()) << "clamped inputs at frame " << f;
        for (int32_t o = 0; o < h.outputs; o++) ASSERT_EQ(outs[(size_t)o], rd.I32()) << "output " << o << " at frame " << f;
        for (int32_t j = 0; j < h.hidden; j++) ASSERT_EQ(state[(size_t)j], rd.I16()) << "state " << j << " at frame " << f;
    }
    EXPECT_TRUE(rd.AtEnd());

    // Bad arguments: HRESULTs, never a crash.
    std::vector<int16_t> shortPcm(479), shortState((size_t)h.hidden - 1);
    std::vector<int32_t> shortFeatures(39);
    auto args = [&](int32_t hd, InteropDoubleArg a, InteropDoubleArg b, InteropDoubleArg c, InteropDoubleArg d) {
        return std::vector<InteropDoubleArg>{I4(hd), a, b, c, d};
    };
    auto P = Arr(InteropDoubleArg::ARRAY_I2, pcm), F = Arr(InteropDoubleArg::ARRAY_I4, features),
         O = Arr(InteropDoubleArg::ARRAY_I4, outs), S = Arr(InteropDoubleArg::ARRAY_I2, state);
    EXPECT_EQ(frame(args(handle + 1, P, F, O, S)), CLR_E_INVALID_PARAMETER);
    EXPECT_EQ(frame(args(handle, Arr(InteropDoubleArg::ARRAY_I2, shortPcm), F, O, S)), CLR_E_INDEX_OUT_OF_RANGE);
    EXPECT_EQ(frame(args(handle, P, Arr(InteropDoubleArg::ARRAY_I4, shortFeatures), O, S)), CLR_E_INDEX_OUT_OF_RANGE);
    EXPECT_EQ(frame(args(handle, P, F, O, Arr(InteropDoubleArg::ARRAY_I2, shortState))), CLR_E_INDEX_OUT_OF_RANGE);
    EXPECT_EQ(frame(args(handle, Null(InteropDoubleArg::ARRAY_I2), F, O, S)), CLR_E_NULL_REFERENCE);
    EXPECT_EQ(frame(args(handle, F, F, O, S)), CLR_E_WRONG_TYPE);
    EXPECT_EQ(frame(args(handle, P, F, O, S)), S_OK);
    EXPECT_EQ(Call(Stubs::Close___STATIC__VOID__I4, {I4(handle)}), S_OK);

    // A model that does not read 40 inputs has no audio frames.
    Trace other = Head(ReadAll(FilesEndingIn(".trace", "shipped_").at(0)));
    ASSERT_NE(other.inputs, 40);
    ASSERT_EQ(Call(Stubs::Open___STATIC__I4__SZARRAY_U1, {Arr(InteropDoubleArg::ARRAY_U1, other.model)}, &handle), S_OK);
    std::vector<int16_t> otherState((size_t)other.hidden);
    std::vector<int32_t> otherOuts((size_t)other.outputs);
    EXPECT_EQ(frame(args(handle, P, F, Arr(InteropDoubleArg::ARRAY_I4, otherOuts), Arr(InteropDoubleArg::ARRAY_I2, otherState))),
              CLR_E_INVALID_PARAMETER);
    EXPECT_EQ(Call(Stubs::Close___STATIC__VOID__I4, {I4(handle)}), S_OK);
    EXPECT_EQ(interop_double_live_allocations, 0);
    std::printf("interop Frame: %d keyword frames, features + update in one call, identical\n", frames);
}

// The keyword loop's path: FrameSlots takes the frame from a ring of raw I2S frames (8 bytes a sample, the sample in the
// left slot's bytes 2..3, the other bytes filled with values that would change it), the window starting at a different
// place each frame so that it wraps round the ring's end; the same trace as Frame must come out.
TEST(Interop, FrameSlotsUnpacksTheRingAndMatchesTheManagedPathBitExact)
{
    std::vector<uint8_t> data = ReadOne("audio_keyword", ".trace", "SKAK");
    Reader rd(data);
    std::vector<uint8_t> model = KeywordTraceModel(rd);
    int32_t hidden = model[20] | (model[21] << 8), outputs = model[22] | (model[23] << 8);
    int32_t handle = -1;
    ASSERT_EQ(Call(Stubs::Open___STATIC__I4__SZARRAY_U1, {Arr(InteropDoubleArg::ARRAY_U1, model)}, &handle), S_OK);
    auto call = [&](std::vector<InteropDoubleArg> a, int32_t *result = nullptr) {
        return Call(Stubs::FrameSlots___STATIC__I4__I4__SZARRAY_U1__I4__SZARRAY_I4__SZARRAY_I4__SZARRAY_I2, std::move(a), result);
    };
    const int32_t ring = 512;
    std::vector<uint8_t> slots((size_t)ring * 8);
    std::vector<int16_t> state((size_t)hidden);
    std::vector<int32_t> features(40), outs((size_t)outputs);
    int32_t frames = rd.I32();
    ASSERT_GE(frames, 100);
    int32_t first = 0;
    for (int32_t f = 0; f < frames; f++) {
        first = (first + 320) % ring;
        for (int32_t i = 0; i < 480; i++) {
            uint16_t v = (uint16_t)rd.I16();
            uint8_t *b = &slots[(size_t)((first + i) % ring) * 8];
            b[0] = (uint8_t)(0xA5 ^ f ^ i);
            b[1] = (uint8_t)(0x3C + i);
            b[2] = (uint8_t)(v & 0xFF);
            b[3] = (uint8_t)(v >> 8);
            for (int k = 4; k < 8; k++) b[k] = (uint8_t)(0x77 + 13 * k + f);
        }
        int32_t result = 0;
        ASSERT_EQ(call({I4(handle), Arr(InteropDoubleArg::ARRAY_U1, slots), I4(first), Arr(InteropDoubleArg::ARRAY_I4, features),
                        Arr(InteropDoubleArg::ARRAY_I4, outs), Arr(InteropDoubleArg::ARRAY_I2, state)}, &result), S_OK);
        for (int m = 0; m < 40; m++) ASSERT_EQ(features[(size_t)m], rd.I32()) << "feature " << m << " at frame " << f;
        ASSERT_EQ(result & 0xFFFF, rd.I32()) << "delta u~ at frame " << f;
        ASSERT_EQ(result >> 16, rd.I32()) << "clamped inputs at frame " << f;
        for (int32_t o = 0; o < outputs; o++) ASSERT_EQ(outs[(size_t)o], rd.I32()) << "output " << o << " at frame " << f;
        for (int32_t j = 0; j < hidden; j++) ASSERT_EQ(state[(size_t)j], rd.I16()) << "state " << j << " at frame " << f;
    }
    EXPECT_TRUE(rd.AtEnd());

    // Bad arguments: HRESULTs, never a crash (a ring shorter than a frame or not whole frames, a first slot outside it).
    std::vector<uint8_t> shortRing(479 * 8), ragged(480 * 8 + 3);
    auto S = Arr(InteropDoubleArg::ARRAY_U1, slots), F = Arr(InteropDoubleArg::ARRAY_I4, features),
         O = Arr(InteropDoubleArg::ARRAY_I4, outs), H = Arr(InteropDoubleArg::ARRAY_I2, state);
    EXPECT_EQ(call({I4(handle), S, I4(-1), F, O, H}), CLR_E_INDEX_OUT_OF_RANGE);
    EXPECT_EQ(call({I4(handle), S, I4(ring), F, O, H}), CLR_E_INDEX_OUT_OF_RANGE);
    EXPECT_EQ(call({I4(handle), Arr(InteropDoubleArg::ARRAY_U1, shortRing), I4(0), F, O, H}), CLR_E_INDEX_OUT_OF_RANGE);
    EXPECT_EQ(call({I4(handle), Arr(InteropDoubleArg::ARRAY_U1, ragged), I4(0), F, O, H}), CLR_E_INDEX_OUT_OF_RANGE);
    EXPECT_EQ(call({I4(handle), Null(InteropDoubleArg::ARRAY_U1), I4(0), F, O, H}), CLR_E_NULL_REFERENCE);
    EXPECT_EQ(call({I4(handle + 1), S, I4(0), F, O, H}), CLR_E_INVALID_PARAMETER);
    EXPECT_EQ(call({I4(handle), S, I4(ring - 1), F, O, H}), S_OK);
    EXPECT_EQ(Call(Stubs::Close___STATIC__VOID__I4, {I4(handle)}), S_OK);
    EXPECT_EQ(interop_double_live_allocations, 0);
    std::printf("interop FrameSlots: %d keyword frames from a ring of raw I2S frames, identical\n", frames);
}
