// swift-tools-version:6.0
// Spikebar — event-driven simulator of spiking networks on RRAM crossbar tiles.
// Module cut and data flow: Docs/architecture.md.
import PackageDescription

let package = Package(
    name: "Spikebar",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "spikebar", targets: ["spikebar"]),
        .library(
            name: "Spikebar",
            targets: [
                "SpikebarCore", "SpikebarDevices", "SpikebarNeurons", "SpikebarActivity", "SpikebarCost", "SpikebarScenario",
                "SpikebarChip", "SpikebarKernel", "SpikebarData", "SpikebarReport", "SpikebarTrace", "SpikebarPipeline",
                "SpikebarTwin", "SpikebarExperiments", "SpikebarNIR", "SpikebarNIRMapping", "SpikebarBenchmarks",
            ]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        // Debian's libzstd-dev; `make` installs it when missing.
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // Debian's zlib1g-dev: gunzip of the official MNIST files; `make deps` installs it when missing.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Debian's libhdf5-dev: NIR graphs (.nir files are HDF5); `make deps` installs it when missing.
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial", providers: [.apt(["libhdf5-dev"])]),
        .target(name: "SpikebarCore"),
        // Device physics: RRAM cells, levels, programming, drift, noise, faults, parasitics (Docs/devices.md).
        .target(name: "SpikebarDevices", dependencies: ["SpikebarCore"]),
        // Neuron models behind one contract (`SpikingNeuronModel`, Docs/neurons.md): LIF + DPI, MIF.
        .target(name: "SpikebarNeurons", dependencies: ["SpikebarCore"]),
        .target(name: "SpikebarActivity", dependencies: ["SpikebarCore"]),
        .target(name: "SpikebarCost", dependencies: ["SpikebarCore", "SpikebarActivity", "SpikebarNeurons"]),
        // Datasets and encoders; N-MNIST recordings are decoded by SpikebarTrace's importer (one copy of the format).
        .target(name: "SpikebarData", dependencies: ["SpikebarCore", "SpikebarTrace", "CZlib"]),
        // The chip and its specs (network, tiles, neurons' spread): no scenario schema, no YAML, no prices.
        .target(name: "SpikebarChip", dependencies: ["SpikebarCore", "SpikebarDevices", "SpikebarNeurons"]),
        .target(
            name: "SpikebarKernel",
            dependencies: [
                "SpikebarCore", "SpikebarDevices", "SpikebarNeurons", "SpikebarChip", "SpikebarActivity",
                .product(name: "HeapModule", package: "swift-collections"),
            ]),
        .target(name: "SpikebarTrace", dependencies: ["SpikebarCore", "CZstd"]),
        // NIR graphs (Docs/nir.md): reader and time-stepped reference execution.
        // NIR graphs: the file, the time-stepped reference program and its event-driven exact run, whose
        // CubaLIF threshold crossings are the kernel's (LIFDynamics).
        .target(
            name: "SpikebarNIR",
            dependencies: ["SpikebarCore", "SpikebarNeurons", "CHDF5", .product(name: "HeapModule", package: "swift-collections")]),
        // The differentiable time-stepped twin and the one trainer of every differentiable model (Docs/twin.md):
        // never imports the kernel.
        .target(name: "SpikebarTwin", dependencies: ["SpikebarCore", "SpikebarDevices", "SpikebarNeurons", "SpikebarChip"]),
        // The scenario schema: composes the chip's, the twin's and the cost models' specs; the only YAML reader.
        .target(
            name: "SpikebarScenario",
            dependencies: [
                "SpikebarCore", "SpikebarDevices", "SpikebarNeurons", "SpikebarChip", "SpikebarTwin", "SpikebarCost", "SpikebarNIR",
                .product(name: "Yams", package: "Yams"),
            ]),
        .target(name: "SpikebarReport", dependencies: ["SpikebarCore", "SpikebarActivity", "SpikebarCost"]),
        // Wiring of the data flow: scenario → chip → kernel → activity → cost models → report.
        .target(
            name: "SpikebarPipeline",
            dependencies: [
                "SpikebarCore", "SpikebarDevices", "SpikebarNeurons", "SpikebarActivity", "SpikebarCost", "SpikebarScenario",
                "SpikebarChip", "SpikebarKernel", "SpikebarData", "SpikebarReport", "SpikebarTwin", "SpikebarTrace",
                "SpikebarNIR", "SpikebarNIRMapping",
            ]),
        // Experiments over the running path: one durable results log for every unit-wise experiment
        // (design-space sweeps, chip transfers and Monte-Carlo), fault-aware retraining, twin-vs-chip
        // evaluation, robustness, scenario comparison.
        .target(
            name: "SpikebarExperiments",
            dependencies: [
                "SpikebarCore", "SpikebarDevices", "SpikebarActivity", "SpikebarCost", "SpikebarScenario", "SpikebarChip",
                "SpikebarKernel", "SpikebarData", "SpikebarReport", "SpikebarTwin", "SpikebarPipeline",
            ]),
        // The benchmarks' workloads and timing loops (`spikebar bench …`), and the peer workload export.
        .target(
            name: "SpikebarBenchmarks",
            dependencies: [
                "SpikebarCore", "SpikebarDevices", "SpikebarNeurons", "SpikebarActivity", "SpikebarCost", "SpikebarScenario",
                "SpikebarChip", "SpikebarKernel", "SpikebarData", "SpikebarTwin", "SpikebarPipeline",
            ]),
        // NIR graphs on the chip (Docs/nir.md): conv mappings and pricing, device programming, N-MNIST evaluation, export.
        .target(
            name: "SpikebarNIRMapping",
            dependencies: [
                "SpikebarCore", "SpikebarDevices", "SpikebarNeurons", "SpikebarActivity", "SpikebarCost", "SpikebarChip",
                "SpikebarData", "SpikebarTrace", "SpikebarNIR", "SpikebarTwin",
            ]),
        .executableTarget(
            name: "spikebar",
            dependencies: [
                "SpikebarCore", "SpikebarDevices", "SpikebarNeurons", "SpikebarActivity", "SpikebarCost", "SpikebarScenario",
                "SpikebarChip", "SpikebarKernel", "SpikebarData", "SpikebarReport", "SpikebarTrace", "SpikebarPipeline",
                "SpikebarTwin", "SpikebarExperiments", "SpikebarNIR", "SpikebarNIRMapping", "SpikebarBenchmarks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(
            name: "SpikebarTests",
            dependencies: [
                "SpikebarCore", "SpikebarDevices", "SpikebarNeurons", "SpikebarActivity", "SpikebarCost", "SpikebarScenario",
                "SpikebarChip", "SpikebarKernel", "SpikebarData", "SpikebarReport", "SpikebarPipeline", "SpikebarTrace",
                "SpikebarTwin", "SpikebarExperiments", "SpikebarBenchmarks", "SpikebarTestSupport",
                "spikebar",  // built so that CLI tests can run it
            ]),
        // What the test targets share (scenarios from YAML, the package root, the CLI, small test chips); no pipeline.
        .target(
            name: "SpikebarTestSupport",
            dependencies: ["SpikebarCore", "SpikebarDevices", "SpikebarData", "SpikebarScenario", "SpikebarChip"],
            path: "Tests/SpikebarTestSupport"),
        // Test targets per module where it shortens the build: each links only what it tests.
        .testTarget(name: "SpikebarCostTests", dependencies: ["SpikebarCost", "SpikebarActivity", "SpikebarCore"]),
        .testTarget(name: "SpikebarDevicesTests", dependencies: ["SpikebarDevices", "SpikebarCore"]),
        .testTarget(name: "SpikebarNeuronsTests", dependencies: ["SpikebarNeurons", "SpikebarDevices", "SpikebarCore"]),
        .testTarget(name: "SpikebarTraceTests", dependencies: ["SpikebarTrace", "SpikebarCore", "CZstd"]),
        .testTarget(
            name: "SpikebarTwinTests",
            dependencies: [
                "SpikebarTwin", "SpikebarNeurons", "SpikebarCore", "SpikebarDevices", "SpikebarChip", "SpikebarScenario",
                "SpikebarTestSupport",
            ]),
        // The event kernel against closed forms, an eager reference, the grid engine and the twin: no pipeline.
        .testTarget(
            name: "SpikebarKernelTests",
            dependencies: [
                "SpikebarKernel", "SpikebarChip", "SpikebarScenario", "SpikebarNeurons", "SpikebarDevices", "SpikebarData",
                "SpikebarActivity", "SpikebarCost", "SpikebarTwin", "SpikebarCore", "SpikebarTestSupport",
            ]),
        .testTarget(
            name: "SpikebarNIRTests",
            dependencies: [
                "SpikebarNIR", "SpikebarNIRMapping", "SpikebarCore", "SpikebarPipeline", "SpikebarActivity", "SpikebarCost",
                "SpikebarTrace",
                "SpikebarScenario", "SpikebarChip", "SpikebarKernel", "SpikebarDevices", "SpikebarExperiments", "SpikebarTwin",
                "SpikebarNeurons", "SpikebarTestSupport",
            ]),
    ],
    swiftLanguageModes: [.v5]
)
