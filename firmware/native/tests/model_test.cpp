// The reader and the runner's edges: the same verdict and field as the managed reader on thousands of corrupt
// files, self-test replay, arena and argument errors, the activation tables and the CRC.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <regex>

#include "skrn.h"
#include "test_files.h"

using namespace skrn_test;

extern "C" const int16_t skrn_sigmoid_table[257];
extern "C" const int16_t skrn_tanh_table[513];

TEST(Tables, EqualTheExactFunctionsRounded)
{
    // Entry i samples x = (i * 2^step - 32768) / 4096; rounding half to even, as Math.Round in the C# generator.
    for (int i = 0; i <= 256; i++) {
        double x = (i * 256 - 32768) / 4096.0;
        double want = std::fmin(32767.0, std::nearbyint(32768.0 / (1.0 + std::exp(-x))));
        ASSERT_EQ(skrn_sigmoid_table[i], (int32_t)want) << "sigmoid entry " << i;
        if (i < 256) ASSERT_EQ(skrn_sigmoid(i * 256 - 32768), (int32_t)want) << "sigmoid at entry " << i;
    }
    for (int i = 0; i <= 512; i++) {
        double x = (i * 128 - 32768) / 4096.0;
        double want = std::fmax(-32767.0, std::fmin(32767.0, std::nearbyint(std::tanh(x) * 32768.0)));
        ASSERT_EQ(skrn_tanh_table[i], (int32_t)want) << "tanh entry " << i;
        if (i < 512) ASSERT_EQ(skrn_tanh(i * 128 - 32768), (int32_t)want) << "tanh at entry " << i;
    }
    // Halfway between entries: the interpolation rounds half up.
    EXPECT_EQ(skrn_sigmoid(128 - 32768), skrn_sigmoid_table[0] + ((skrn_sigmoid_table[1] - skrn_sigmoid_table[0]) * 128 + 128) / 256);
    // Saturation: any int is a valid pre-activation.
    EXPECT_EQ(skrn_sigmoid(INT32_MAX), skrn_sigmoid(32767));
    EXPECT_EQ(skrn_tanh(INT32_MIN), -32767);
}

TEST(Crc32, MatchesZlibCheckValue)
{
    const char *s = "123456789";
    EXPECT_EQ(skrn_crc32((const uint8_t *)s, 9), 0xCBF43926u);
}

TEST(Reader, NamesTheSameFieldAsTheManagedReaderOnCorruptFiles)
{
    std::vector<uint8_t> data = ReadAll(TraceDir() + "/bad.cases");
    Reader rd(data);
    int32_t count = rd.I32();
    ASSERT_GT(count, 1000);
    std::map<std::string, int> verdicts;
    for (int32_t c = 0; c < count; c++) {
        int32_t len = rd.I32();
        const uint8_t *p = rd.Bytes((size_t)len);
        std::vector<uint8_t> file(p, p + len);   // exact size: ASan sees any read past the end
        uint8_t n = rd.U8();
        std::string want((const char *)rd.Bytes(n), n);
        skrn_error err{};
        static const uint8_t none = 0;   // an empty file is not a null one
        size_t bytes = skrn_arena_bytes(file.empty() ? &none : file.data(), file.size(), &err);
        std::string got = bytes == 0 ? std::string(err.field) : "";
        ASSERT_EQ(got, want) << "case " << c << " (" << len << " bytes): " << err.message;
        if (bytes != 0) {
            Arena arena(bytes);
            skrn_runner r;
            ASSERT_EQ(skrn_init(&r, file.data(), file.size(), arena.Ptr(), bytes, &err), SKRN_OK);
        }
        std::string key = want.empty() ? "(accepted)" : std::regex_replace(want, std::regex("\\[[0-9]+\\]$"), "[..]");
        verdicts[key]++;
    }
    std::printf("corrupt files: %d, verdicts:", count);
    for (auto &v : verdicts) std::printf(" %s=%d", v.first.c_str(), v.second);
    std::printf("\n");
    EXPECT_GT(verdicts.size(), 15u) << "the corruptions should reach many different checks";
}

TEST(Reader, RejectsNullAndShortInput)
{
    skrn_error err{};
    EXPECT_EQ(skrn_arena_bytes(nullptr, 0, &err), 0u);
    EXPECT_STREQ(err.field, "file");
    uint8_t few[5] = {'S', 'K', 'R', 'N', 1};
    EXPECT_EQ(skrn_arena_bytes(few, sizeof few, &err), 0u);
    EXPECT_STREQ(err.field, "header");
}

namespace {

struct Loaded {
    std::vector<uint8_t> file;
    Arena arena{8};
    skrn_runner r{};
};

std::unique_ptr<Loaded> Load(const std::string &path)
{
    auto l = std::make_unique<Loaded>();
    l->file = ReadAll(path);
    skrn_error err{};
    size_t bytes = skrn_arena_bytes(l->file.data(), l->file.size(), &err);
    if (bytes == 0) throw std::runtime_error(path + ": " + err.field + " " + err.message);
    l->arena = Arena(bytes);
    if (skrn_init(&l->r, l->file.data(), l->file.size(), l->arena.Ptr(), bytes, &err) != SKRN_OK)
        throw std::runtime_error(path + ": init failed");
    return l;
}

uint32_t Le32(const uint8_t *p) { return (uint32_t)p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24); }

