// Bit-exactness of the native audio front end against the managed one: every frame the C# writer recorded (random
// PCM at every loudness, the real clips, silence, DC, full-scale square waves, clipped tones), the window and power
// shifts, the band energies and the 40 features; LogEnergy on its whole input range; and the tables themselves.
#include <gtest/gtest.h>

#include <map>

#include "skrn_audio.h"
#include "skrn_audio_internal.h"
#include "test_files.h"

using namespace skrn_test;

namespace {

struct AudioStats {
    int64_t frames = 0, silent = 0, scaled_down = 0, scaled_up = 0, shifted_power = 0, floor_bands = 0;
};

// Returns the first difference as a message, or "" when every frame matches.
std::string ReplayAudio(const std::string &path, AudioStats &stats)
{
    std::vector<uint8_t> data = ReadAll(path);
    Reader rd(data);
    if (std::memcmp(rd.Bytes(4), "SKAF", 4) != 0) return "not an audio trace";
    int32_t frames = rd.I32();
    int16_t pcm[SKRN_AUDIO_FRAME_LENGTH];
    int32_t features[SKRN_AUDIO_BANDS];
    skrn_audio_work work;
    for (int32_t f = 0; f < frames; f++) {
        for (int16_t &s : pcm) s = rd.I16();
        // Stale values from the last frame must not leak into this one.
        std::memset(features, 0x5A, sizeof features);
        int32_t r = skrn_audio_features(pcm, features, &work);
        auto at = [&](const std::string &what, int64_t want, int64_t got) {
            return what + " at frame " + std::to_string(f) + ": managed " + std::to_string(want) + ", native " +
                   std::to_string(got);
        };
        int64_t v;
        if ((v = rd.I32()) != r) return at("window shift", v, r);
        if ((v = rd.I32()) != work.power_shift) return at("power shift", v, work.power_shift);
        for (int m = 0; m < SKRN_AUDIO_BANDS; m++)
            if ((v = rd.I64()) != work.energy[m]) return at("energy[" + std::to_string(m) + "]", v, work.energy[m]);
        for (int m = 0; m < SKRN_AUDIO_BANDS; m++)
            if ((v = rd.I32()) != features[m]) return at("feature[" + std::to_string(m) + "]", v, features[m]);
        stats.frames++;
        if (r == SKRN_AUDIO_SILENT_SHIFT) stats.silent++;
        else if (r > 0) stats.scaled_down++;
        else stats.scaled_up++;
        if (r != SKRN_AUDIO_SILENT_SHIFT && work.power_shift > 0) stats.shifted_power++;
        for (int m = 0; m < SKRN_AUDIO_BANDS; m++)
            if (work.energy[m] == 0) stats.floor_bands++;
    }
    if (!rd.AtEnd()) return "trailing bytes in the trace";
    return "";
}

void ReplayCase(const char *name, int64_t minimum_frames, AudioStats &stats)
{
    std::vector<std::string> files = FilesEndingIn(".trace", std::string("audio_") + name);
    ASSERT_EQ(files.size(), 1u) << "audio_" << name << ".trace missing from " << TraceDir();
    EXPECT_EQ(ReplayAudio(files[0], stats), "") << files[0];
    EXPECT_GE(stats.frames, minimum_frames);
    std::printf("audio_%s: %lld frames (%lld silent, %lld scaled down, %lld scaled up, %lld with a power shift), identical\n",
                name, (long long)stats.frames, (long long)stats.silent, (long long)stats.scaled_down,
                (long long)stats.scaled_up, (long long)stats.shifted_power);
}

}  // namespace

TEST(AudioBitExact, RandomPcmAtEveryLoudness)
{
    AudioStats s;
    ReplayCase("random", 200, s);
    // Quiet frames are scaled up (r <= 0), loud ones down: both branches of the window must have run.
    EXPECT_GT(s.scaled_up, 0);
    EXPECT_GT(s.scaled_down, 0);
}

TEST(AudioBitExact, RealClips)
{
    AudioStats s;
    ReplayCase("clips", 100, s);
}

TEST(AudioBitExact, SilenceDcSquareWavesAndClipping)
{
    AudioStats s;
    ReplayCase("edges", 60, s);
    EXPECT_GT(s.silent, 0);
    EXPECT_GT(s.shifted_power, 0);   // full-scale squares and clipped tones push the power past 2^39
    EXPECT_GT(s.floor_bands, 0);     // DC leaves bands with no energy at all
}

