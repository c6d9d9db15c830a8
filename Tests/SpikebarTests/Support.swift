import Foundation
import SpikebarPipeline
import SpikebarScenario
import SpikebarTestSupport

/// `Scenarios/two-moons-hardware-aware.yaml` cut to `train` training and `test` test points.
func twoMoonsHardwareAware(train: Int, test: Int) throws -> LoadedScenario {
    var l = try ScenarioLoader.load(
        path: packageRoot().appendingPathComponent("Scenarios/two-moons-hardware-aware.yaml").path,
        requireWeightsFile: false)
    l.scenario.training?.trainSamples = train
    l.scenario.training?.testSamples = test
    return l
}

/// The two-moons training setup of the in-situ tests: the hardware-aware scenario cut to 128 training and
/// 16 test points.
func smallTwoMoonsTrainingSetup() throws -> TrainingSetup {
    try TrainingSetup(loaded: twoMoonsHardwareAware(train: 128, test: 16))
}
