import CArgon2

/// glibc allocator settings for a process that hashes passwords.
public enum MemoryTuning {
    /// Each Argon2id hash allocates its memory cost (19 MiB by default) and frees it. glibc raises
    /// its mmap threshold after such a free, so later blocks come from the heap and stay in the
    /// process after use (PERF_NOTES: RSS 80–100 MiB after hashing load). A fixed threshold keeps
    /// large blocks mmapped, so they go back to the system as soon as a hash is done.
    public static func returnLargeBlocks() {
        _ = mallopt(M_MMAP_THRESHOLD, 1 << 20)
    }
}
