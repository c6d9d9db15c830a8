import ArgumentParser

/// `spikebar nir price FILE`: placeholder until the pricing lands (issue #18, point 3).
struct NIRPriceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "price", abstract: "Energy, latency and area of an NIR graph's run on every architecture (not yet).")
    @Argument(help: "The .nir file.") var file: String
    func run() throws { throw ValidationError("spikebar nir price is not implemented yet") }
}
