import Foundation
import SpikebarCore
import SpikebarTrace

/// N-MNIST recordings (Orchard et al. 2015, Front. Neurosci. 9:437) as labelled spike lists for the
/// twin and the kernel: a folder of `<id>.bin` files and a label list (`<id>\t<label>` lines after a
/// header), as in `../shared/data/nmnist-subset/` (`train1K.txt`: ids 1…1000, `test100.txt`: 60001…60100).
/// Events are decoded by `SpikebarTrace.NMNISTImporter` (one copy of the format); channel =
/// `(polarity · 34 + y) · 34 + x` (2312 channels), time = the recording's µs timestamps.
public enum NMNISTSubset {
    /// Input channels of a recording: 2 polarities × 34 × 34.
    public static let channels = 2 * NMNISTImporter.height * NMNISTImporter.width
    public static let howToObtain = """
        N-MNIST recordings (<id>.bin) and label lists (train1K.txt, test100.txt) belong in <data>/nmnist-subset/, \
        where <data> is the scenario's training.data, else $SPIKEBAR_DATA, else ../shared/data next to the checkout; \
        the full dataset: https://www.garrickorchard.com/datasets/n-mnist (Orchard et al. 2015; `spikebar data fetch nmnist` explains the layout)
        """

    public static func load(directory: String, labelFile: String, limit: Int) throws -> (spikes: [SpikeList], labels: [Int]) {
        let dir = directory + "/nmnist-subset"
        let listPath = dir + "/" + labelFile
        guard let text = try? String(contentsOfFile: listPath, encoding: .utf8) else {
            throw SpikebarError.missingFile(path: listPath, referencedFrom: nil, hint: howToObtain)
        }
        var entries: [(id: Int, label: Int)] = []
        for (n, line) in text.split(whereSeparator: \.isNewline).enumerated()
        where !line.hasPrefix("#") && !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let parts = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard parts.count >= 2, let id = Int(parts[0]), let label = Int(parts[1]), (0...9).contains(label) else {
                throw SpikebarError.invalidInput(SourceLocation(file: listPath, line: n + 1), "expected '<id> <label 0…9>', found '\(line)'")
            }
            entries.append((id, label))
            if entries.count == limit { break }
        }
        var spikes: [SpikeList] = []
        for e in entries {
            let path = "\(dir)/\(e.id).bin"
            let data = try InputFile.read(path, hint: howToObtain, referencedFrom: SourceLocation(file: listPath))
            let events: [NMNISTImporter.RawEvent]
            do { events = try NMNISTImporter.decodeRaw(data: [UInt8](data), path: path) } catch {
                throw SpikebarError.corruptFile(path: path, offset: 0, "\(error); download the recording again")
            }
            spikes.append(
                SpikeList(
                    unsorted: events.map {
                        (Int64($0.timestampMicroseconds) * 1_000_000, Int32(NMNISTImporter.index(x: $0.x, y: $0.y, polarity: $0.polarity)))
                    }))
        }
        return (spikes, entries.map(\.label))
    }
}
