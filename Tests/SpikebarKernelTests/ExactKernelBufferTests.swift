import Testing
import SpikebarChip
import SpikebarCore
@testable import SpikebarKernel

/// The exact mode's raw-buffer bookkeeping (issue #9): the per-tile FIFO of reads in progress (a ring
/// buffer that grows) and concurrency histogram, and the binary event heap, against closed-form counts.
@Suite struct ExactKernelBufferTests {
    static func state() throws -> (RunState, CompiledNetwork) {
        let c = try CrossbarKernelTests.chip(parasitics: nil)
        let net = CompiledNetwork(chip: c, readNoise: false)
        return (RunState(net: net, options: RunOptions(window: 0.01), noise: false), net)
    }

    /// Tiles read by row 0 of connection 0.
    static func tilesOfRowZero(_ net: CompiledNetwork) -> [Int] { net.connections[0].rowTiles[0] }

    @Test func simultaneousReadsCountEveryOverlapBeyondTheInitialBuffers() throws {
        var (st, net) = try Self.state()
        // 40 reads at the same time on rows of one block: the k-th finds k rows on (itself included), so
        // the histogram is 40 ones and the peak 40 — past the FIFO's first 16 slots and the histogram's 8.
        for k in 0..<40 { st.readTilesExact(0, row: k % 16, at: 5_000) }
        // A read once every pulse has ended finds only itself.
        st.readTilesExact(0, row: 0, at: 5_000 + net.readPulsePicoseconds)
        let tiles = st.result(timing: .exact).activity.tiles
        for k in Self.tilesOfRowZero(net) {
            #expect(tiles[k].concurrency == [2] + [Int](repeating: 1, count: 39))
            #expect(tiles[k].peakConcurrentRows == 40)
            #expect(tiles[k].rowReads == 41)
        }
    }

    @Test func staggeredReadsWrapTheRingBuffer() throws {
        var (st, net) = try Self.state()
        // Reads every quarter pulse: read i overlaps reads i−3…i, so after the first three each finds 4
        // rows on; 1 000 reads wrap the ring buffer many times.
        let pulse = net.readPulsePicoseconds
        #expect(pulse % 4 == 0)
        for i in 0..<1_000 { st.readTilesExact(0, row: i % 16, at: Int64(i) * pulse / 4) }
        let tiles = st.result(timing: .exact).activity.tiles
        for k in Self.tilesOfRowZero(net) {
            #expect(tiles[k].concurrency == [1, 1, 1, 997])
            #expect(tiles[k].peakConcurrentRows == 4)
        }
    }

}
