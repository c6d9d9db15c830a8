// Software prefetch for the exact mode's memory-bound regime (issue #19, point 4): at 10⁶ neurons the
// input connection's charges (1 GB) come from DRAM, a row of 1 KiB at a random place per input spike.

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
