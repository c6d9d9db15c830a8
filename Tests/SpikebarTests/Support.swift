import Foundation
import SpikebarPipeline
import SpikebarScenario
import SpikebarTestSupport

/// The two-moons training setup of the in-situ tests: the hardware-aware scenario cut to 128 training and
/// 16 test points.
func smallTwoMoonsTrainingSetup() throws -> TrainingSetup {
    var l = try ScenarioLoader.load(
        path: packageRoot().appendingPathComponent("Scenarios/two-moons-hardware-aware.yaml").path,
        requireWeightsFile: false)
    l.scenario.training?.trainSamples = 128
    l.scenario.training?.testSamples = 16
    return try TrainingSetup(loaded: l)
}
