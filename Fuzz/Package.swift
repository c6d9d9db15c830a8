// swift-tools-version:6.0
// libFuzzer targets for Spikebar's input parsers (Docs/reliability.md). Built only by Fuzz/run.sh:
//   swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
// so the main package's `swift build` / `swift test` never see them. Each executable links libFuzzer's
// `main`, which calls the `LLVMFuzzerTestOneInput` that the target exports with `@_cdecl`.
import PackageDescription

let spikebar: Target.Dependency = .product(name: "Spikebar", package: "Spikebar")

let package = Package(
    name: "SpikebarFuzz",
    dependencies: [.package(name: "Spikebar", path: "..")],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzDriver"]),
        .executableTarget(name: "FuzzTraceReader", dependencies: [spikebar, "FuzzSupport"]),
        .executableTarget(name: "FuzzScenario", dependencies: [spikebar, "FuzzSupport"]),
        .executableTarget(name: "FuzzNMNIST", dependencies: [spikebar, "FuzzSupport"]),
        .executableTarget(name: "FuzzCSV", dependencies: [spikebar, "FuzzSupport"]),
        .executableTarget(name: "FuzzDeviceTable", dependencies: [spikebar, "FuzzSupport"]),
        .executableTarget(name: "FuzzCheckpoint", dependencies: [spikebar, "FuzzSupport"]),
        .executableTarget(name: "FuzzNIR", dependencies: [spikebar, "FuzzSupport"]),
        .executableTarget(name: "FuzzArchitecture", dependencies: [spikebar, "FuzzSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
