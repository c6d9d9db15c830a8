// Memory hints for the kernel's memory-bound regime (issue #19, point 4): at 10⁶ neurons the input
// connection's charges (1 GB) come from DRAM, a row of 1 KiB at a random place per input spike.
// Software prefetch asks for a row before it is read; huge pages make a random row cost one TLB entry
// per 2 MiB instead of one per 4 KiB. Neither can change a value.
#if canImport(Glibc)
import Glibc
#endif

/// LLVM's prefetch intrinsic (`prefetcht0` on x86-64; a hint: it never faults, never changes a value).
/// Swift exposes no prefetch, and the package has no C target to wrap `__builtin_prefetch` in.
@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(_ address: UnsafeRawPointer, _ readWrite: Int32, _ locality: Int32, _ cacheType: Int32)

/// Asks for the `count` doubles at `base` to be brought into every cache level (read, high locality),
/// one request per 64-byte line. Reads nothing itself, so results cannot depend on it.
@inline(__always)
func prefetch(_ base: UnsafePointer<Double>, count: Int) {
    guard count > 0 else { return }
    var k = 0
    while k < count {
        llvmPrefetch(UnsafeRawPointer(base + k), 0, 3, 1)
        k += 8
    }
    // The row need not start on a line: its last double may sit on one more.
    llvmPrefetch(UnsafeRawPointer(base + count - 1), 0, 3, 1)
}

/// `prefetch` asking for the lines from the last down (for a loop that walks the row from its end).
@inline(__always)
func prefetchDescending(_ base: UnsafePointer<Double>, count: Int) {
    guard count > 0 else { return }
    var k = count - 1
    while k >= 0 {
        llvmPrefetch(UnsafeRawPointer(base + k), 0, 3, 1)
        k -= 8
    }
    // The row need not start on a line: its first double may sit on one more.
    llvmPrefetch(UnsafeRawPointer(base), 0, 3, 1)
}

/// Asks for the cache line holding `address` (a hint: it never faults, never changes a value, so a
/// stale or out-of-range address costs a wasted request at most).
@inline(__always)
func prefetchLine(_ address: UnsafeRawPointer) {
    llvmPrefetch(address, 0, 3, 1)
}

/// An uninitialised buffer of `count` doubles for a compiled matrix: aligned to 2 MiB and advised to the
/// kernel as huge-page memory (`madvise(MADV_HUGEPAGE)`, honoured where transparent huge pages are
/// `always` or `madvise`) when it spans at least 4 MiB, so that the random row reads of a large network
/// miss the TLB once per 2 MiB instead of once per 4 KiB. Free it with `freeMatrix`. nil when `count`
/// is 0 (or the memory cannot be had).
func allocateMatrix(count: Int) -> UnsafeMutablePointer<Double>? {
    guard count > 0 else { return nil }
    let bytes = count * MemoryLayout<Double>.stride
    let huge = 2 << 20
    var raw: UnsafeMutableRawPointer? = nil
    #if canImport(Glibc)
    let rounded = (bytes + huge - 1) / huge * huge
    if bytes >= 2 * huge, posix_memalign(&raw, huge, rounded) == 0, let r = raw {
        _ = madvise(r, rounded, MADV_HUGEPAGE)
    } else {
        raw = nil
    }
    #endif
    if raw == nil { raw = malloc(bytes) }
    return raw?.bindMemory(to: Double.self, capacity: count)
}

/// `allocateMatrix(count:)` holding a copy of `values`.
func allocateMatrix(copying values: [Double]) -> UnsafeMutablePointer<Double>? {
    guard let p = allocateMatrix(count: values.count) else { return nil }
    p.initialize(from: values, count: values.count)
    return p
}

/// Frees a buffer of `allocateMatrix` (malloc'd or posix_memalign'd: both go back through `free`).
func freeMatrix(_ p: UnsafeMutablePointer<Double>?) {
    guard let p else { return }
    free(UnsafeMutableRawPointer(p))
}
