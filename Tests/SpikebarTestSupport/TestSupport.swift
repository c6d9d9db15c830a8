import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarData
import SpikebarScenario

// Helpers shared by the test targets (issue #17: tests follow modules): scenarios from YAML, the
// package root, the CLI, the small chips of the kernel and gradient tests. No pipeline: the kernel's and
// the twin's tests link only the modules they test.

/// Builds scenarios from YAML text for tests (through the public loader, as users do).
public func scenario(_ yaml: String, path: String = "/tmp/spikebar-test.yaml") throws -> LoadedScenario {
    try ScenarioLoader.load(text: yaml, path: path)
}

/// A small network scenario with exact device behaviour (no programming error, no read noise,
/// homogeneous neurons) unless overridden.
public func tinyScenarioYAML(
    input: Int = 1, layers: String = "[{name: out, size: 1}]", gain: Double = 1,
    extraNeurons: String = "", device: String = "programming_error: 0, read_noise: 0",
    tauCV: Double = 0
) -> String {
    """
    seed: 7
    network: {input: \(input), layers: \(layers)}
    neurons: {tau_mem: 20e-3, tau_syn: 5e-3, threshold: 1.0, reset: 0.0, refractory: 2e-3, membrane_resistance: 2e9, synapse_gain: \(gain)\(extraNeurons)}
    heterogeneity: {tau_cv: \(tauCV)}
    device: {levels: 8, g_min: 10e-6, g_max: 100e-6, read_voltage: 0.1, read_pulse: 100e-9, \(device)}
    weights: {source: generated, target_rate: 0}
    input: {source: uniform, max_rate: 0, window: 0.05, samples: 1}
    simulation: {timing: exact, dt: 1e-3}
    """
}

/// Path of the `spikebar` executable built next to the test bundle.
public func spikebarExecutable() -> String? {
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var dir = exe.deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("spikebar").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return nil
}

/// Runs the CLI; returns exit status and standard error.
/// `directory`: the working directory (default: the test process's).
public func runCLI(_ args: [String], in directory: URL? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    guard let exe = spikebarExecutable() else { return (-1, "", "spikebar executable not found") }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    if let directory { p.currentDirectoryURL = directory }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out; p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// Directory of the package (tests run from it under `swift test`).
public func packageRoot() -> URL {
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
        dir = dir.deletingLastPathComponent()
    }
    return dir
}

/// A 40-input, two-layer test chip (heterogeneous τ, small programming error, no read noise) with
/// generated weights that make it fire, and 0.2 s of 150 Hz Poisson input on every channel: the
/// workload of the replay and reference tests.
public func twoLayerTestChip(hidden: Int, out: Int, recurrent: Bool) throws -> (chip: Chip, input: SpikeList) {
    let yaml = tinyScenarioYAML(
        input: 40, layers: "[{name: hidden, size: \(hidden), recurrent: \(recurrent)}, {name: out, size: \(out)}]",
        gain: 30, device: "programming_error: 2e-6, read_noise: 0", tauCV: 0.3)
    let s = try scenario(yaml).scenario
    let plan = Chip.connectionPlan(network: s.network)
    let sizes = [40, hidden, out]
    let w = plan.enumerated().map { k, p in
        WeightMatrix.generated(inputs: sizes[p.from], outputs: sizes[p.to], mean: p.recurrent ? -0.05 : 0.25, std: 0.5, seed: 11, connection: k)
    }
    let input = PoissonEncoder(maxRate: 150, window: 0.2, seed: 5).encode(Array(repeating: 1, count: 40), sample: 0)
    return (try Chip(scenario: s, weights: w), input)
}

/// An empty temporary folder for one test, `spikebar-<name>-<pid>` (removed first if left over).
public func freshTemporaryDirectory(_ name: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikebar-\(name)-\(getpid())")
    try? FileManager.default.removeItem(at: dir)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// The 6-5-3 network (hidden layer optionally recurrent, heterogeneous τ, no refractory period, generated
/// weights) the gradient checks differentiate through: the scenario and its weight matrices.
public func gradientCheckNetwork(recurrent: Bool) throws -> (Scenario, [WeightMatrix]) {
    let yaml = tinyScenarioYAML(
        input: 6, layers: "[{name: hidden, size: 5, recurrent: \(recurrent)}, {name: out, size: 3}]",
        gain: 40, extraNeurons: "", tauCV: 0.3
    )
    .replacingOccurrences(of: "refractory: 2e-3", with: "refractory: 0")
    let s = try scenario(yaml).scenario
    let sizes = [6, 5, 3]
    let w = Chip.connectionPlan(network: s.network).enumerated().map { k, p in
        WeightMatrix.generated(inputs: sizes[p.from], outputs: sizes[p.to], mean: 0.1, std: 0.5, seed: 3, connection: k)
    }
    return (s, w)
}