TEST(AudioBitExact, LogEnergyOverItsWholeRange)
{
    std::vector<uint8_t> data = ReadOne("audio_log", ".bin", "SKAL");
    Reader rd(data);
    rd.Bytes(4);
    int32_t n = rd.I32();
    ASSERT_GT(n, 1000);
    for (int32_t i = 0; i < n; i++) {
        int64_t e = rd.I64();
        int32_t x = rd.I32(), want = rd.I32();
        ASSERT_EQ(skrn_audio_log_energy(e, x), want) << "energy " << e << ", exponent " << x;
    }
    EXPECT_TRUE(rd.AtEnd());
}

TEST(AudioBitExact, TablesEqualTheManagedOnes)
{
    std::vector<uint8_t> data = ReadOne("audio_tables", ".bin", "SKAT");
    Reader rd(data);
    rd.Bytes(4);
    std::map<std::string, std::vector<int64_t>> native;
    auto add = [&](const char *name, const auto *t, size_t n) { native[name] = std::vector<int64_t>(t, t + n); };
    add("HannQ30", skrn_hann_q30, 480);
    add("FftCosQ30", skrn_fft_cos_q30, 128);
    add("FftSinQ30", skrn_fft_sin_q30, 128);
    add("SplitCosQ30", skrn_split_cos_q30, 257);
    add("SplitSinQ30", skrn_split_sin_q30, 257);
    add("BitReverse8", skrn_bit_reverse8, 256);
    add("MelStart", skrn_mel_start, 40);
    add("MelCount", skrn_mel_count, 40);
    add("MelWeightsQ15", skrn_mel_weights_q15, 493);
    add("LnMantissaQ15", skrn_ln_mantissa_q15, 257);
    add("SoftplusQ15", skrn_softplus_q15, 513);
    int32_t tables = rd.I32();
    EXPECT_EQ(tables, (int32_t)native.size());
    for (int32_t t = 0; t < tables; t++) {
        uint8_t len = rd.U8();
        std::string name(reinterpret_cast<const char *>(rd.Bytes(len)), len);
        int32_t count = rd.I32();
        std::vector<int64_t> managed((size_t)count);
        for (auto &v : managed) v = rd.I64();
        ASSERT_TRUE(native.count(name)) << "the managed runtime has a table " << name << " the C side lacks";
        EXPECT_EQ(native[name], managed) << name << " (run firmware/native/tools/audio_tables.py)";
    }
}

// The raw I2S ring the keyword loop keeps (8 bytes a sample: left slot, right slot; the sample is the left slot's
// top 16 bits): every other byte filled with values that would change the sample if the wrong bytes were picked,
// the frame starting at every kind of place (no wrap, wrap in the middle, the last slot).
TEST(AudioSlots, UnpackTakesTheLeftSlotsTopSixteenBitsAcrossTheWrap)
{
    const int32_t ring = 512;
    std::vector<uint8_t> slots((size_t)ring * SKRN_AUDIO_SLOT_BYTES);
    std::vector<int16_t> pcm((size_t)ring);
    uint32_t s = 12345;
    for (int32_t i = 0; i < ring; i++) {
        s = s * 1103515245u + 12345u;
        pcm[(size_t)i] = (int16_t)(s >> 16);
        uint8_t *b = &slots[(size_t)i * SKRN_AUDIO_SLOT_BYTES];
        b[0] = (uint8_t)(0xA5 ^ i);              // the low 8 of the 24 data bits, and the unused byte
        b[1] = (uint8_t)(0x3C + i);
        b[2] = (uint8_t)((uint16_t)pcm[(size_t)i] & 0xFF);
        b[3] = (uint8_t)((uint16_t)pcm[(size_t)i] >> 8);
        for (int k = 4; k < 8; k++) b[k] = (uint8_t)(0x77 + 13 * k + i);   // the right slot (undriven on a board)
    }
    for (int32_t first : {0, 1, 31, 32, 200, 479, 480, 511}) {
        int16_t frame[SKRN_AUDIO_FRAME_LENGTH];
        std::memset(frame, 0x5A, sizeof frame);
        skrn_audio_unpack_slots(slots.data(), ring, first, frame);
        for (int32_t i = 0; i < SKRN_AUDIO_FRAME_LENGTH; i++)
            ASSERT_EQ(frame[i], pcm[(size_t)((first + i) % ring)]) << "first " << first << ", sample " << i;
    }
    // A ring of exactly one frame: the whole ring, rotated.
    int16_t frame[SKRN_AUDIO_FRAME_LENGTH];
    skrn_audio_unpack_slots(slots.data(), SKRN_AUDIO_FRAME_LENGTH, 7, frame);
    for (int32_t i = 0; i < SKRN_AUDIO_FRAME_LENGTH; i++)
        ASSERT_EQ(frame[i], pcm[(size_t)((7 + i) % SKRN_AUDIO_FRAME_LENGTH)]);
}
