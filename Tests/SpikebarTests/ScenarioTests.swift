import Foundation
import Testing
import SpikebarCore
import SpikebarScenario
import SpikebarData
import SpikebarPipeline
import SpikebarTestSupport

/// Malformed scenarios: an error naming file:line and the key path, never a crash.
@Suite struct ScenarioTests {
    let base = """
        seed: 3
        network:
          input: 4
          layers:
            - {name: out, size: 2}
        neurons:
          tau_mem: 20e-3
          tau_syn: 5e-3
        input:
          source: uniform
          window: 0.01
        """

    func error(_ text: String) -> SpikebarError? {
        do { _ = try ScenarioLoader.load(text: text, path: "bad.yaml"); return nil } catch let e as SpikebarError { return e } catch { return nil }
    }

    @Test func validBaseLoads() throws {
        let l = try ScenarioLoader.load(text: base, path: "ok.yaml")
        #expect(l.scenario.name == "ok")
        #expect(l.scenario.network.layers[0].size == 2)
    }

    /// `weights.synapse_gains` replaces every other source of the DPI gains (one rule,
    /// `Scenario.synapseGains(file:)`); a wrong count or a non-positive gain names the key.
    @Test func synapseGainsOverrideAndAreChecked() throws {
        let ok = try ScenarioLoader.load(text: base + "\nweights: { synapse_gains: [2.5] }", path: "ok.yaml").scenario
        #expect(ok.synapseGains(file: [9]).gains == [2.5])
        #expect(ok.synapseGains(file: [9]).source.contains("weights.synapse_gains"))
        let plain = try ScenarioLoader.load(text: base, path: "ok.yaml").scenario
        #expect(plain.synapseGains(file: [9]).gains == [9])
        #expect(plain.synapseGains(file: nil).gains == [plain.lifNeurons.synapseGain])
        for bad in ["[1, 2]", "[0]", "[]"] {
            let e = try #require(error(base + "\nweights: { synapse_gains: \(bad) }"))
            #expect(e.description.contains("synapse_gains") || e.description.contains("weights"), "\(e)")
        }
    }

    @Test func unknownKeyNamesLineAndPath() throws {
        let e = try #require(error(base.replacingOccurrences(of: "  tau_syn: 5e-3", with: "  tau_syn: 5e-3\n  tau_sin: 4e-3")))
        guard case let .invalidInput(loc, msg) = e else { Issue.record("\(e)"); return }
        #expect(loc.file == "bad.yaml")
        #expect(loc.line == 9)
        #expect(loc.keyPath == "neurons.tau_sin")
        #expect(msg.contains("unknown key"))
        #expect(e.description.hasPrefix("bad.yaml:9"))
    }

    /// `? [a, b]: x` is a mapping key YAML allows but a scenario cannot mean: refused at its line, not
    /// ignored (issue #22, class 8).
    @Test func complexKeysAreRefusedAtTheirLine() throws {
        for key in ["? [tau_mem, tau_syn]\n  : 1", "? {tau: 1}\n  : 2"] {
            let e = try #require(error(base.replacingOccurrences(of: "  tau_syn: 5e-3", with: "  tau_syn: 5e-3\n  " + key)))
            guard case let .invalidInput(loc, msg) = e else { Issue.record("\(e)"); continue }
            #expect(loc.line == 9, "\(e)")
            #expect(msg.contains("plain name"))
        }
    }

