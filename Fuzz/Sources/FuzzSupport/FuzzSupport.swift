@_exported import CFuzzDriver

/// Shared helpers of the fuzz targets.
///
/// A fuzz target must crash only on a real bug: every input may be rejected with a thrown error, but
/// a trap (out-of-range index, arithmetic overflow, force-unwrap) or a broken invariant of an accepted
/// input is a finding. `require` turns a broken invariant into a trap so that libFuzzer records the
/// input under `Fuzz/Crashes/<target>/`.
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                    file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError("fuzz invariant broken: \(message())", file: file, line: line) }
}

/// The fuzzer's input as an array (copied: the targets' APIs take `[UInt8]` or `String`).
public func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
}
