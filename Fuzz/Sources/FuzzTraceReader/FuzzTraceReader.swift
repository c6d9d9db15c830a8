import FuzzSupport
import SpikebarPipeline
import SpikebarTrace

/// `.sbt` reader: open from bytes (header, index or scan), read every chunk, recover, and seek to a
/// time window chosen from the input. Any `TraceError` is fine; a trap is a bug.
///
/// Each input is read twice: as is, and with every checksum recomputed (`fixChecksums`). Without the
/// second pass almost every mutation dies at a checksum, and the chunk decoder behind the checks
/// (zstd frames, byte planes, prefix sums, unsafe-pointer code) would never see damaged data.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTraceReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    readAll(input)
    var fixed = input
    if fixChecksums(&fixed) { readAll(fixed) }
    return 0
}

/// Rewrites the header, chunk-header, payload and index checksums of a (mutated) `.sbt` image so
/// that they match its bytes (layout: Docs/trace-format.md). Returns false when nothing was changed.
func fixChecksums(_ b: inout [UInt8]) -> Bool {
    func le(_ at: Int, _ n: Int) -> Int {
        var v = 0
        for k in (0..<n).reversed() { v = v << 8 | Int(b[at + k]) }
        return v
    }
    func put(_ v: UInt64, at: Int) { for k in 0..<8 { b[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(k))) } }
    func hash(_ r: Range<Int>) -> UInt64 { b.withUnsafeBytes { XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[r])) } }
    guard b.count >= 16, b.starts(with: TraceFormat.magic) else { return false }
    let total = 16 + le(12, 4) + 8
    guard total <= b.count else { return false }
    put(hash(0..<(total - 8)), at: total - 8)
    var pos = total
    let sync = Array("SBCK".utf8)
    while pos + 56 <= b.count, Array(b[pos..<(pos + 4)]) == sync {
        let end = pos + 56 + le(pos + 32, 4)
        guard end <= b.count else { break }
        put(hash((pos + 56)..<end), at: pos + 40)
        put(hash(pos..<(pos + 48)), at: pos + 48)
        pos = end
    }
    if b.count >= total + 24, Array(b[(b.count - 8)...]) == Array("SBT-END\n".utf8) {
        let indexOffset = le(b.count - 24, 7)   // 7 bytes: keeps the Int positive
        if indexOffset >= total && indexOffset <= b.count - 24 { put(hash(indexOffset..<(b.count - 24)), at: b.count - 16) }
    }
    return true
}

func readAll(_ input: [UInt8]) {
    guard let reader = try? TraceReader(bytes: input, name: "<fuzz>") else { return }
    let addresses = reader.populationOffsets.last ?? 0
    var decoded = 0
    for i in reader.chunks.indices {
        guard let c = try? reader.readChunk(i) else { continue }
        require(c.times.count == c.addresses.count && c.times.count == reader.chunks[i].eventCount,
                "chunk \(i): \(c.times.count) times, \(c.addresses.count) addresses, index says \(reader.chunks[i].eventCount)")
        require(zip(c.times, c.times.dropFirst()).allSatisfy { $0 <= $1 }, "chunk \(i): times decrease")
        require(c.addresses.allSatisfy { Int($0) < addresses }, "chunk \(i): address beyond \(addresses)")
        decoded += c.times.count
    }
    let recovery = reader.recover()
    require(recovery.chunks.reduce(0) { $0 + $1.times.count } == decoded, "recover() disagrees with readChunk")
    _ = recovery.events(using: reader)
    // Seek: a window between the first and last chunk times (derived from the input's last bytes).
    if let first = reader.chunks.first?.firstTime, let last = reader.chunks.last?.lastTime, last >= first {
        let span = UInt64(bitPattern: last &- first)
        let k = UInt64(input.last ?? 0) &+ 1
        let from = first &+ Int64(bitPattern: span / 256 &* min(k, 255))
        var it = reader.events(from: from, to: last).makeIterator()
        while let e = it.next() {
            require(e.time >= from && e.time < last, "event at \(e.time) outside [\(from), \(last))")
            require(e.population >= 0 && e.population < reader.header.populations.count, "population \(e.population)")
        }
    }
    _ = reader.chunkRange(from: Int64.min, to: Int64.max)
    _ = reader.chunkRange(from: Int64.max, to: Int64.min)
    // Damage accounting (issue #22): lost spans from the open issues and the header, each chunk that
    // failed above; then the recorded-run metadata, validated before any arithmetic uses it.
    for span in reader.lostSpans() { _ = span.overlaps(start: .min, end: .max); _ = span.description }
    for i in reader.chunks.indices {
        if case .failure(let e as TraceError) = Result(catching: { try reader.readChunk(i) }) { _ = reader.lostSpan(chunk: i, error: e) }
    }
    if let run = RecordedRun.decode(metadata: reader.header.metadata), run.validationProblem() == nil {
        // What a validated run promises: every slice k·stride + stride fits in Int64.
        for (k, inf) in run.inferences.enumerated() {
            require(inf.startPicoseconds == Int64(k) &* run.stridePicoseconds, "inference \(k) start")
            require(!inf.startPicoseconds.addingReportingOverflow(run.stridePicoseconds).overflow, "inference \(k) overflows")
        }
    }
}

/// Entry point SwiftPM links as `main` (see CFuzzDriver.h): hands over to libFuzzer.
@_cdecl("FuzzTraceReader_main")
public func fuzzTraceReaderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    spikebar_fuzz_main(argc, argv)
}
