#include <argon2.h>
// glibc's allocator tuning, used together with Argon2's large allocations (MemoryTuning.swift).
#include <malloc.h>
