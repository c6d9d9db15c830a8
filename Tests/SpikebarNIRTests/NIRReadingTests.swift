import Foundation
import SpikebarNIR
import Testing

/// Reading `.nir` files: the shipped graphs (0.1.1 and 0.2.0 layouts), the nir 1.0 gzip fixtures of
/// `Tests/Fixtures/nir/make_fixtures.py`, and malformed files.
struct NIRReadingTests {
    /// libhdf5 opens the path itself: a FIFO (which would block it), a directory or a missing file is
    /// refused by name before it is asked.
    @Test func nonRegularFilesAreRefusedNotOpened() throws {
        let dir = NSTemporaryDirectory() + "spikebar-nir-fifo-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fifo = dir + "/graph.nir"
        #expect(mkfifo(fifo, 0o600) == 0)
        for (path, why) in [(fifo, "a FIFO"), (dir, "a directory"), (dir + "/missing.nir", "not found")] {
            let e = #expect(throws: NIRError.self) { try NIRGraph.read(path: path) }
            #expect(e?.description.contains(why) == true, "\(path): \(String(describing: e))")
        }
    }

    @Test func sinabsCNN() throws {
        let g = try NIRGraph.read(path: fixture("cnn_sinabs.nir"))
        #expect(g.version == "0.2.0")
        #expect(g.nodes.count == 15 && g.edges.count == 14)
        guard case let .convolution(c0)? = g.nodes["0"], case let .neuron(if1)? = g.nodes["1"],
            case let .pooling(p4)? = g.nodes["4"], case let .flatten(s, e, shape)? = g.nodes["8"],
            case let .affine(w9, b9)? = g.nodes["9"], case let .input(inShape)? = g.nodes["input"]
        else {
            Issue.record("node kinds: \(g.nodes.mapValues(\.typeName))"); return
        }
        #expect(c0.weight.shape == [16, 2, 5, 5] && c0.stride == [2, 2] && c0.padding == [1, 1] && c0.inputSpatial == [34, 34])
        #expect(if1.model == .integrateAndFire && if1.shape == [16, 16, 16] && if1.vThreshold?.allSatisfy { $0 == 1 } == true)
        #expect(if1.vReset.allSatisfy { $0 == 0 })  // absent in 0.2.0 files: NIR's default 0
        #expect(p4.kernel == [2, 2] && p4.stride == [2, 2] && !p4.average)
        #expect(s == 0 && e == -1 && shape == [8, 4, 4])
        #expect(w9.shape == [256, 128] && b9.count == 256)
        #expect(inShape == [2, 34, 34])
        #expect(g.sortedNames.prefix(3) == ["0", "1", "2"])
    }

    @Test func oldLayoutAndTwoNeurons() throws {
        let norse = try NIRGraph.read(path: fixture("lif_norse.nir"))
        #expect(norse.version == "0.1.1")
        guard case let .neuron(n)? = norse.nodes["1"] else { Issue.record("no LIF"); return }
        #expect(n.model == .lif && n.tauMem == [Double(Float(0.0025))] && n.vThreshold == [Double(Float(0.1))])
        let two = try NIRGraph.read(path: fixture("two_lif_neurons.nir"))
        guard case let .neuron(l1)? = two.nodes["lif1"] else { Issue.record("no lif1"); return }
        #expect(l1.vLeak == [1.2] && l1.tauMem == [0.01])
    }

