// Test double: the part of nanoCLR_Runtime.h (via nanoHAL_v2.h) the stubs use: the platform heap, counted so
// tests can check Open allocates once and Close frees.
#pragma once

#include <cstdlib>

extern int interop_double_live_allocations;

inline void *platform_malloc(size_t size)
{
    void *p = std::malloc(size);
    if (p != nullptr) interop_double_live_allocations++;
    return p;
}

inline void platform_free(void *p)
{
    if (p != nullptr) interop_double_live_allocations--;
    std::free(p);
}