    /// A weights file written for another network of the same shape (other layer names) is refused,
    /// naming the connection (issue #22, class 8).
    @Test func weightsFileNamesMustBeTheNetworks() throws {
        let dir = try freshTemporaryDirectory("weights-names")
        let file = dir.appendingPathComponent("w.json")
        let json =
            #"{"format":"spikebar-weights","version":1,"connections":[{"from":"input","to":"hidden","recurrent":false,"inputs":4,"outputs":2,"values":[0,0,0,0,0,0,0,0]}]}"#
        try json.write(to: file, atomically: true, encoding: .utf8)
        let text = base + "\nweights: {source: file, file: \(file.path)}\n"
        let e = try #require(
            error(text).map { $0 }
                ?? {
                    do { _ = try Simulation(loaded: try ScenarioLoader.load(text: text, path: "bad.yaml")); return nil } catch let e as SpikebarError
                    { return e } catch { return nil }
                }())
        #expect(e.description.contains("'hidden'") && e.description.contains("'out'"), "\(e)")
        // The same file with the network's names loads.
        try json.replacingOccurrences(of: "\"hidden\"", with: "\"out\"").write(to: file, atomically: true, encoding: .utf8)
        _ = try Simulation(loaded: try ScenarioLoader.load(text: text, path: "ok.yaml"))
    }

    @Test func wrongTypeNamesLineAndPath() throws {
        let e = try #require(error(base.replacingOccurrences(of: "input: 4", with: "input: four")))
        guard case let .invalidInput(loc, _) = e else { Issue.record("\(e)"); return }
        #expect(loc.line == 3)
        #expect(loc.keyPath == "network.input")
    }

    @Test func negativeTimeConstantNamesLineAndPath() throws {
        let e = try #require(error(base.replacingOccurrences(of: "tau_mem: 20e-3", with: "tau_mem: -20e-3")))
        guard case let .invalidInput(loc, msg) = e else { Issue.record("\(e)"); return }
        #expect(loc.line == 7)
        #expect(loc.keyPath == "neurons.tau_mem")
        #expect(msg.contains("out of range"))
    }

    @Test func missingInputFileNamesLineAndPath() throws {
        let text = base.replacingOccurrences(of: "input:\n  source: uniform", with: "input:\n  source: mnist\n  file: nowhere/images.idx")
            .replacingOccurrences(of: "input: 4", with: "input: 784")
        let e = try #require(error(text))
        guard case let .missingFile(path, from, _) = e else { Issue.record("\(e)"); return }
        #expect(path.hasSuffix("nowhere/images.idx"))
        #expect(from?.line == 11)
        #expect(from?.keyPath == "input.file")
    }

    @Test func devicesDirectoriesAndFIFOsAreRefusedNotRead() throws {
        // /dev/zero would never end: a scenario, weights or data path naming it must be a clear error.
        for (path, what) in [("/dev/zero", "a device"), ("/dev/null", "a device"), (NSTemporaryDirectory(), "a directory")] {
            do {
                _ = try ScenarioLoader.load(path: path)
                Issue.record("\(path) loaded")
            } catch let e as SpikebarError {
                guard case let .invalidInput(loc, msg) = e else { Issue.record("\(e)"); continue }
                #expect(loc.file == path && msg.contains(what) && msg.contains("not a regular file"), "\(e)")
            }
        }
        #expect(throws: SpikebarError.self) { try InputFile.read("/dev/urandom", hint: "an IDX file") }
    }

    @Test func inputTimeResolutionIsValidatedAndRoundsSpikes() throws {
        let ok = base.replacingOccurrences(of: "  window: 0.01", with: "  window: 0.01\n  time_resolution: 1e-6")
        let l = try ScenarioLoader.load(text: ok, path: "ok.yaml")
        #expect(l.scenario.input.timeResolution == 1e-6)
        for bad in ["0.5e-12", "1.5e-12", "0.02", "-1e-6"] {
            let e = try #require(error(base.replacingOccurrences(of: "  window: 0.01", with: "  window: 0.01\n  time_resolution: \(bad)")), "\(bad)")
            guard case let .invalidInput(loc, _) = e else { Issue.record("\(e)"); continue }
            #expect(loc.keyPath == "input.time_resolution" && loc.line == 12, "\(bad): \(e)")
        }
        // The encoder rounds each spike of the same random stream to the nearest µs: every time is a
        // multiple of 10⁶ ps and within 0.5 µs of its continuous-time (1 ps) counterpart.
        let intensities = (0..<50).map { Double($0) / 49 }
        let exact = PoissonEncoder(maxRate: 200, window: 0.1, seed: 9).encode(intensities, sample: 3)
        let us = PoissonEncoder(maxRate: 200, window: 0.1, seed: 9, resolution: 1e-6).encode(intensities, sample: 3)
        #expect(us.times.allSatisfy { $0 % 1_000_000 == 0 })
        var byChannel: [Int32: [Int64]] = [:], byChannelUs: [Int32: [Int64]] = [:]
        for (t, c) in zip(exact.times, exact.channels) { byChannel[c, default: []].append(t) }
        for (t, c) in zip(us.times, us.channels) { byChannelUs[c, default: []].append(t) }
        for (c, ts) in byChannel {
            let r = byChannelUs[c] ?? []
            #expect(r.count == ts.count || (r.count == ts.count - 1 && ts.last! >= 99_999_500_000), "channel \(c)")
            for (a, b) in zip(ts.sorted(), r.sorted()) { #expect(abs(a - b) <= 500_000, "channel \(c): \(a) vs \(b)") }
        }
    }

    @Test func sequenceIndexInKeyPath() throws {
        let e = try #require(error(base.replacingOccurrences(of: "{name: out, size: 2}", with: "{name: out, size: 2, colour: red}")))
        guard case let .invalidInput(loc, _) = e else { Issue.record("\(e)"); return }
        #expect(loc.keyPath == "network.layers[0].colour")
        #expect(loc.line == 5)
    }

    @Test func badEnumListsChoices() throws {
        let e = try #require(error(base + "\nsimulation: {timing: grdi}"))
        #expect(e.description.contains("exact, grid"))
        #expect(e.description.contains("simulation.timing"))
    }

    @Test func yamlSyntaxErrorHasLine() throws {
        let e = try #require(error(base + "\nneurons: [unclosed"))
        guard case let .invalidInput(loc, _) = e else { Issue.record("\(e)"); return }
        #expect(loc.line != nil)
    }

    @Test func missingRequiredKey() throws {
        let e = try #require(error("seed: 1\ninput: {source: uniform}\n"))
        #expect(e.description.contains("network"))
    }

    @Test func bundledScenariosAreValid() throws {
        let dir = packageRoot().appendingPathComponent("Scenarios")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }
        #expect(!files.isEmpty)
        // Training scenarios name the weights file `spikebar train` writes: it need not exist yet.
        for f in files { _ = try ScenarioLoader.load(path: dir.appendingPathComponent(f).path, requireWeightsFile: false) }
    }
}
