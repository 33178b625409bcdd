// Bit-exactness against the managed runtime: replays every trace the C# writer recorded (random models of
// every shape, the shipped models on their test streams) and compares everything after every call.
#include <gtest/gtest.h>

#include "skrn.h"
#include "test_files.h"

using namespace skrn_test;

namespace {

struct Replay {
    int64_t events = 0, updates = 0, skips = 0, clamped = 0;
};

// Returns the first difference as a message, or "" when the whole trace matches.
std::string ReplayTrace(const std::string &path, Replay &stats)
{
    std::vector<uint8_t> data = ReadAll(path);
    Reader rd(data);
    if (std::memcmp(rd.Bytes(4), "SKTR", 4) != 0) return "not a trace";
    int32_t model_len = rd.I32();
    const uint8_t *model_bytes = rd.Bytes((size_t)model_len);
    std::vector<uint8_t> model(model_bytes, model_bytes + model_len);
    int64_t macs = rd.I64();
    int64_t arena_cs = rd.I64();
    int32_t events = rd.I32();

    skrn_error err{};
    size_t bytes = skrn_arena_bytes(model.data(), model.size(), &err);
    if (bytes == 0) return std::string("rejected: ") + err.field + ": " + err.message;
    if ((int64_t)bytes != arena_cs)   // what `skiprnn inspect` reports (NativeArena.cs)
        return "arena bytes: skrn " + std::to_string(bytes) + ", NativeArena.cs " + std::to_string(arena_cs);
    Arena arena(bytes);
    skrn_runner r;
    if (skrn_init(&r, model.data(), model.size(), arena.Ptr(), bytes, &err) != SKRN_OK)
        return std::string("init failed: ") + err.field;
    if (skrn_macs_per_update(&r.model) != macs) return "MacsPerUpdate differs";

    const int32_t inputs = r.model.input_size, states = r.model.layer_count * r.model.hidden_size;
    std::vector<int32_t> raw((size_t)inputs);
    for (int32_t e = 0; e < events; e++) {
        uint8_t kind = rd.U8();
        int result = 0;
        if (kind == 0) {
            for (auto &v : raw) v = rd.I32();
            result = skrn_step(&r, raw.data());
        } else if (kind == 1) {
            if (skrn_skip(&r, rd.I32()) != SKRN_OK) return "skip refused at event " + std::to_string(e);
        } else {
            skrn_reset(&r);
        }
        auto at = [&](const char *what, int64_t want, int64_t got) {
            return std::string(what) + " at event " + std::to_string(e) + ": managed " + std::to_string(want) +
                   ", native " + std::to_string(got);
        };
        int64_t v;
        if ((v = rd.U8()) != result) return at("step result", v, result);
        if ((v = rd.I32()) != r.update_probability) return at("u~", v, r.update_probability);
        if ((v = rd.I32()) != r.increment) return at("increment", v, r.increment);
        if ((v = rd.I32()) != r.steps_to_skip) return at("steps_to_skip", v, r.steps_to_skip);
        if ((v = rd.U8()) != r.has_output) return at("has_output", v, r.has_output);
        if ((v = rd.I64()) != r.updates) return at("updates", v, r.updates);
        if ((v = rd.I64()) != r.skips) return at("skips", v, r.skips);
        if ((v = rd.I64()) != r.clamped_inputs) return at("clamped inputs", v, r.clamped_inputs);
        for (int32_t s = 0; s < states; s++)
            if ((v = rd.I16()) != r.state[s]) return at(("state " + std::to_string(s)).c_str(), v, r.state[s]);
        for (int32_t o = 0; o < r.model.output_size; o++)
            if ((v = rd.I32()) != r.outputs[o]) return at(("output " + std::to_string(o)).c_str(), v, r.outputs[o]);
        if ((v = rd.I32()) != skrn_argmax(&r)) return at("argmax", v, skrn_argmax(&r));
    }
    if (!rd.AtEnd()) return "trailing bytes in the trace";
    stats.events += events;
    stats.updates += r.updates;
    stats.skips += r.skips;
    stats.clamped += r.clamped_inputs;
    return "";
}

void ReplayAll(const std::string &prefix, size_t minimum)
{
    std::vector<std::string> files = FilesEndingIn(".trace", prefix);
    ASSERT_GE(files.size(), minimum) << "too few " << prefix << " traces in " << TraceDir();
    Replay stats;
    for (const std::string &f : files) EXPECT_EQ(ReplayTrace(f, stats), "") << f;
    // The traces must exercise both paths, or "bit-exact" would be vacuous.
    EXPECT_GT(stats.updates, 0);
    EXPECT_GT(stats.skips, 0);
    if (prefix == "random_") EXPECT_GT(stats.clamped, 0);   // the random streams hold saturated sensor values
    std::printf("%s: %zu traces, %lld events, %lld updates, %lld skipped steps, %lld clamped inputs, all identical\n",
                prefix.c_str(), files.size(), (long long)stats.events, (long long)stats.updates, (long long)stats.skips,
                (long long)stats.clamped);
}

}  // namespace

TEST(BitExact, RandomModelsOfEveryShape) { ReplayAll("random_", 100); }

TEST(BitExact, ShippedModelsOnTheirTestStreams) { ReplayAll("shipped_", 2); }