    @Test func shippedSubgraphHasDanglingEdges() {
        // snnTorch's export names the inner node `lif` in the edges and `lif1` in the nodes (nir 1.0.8 rejects it too).
        let e = expectError { _ = try NIRGraph.read(path: fixture("braille_noDelay_bias_zero_subgraph.nir")) }
        #expect(
            e?.node == "lif1.lif" && e?.reason.contains("dangling edge") == true && e?.reason.contains("lif1") == true, "\(String(describing: e))")
    }

    @Test func nestedSubgraphWithCycle() throws {
        let g = try NIRGraph.read(path: fixture("braille_subgraph_repaired.nir"))
        guard case let .graph(sub)? = g.nodes["lif1"] else { Issue.record("lif1 is not a subgraph"); return }
        #expect(sub.nodes.count == 4)
        #expect(sub.edges.contains(NIREdge("lin", "lif1")) && sub.edges.contains(NIREdge("lif1", "lin")))
        guard case let .neuron(c)? = sub.nodes["lif1"] else { Issue.record("no CubaLIF"); return }
        #expect(c.model == .cubaLIF && c.count == 38 && c.tauSyn != nil && c.wIn.count == 38)
    }

    @Test func gzipAndPlainReadTheSame() throws {
        let gz = try NIRGraph.read(path: fixture("nested_cycle_gzip.nir"))
        let plain = try NIRGraph.read(path: fixture("nested_cycle_plain.nir"))
        #expect(gz == plain)
        #expect(gz.version == "1.0.8")
        guard case let .graph(sub)? = gz.nodes["sub"], case let .linear(rec)? = sub.nodes["rec"] else { Issue.record("layout"); return }
        #expect(rec.values == [0, -0.5, 0.25, 0])
    }

    @Test func everyNodeKind() throws {
        let g = try NIRGraph.read(path: fixture("kinds_gzip.nir"))
        guard case let .convolution(c1)? = g.nodes["conv1"], case let .convolution(c2)? = g.nodes["conv2"],
            case let .pooling(avg)? = g.nodes["avg"], case let .pooling(sum)? = g.nodes["sum"],
            case let .flatten(s, e, fshape)? = g.nodes["flat"], case let .scale(scale)? = g.nodes["scale"],
            case let .threshold(thr)? = g.nodes["thr"], case let .delay(delay)? = g.nodes["delay"],
            case let .neuron(li)? = g.nodes["li"], case let .neuron(integ)? = g.nodes["integ"],
            case let .neuron(lif)? = g.nodes["lif"], case let .neuron(culi)? = g.nodes["culi"]
        else {
            Issue.record("kinds: \(g.nodes.mapValues(\.typeName))"); return
        }
        #expect(c1.spatialRank == 1 && c1.padding == [1] && c1.paddingAfter == [1] && c1.bias == [0.1, 0.2] && c1.weight.values[5] == 5)
        #expect(c2.spatialRank == 2 && c2.padding == [0, 0] && c2.groups == 2 && c2.stride == [2, 2] && c2.inputSpatial == [4, 4])
        #expect(avg.average && avg.kernel == [2, 2] && avg.stride == [1, 1])
        #expect(!sum.average && sum.kernel == [3, 3] && sum.padding == [1, 1])
        #expect(s == 0 && e == -1 && fshape == [4, 2, 2])
        #expect(scale == [2, -1] && thr == [0.5, 0.25] && delay == [1e-3, 2e-3])
        #expect(li.model == .leakyIntegrator && li.vLeak == [0, 0.1] && li.vThreshold == nil)
        #expect(integ.model == .integrator && integ.r == [3, 4])
        #expect(lif.vReset == [-0.5, 0])
        #expect(culi.model == .cubaLI && culi.wIn == [2, 2] && culi.tauSyn == [1e-3, 1e-3])
        #expect(
            g.nodes.values.map(\.typeName).sorted() == [
                "AvgPool2d", "Conv1d", "Conv2d", "CubaLI", "Delay", "Flatten", "I", "Input", "LI", "LIF", "Output", "Scale", "SumPool2d", "Threshold",
            ])
    }

    @Test func malformedFilesGiveClearErrors() {
        let cases: [(String, String, String, String)] = [
            ("bad_missing_weight.nir", "fc", "weight", "missing dataset"),
            ("bad_wrong_shape.nir", "sub.lif", "tau_mem", "has 3 values"),
            ("bad_unknown_node.nir", "if", "type", "unsupported node type 'Spiky'"),
            ("bad_dangling_edge.nir", "nowhere", "edges", "dangling edge"),
            ("bad_not_hdf5.nir", "", "", "not an HDF5 file"),
            ("no_such_file.nir", "", "", "not found"),
        ]
        for (file, node, key, why) in cases {
            let e = expectError { _ = try NIRGraph.read(path: fixture(file)) }
            #expect(e?.node == node && e?.key == key, "\(file): \(String(describing: e))")
            #expect(e?.reason.contains(why) == true, "\(file): \(String(describing: e))")
            #expect(e?.file.hasSuffix(file) == true)
        }
    }

    @Test func truncatedFilesAreErrorsNotCrashes() throws {
        let original = try Data(contentsOf: URL(fileURLWithPath: fixture("nested_cycle_plain.nir")))
        let full = try NIRGraph.read(path: fixture("nested_cycle_plain.nir"))
        let dir = NSTemporaryDirectory() + "spikebar-nir-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var errors = 0
        for length in [0, 8, 100, 1000, original.count / 4, original.count / 2, original.count - 1000, original.count - 1] {
            let path = dir + "/cut\(length).nir"
            try original.prefix(length).write(to: URL(fileURLWithPath: path))
            do {
                let g = try NIRGraph.read(path: path)
                #expect(g == full, "a truncated file (\(length) bytes) read as a different graph")  // HDF5 may not need its tail
            } catch let e as NIRError {
                errors += 1
                #expect(e.file == path && !e.reason.isEmpty)
            }
        }
        #expect(errors >= 6)
    }

    @Test func everySharedGraphReads() throws {
        guard let dir = sharedData("nir") else { return }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".nir") }.sorted()
        #expect(files.count >= 7)
        for f in files where !f.contains("subgraph") {  // the subgraph file has dangling edges: shippedSubgraphHasDanglingEdges
            let g = try NIRGraph.read(path: dir + "/" + f)
            #expect(!g.nodes.isEmpty && !g.version.isEmpty, "\(f)")
            _ = try NIRProgram(graph: g, options: NIRRunOptions(dt: NIRRunOptions.defaultStep(for: g)), file: f)
        }
    }
}
