// Helpers shared by the tests: the trace folder (SKRN_TRACE_DIR) and a little-endian reader.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace skrn_test {

// The folder the C# trace writer filled; the tests fail (never skip) when it is missing.
inline std::string TraceDir()
{
    const char *d = std::getenv("SKRN_TRACE_DIR");
    if (d == nullptr || *d == 0) throw std::runtime_error("SKRN_TRACE_DIR is not set (test.sh sets it)");
    return d;
}

inline std::vector<std::string> FilesEndingIn(const std::string &suffix, const std::string &prefix = "")
{
    std::vector<std::string> out;
    std::string dir = TraceDir();
    DIR *dp = opendir(dir.c_str());
    if (dp == nullptr) throw std::runtime_error("cannot open " + dir);
    while (dirent *e = readdir(dp)) {
        std::string n = e->d_name;
        if (n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0 &&
            n.compare(0, prefix.size(), prefix) == 0)
            out.push_back(dir + "/" + n);
    }
    closedir(dp);
    std::sort(out.begin(), out.end());
    return out;
}

inline std::vector<uint8_t> ReadAll(const std::string &path)
{
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot read " + path);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

// The one file in the trace folder named PREFIX...SUFFIX, whole; throws (a test failure) unless exactly one exists and
// it starts with the 4-byte magic. Read it with a Reader and skip the magic (rd.Bytes(4)).
inline std::vector<uint8_t> ReadOne(const std::string &prefix, const std::string &suffix, const char *magic)
{
    std::vector<std::string> files = FilesEndingIn(suffix, prefix);
    if (files.size() != 1)
        throw std::runtime_error(std::to_string(files.size()) + " files " + prefix + "*" + suffix + " in " + TraceDir() + ", 1 expected");
    std::vector<uint8_t> d = ReadAll(files[0]);
    if (d.size() < 4 || std::memcmp(d.data(), magic, 4) != 0) throw std::runtime_error(files[0] + ": no " + magic + " magic");
    return d;
}

// Reads little-endian values; throws past the end (a malformed trace is a test failure, not a crash).
class Reader {
public:
    explicit Reader(const std::vector<uint8_t> &d) : d_(d) {}
    const uint8_t *Bytes(size_t n)
    {
        if (n > d_.size() - pos_) throw std::runtime_error("trace ends early");
        const uint8_t *p = d_.data() + pos_;
        pos_ += n;
        return p;
    }
    uint8_t U8() { return *Bytes(1); }
    int16_t I16() { const uint8_t *p = Bytes(2); return (int16_t)(uint16_t)(p[0] | (p[1] << 8)); }
    int32_t I32()
    {
        const uint8_t *p = Bytes(4);
        return (int32_t)((uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24));
    }
    int64_t I64() { uint32_t lo = (uint32_t)I32(); uint32_t hi = (uint32_t)I32(); return (int64_t)(((uint64_t)hi << 32) | lo); }
    bool AtEnd() const { return pos_ == d_.size(); }

private:
    const std::vector<uint8_t> &d_;
    size_t pos_ = 0;
};

// An 8-byte aligned arena for skrn_init.
struct Arena {
    std::vector<uint64_t> words;
    void *Ptr() { return words.data(); }
    explicit Arena(size_t bytes) : words((bytes + 7) / 8) {}
};

}  // namespace skrn_test