void FixCrc(std::vector<uint8_t> &f)
{
    uint32_t crc = skrn_crc32(f.data() + 16, f.size() - 16);
    for (int i = 0; i < 4; i++) f[12 + i] = (uint8_t)(crc >> (8 * i));
}

}  // namespace

TEST(SelfTest, ReplaysTheManagedRuntimesVectors)
{
    std::vector<std::string> files = FilesEndingIn(".skrn", "selftest_");
    ASSERT_GE(files.size(), 10u);
    for (const std::string &f : files) {
        auto l = Load(f);
        skrn_error err{};
        EXPECT_EQ(skrn_self_test(&l->r, l->file.data(), l->file.size(), &err), SKRN_OK) << f << ": " << err.field << " " << err.message;
    }
}

TEST(SelfTest, ReportsTheFirstMismatch)
{
    std::vector<std::string> files = FilesEndingIn(".skrn", "selftest_");
    ASSERT_FALSE(files.empty());
    auto l = Load(files[0]);
    const skrn_model &m = l->r.model;
    // Change the first recorded state of layer 0, unit 0 at step 0 (after I raw inputs and the updated flag).
    std::vector<uint8_t> bad = l->file;
    size_t at = m.self_test_offset + 4 * (size_t)m.input_size + 1;
    bad[at] ^= 0x01;
    FixCrc(bad);
    skrn_error err{};
    Arena arena(skrn_arena_bytes(bad.data(), bad.size(), &err));
    skrn_runner r;
    ASSERT_EQ(skrn_init(&r, bad.data(), bad.size(), arena.Ptr(), arena.words.size() * 8, &err), SKRN_OK);
    EXPECT_EQ(skrn_self_test(&r, bad.data(), bad.size(), &err), SKRN_EARG);
    EXPECT_STREQ(err.field, "state[0][0]");
    EXPECT_NE(std::string(err.message).find("step 0"), std::string::npos) << err.message;
}

TEST(SelfTest, WithoutVectorsIsAnError)
{
    std::vector<std::string> files = FilesEndingIn(".trace", "random_");
    ASSERT_FALSE(files.empty());
    std::vector<uint8_t> t = ReadAll(files[0]);
    std::vector<uint8_t> model(t.begin() + 8, t.begin() + 8 + (int32_t)Le32(t.data() + 4));
    skrn_error err{};
    size_t bytes = skrn_arena_bytes(model.data(), model.size(), &err);
    Arena arena(bytes);
    skrn_runner r;
    ASSERT_EQ(skrn_init(&r, model.data(), model.size(), arena.Ptr(), bytes, &err), SKRN_OK);
    ASSERT_EQ(r.model.self_test_steps, 0);
    EXPECT_EQ(skrn_self_test(&r, model.data(), model.size(), &err), SKRN_EFORMAT);
    EXPECT_STREQ(err.field, "self_test");
}

TEST(Runner, RefusesASmallOrMisalignedArena)
{
    auto l = Load(FilesEndingIn(".skrn", "selftest_").at(0));
    skrn_error err{};
    size_t bytes = skrn_arena_bytes(l->file.data(), l->file.size(), &err);
    Arena small(bytes);
    skrn_runner r;
    EXPECT_EQ(skrn_init(&r, l->file.data(), l->file.size(), small.Ptr(), bytes - 1, &err), SKRN_EARENA);
    EXPECT_STREQ(err.field, "arena");
    Arena big(bytes + 8);
    EXPECT_EQ(skrn_init(&r, l->file.data(), l->file.size(), (uint8_t *)big.Ptr() + 4, bytes, &err), SKRN_EARENA);
    EXPECT_EQ(skrn_init(&r, l->file.data(), l->file.size(), nullptr, bytes, &err), SKRN_EARENA);
}

TEST(Runner, SkipOutsideZeroToStepsToSkipIsRefusedAndChangesNothing)
{
    auto l = Load(FilesEndingIn(".skrn", "selftest_").at(0));
    skrn_runner &r = l->r;
    std::vector<int32_t> raw((size_t)r.model.input_size, 100);
    skrn_step(&r, raw.data());
    int32_t u = r.update_probability, left = r.steps_to_skip;
    EXPECT_EQ(skrn_skip(&r, -1), SKRN_EARG);
    EXPECT_EQ(skrn_skip(&r, left + 1), SKRN_EARG);
    EXPECT_EQ(r.update_probability, u);
    EXPECT_EQ(r.steps_to_skip, left);
    EXPECT_EQ(skrn_skip(&r, left), SKRN_OK);
    EXPECT_EQ(r.steps_to_skip, 0);
}
