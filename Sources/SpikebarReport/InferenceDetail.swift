import SpikebarActivity
import SpikebarCore

/// What the charts of `report.html` show about the run beyond the per-inference totals: the spikes of one
/// inference (raster and rate per layer over time), the concurrent-active-rows histogram of every tile
/// over all inferences, the column-current distribution of one inference, and the decision times.
///
/// Part of `RunReport` (and so of `report.json`) so that every number the HTML shows is in the JSON too:
/// the HTML renderer only formats, it never recomputes anything that could disagree.
public struct InferenceDetail: Codable, Sendable, Equatable {
    /// The inference whose spikes were recorded (sample id).
    public var sample: Int
    /// Spikes of that inference, one entry per population (input first).
    public var raster: [PopulationRaster]
    /// Mean rate per neuron of each population in consecutive time bins of that inference.
    public var rates: RateOverTime
    /// Concurrent-active-rows histogram of every tile, summed over all inferences of the run.
    public var tileConcurrency: [TileConcurrency]
    /// Column currents at the onset of every row read of that inference (definition in `ColumnCurrents`).
    public var columnCurrents: ColumnCurrents

    public init(
        sample: Int, raster: [PopulationRaster], rates: RateOverTime, tileConcurrency: [TileConcurrency],
        columnCurrents: ColumnCurrents
    ) {
        self.sample = sample; self.raster = raster; self.rates = rates; self.tileConcurrency = tileConcurrency
        self.columnCurrents = columnCurrents
    }
}

/// Spike times and neuron indices of one population during one inference.
public struct PopulationRaster: Codable, Sendable, Equatable {
    public var name: String
    public var size: Int
    /// Spikes the population emitted (all of them, even when `times` is truncated).
    public var spikes: Int
    /// Times (s) and neuron indices of the first `times.count` spikes in time order. Truncated at
    /// `PopulationRaster.limit` spikes so that a long run keeps `report.json` and the SVG small.
    public var times: [Double]
    public var neurons: [Int]

    /// Most spikes kept per population.
    public static let limit = 20_000

    public init(name: String, size: Int, spikes: Int, times: [Double], neurons: [Int]) {
        self.name = name; self.size = size; self.spikes = spikes; self.times = times; self.neurons = neurons
    }
}

/// Mean firing rate per neuron (Hz) of each population in `bins` equal bins of the window.
public struct RateOverTime: Codable, Sendable, Equatable {
    /// Width of one bin (s).
    public var binWidth: Double
    /// `rates[p][b]`: population `p`'s spikes in bin `b` / (size · binWidth).
    public var rates: [[Double]]
    /// Population names, in the order of `rates`.
    public var populations: [String]

    public init(binWidth: Double, rates: [[Double]], populations: [String]) {
        self.binWidth = binWidth; self.rates = rates; self.populations = populations
    }
}

/// Concurrency histogram of one tile over all inferences.
public struct TileConcurrency: Codable, Sendable, Equatable {
    /// Index of the tile in the chip, and the layer of neurons it feeds.
    public var tile: Int
    public var layer: Int
    /// `counts[k]`: reads that found `k + 1` rows active on the tile (itself included), summed over
    /// every inference — `TileActivity.concurrency` added up.
    public var counts: [Int]
    /// Largest number of rows active at once in any inference.
    public var peak: Int

    public init(tile: Int, layer: Int, counts: [Int], peak: Int) {
        self.tile = tile; self.layer = layer; self.counts = counts; self.peak = peak
    }
}

/// Distribution of column currents during one inference.
///
/// Definition (Docs/kernel.md, "Column currents"): at the onset of every row read, every used column of
/// the read tile carries `I_c = V_read · Σ_r G_rc` over the rows `r` active on that tile at that moment —
/// the read row and every row whose read pulse `[t_r, t_r + t_read)` is still on (exact timing) or that was
/// read in the same step (grid timing) — with the programmed conductances `G` (read noise excluded). One
/// sample per (read, used column); histogram on log-spaced bins.
public struct ColumnCurrents: Codable, Sendable, Equatable {
    /// Number of (read, column) samples (the inference's cell reads).
    public var samples: Int
    /// 1 when every sample is in the histogram and the statistics; k when only every k-th one is (runs
    /// with more than `Simulation.columnCurrentSampleLimit` samples, to bound memory).
    public var stride: Int = 1
    /// Bin edges (A), `counts.count + 1` values, log-spaced.
    public var binEdges: [Double]
    public var counts: [Int]
    /// Statistics of the samples (A).
    public var mean: Double, p50: Double, p95: Double, max: Double
    /// Read voltage the currents were computed with (V).
    /// Why there are no samples, when the engine does not sample them (shown instead of the chart).
    public var notSampled: String? = nil
    public var readVoltage: Double

    public init(
        samples: Int, binEdges: [Double], counts: [Int], mean: Double, p50: Double, p95: Double, max: Double,
        readVoltage: Double
    ) {
        self.samples = samples; self.binEdges = binEdges; self.counts = counts; self.mean = mean; self.p50 = p50
        self.p95 = p95; self.max = max; self.readVoltage = readVoltage
    }

    /// Histograms `values` (A) on `bins` log-spaced bins between the smallest positive and the largest value.
    public init(values: [Double], readVoltage: Double, bins: Int = 40) {
        let positive = values.filter { $0 > 0 }.sorted()
        self.readVoltage = readVoltage
        samples = values.count
        let st = Statistics(values)
        mean = st.mean; p50 = st.p50; p95 = st.p95; max = st.max
        guard let lo = positive.first, let hi = positive.last else {
            binEdges = []; counts = []; return
        }
        // A range at least a factor 1.01 wide, so that identical currents still make one visible bin.
        let a = log10(lo), b = Swift.max(log10(hi), a + 0.005)
        binEdges = (0...bins).map { pow(10, a + (b - a) * Double($0) / Double(bins)) }
        var c = [Int](repeating: 0, count: bins)
        for v in positive {
            let k = Int(((log10(v) - a) / (b - a) * Double(bins)).rounded(.down))
            c[Swift.min(bins - 1, Swift.max(0, k))] += 1
        }
        counts = c
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
