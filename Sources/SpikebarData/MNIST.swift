import Foundation
import SpikebarCore

/// The MNIST database (LeCun, Cortes & Burges; http://yann.lecun.com/exdb/mnist/), official split:
/// 60,000 training and 10,000 test digits of 28 × 28 pixels. Reads the four official files, gzipped
/// (`train-images-idx3-ubyte.gz` …) or already decompressed (same names without `.gz`).
public struct MNIST: Sendable {
    public enum Split: String, Sendable { case train, test }
    public var images: IDXImages
    public var labels: [UInt8]

    /// Official file names of a split (without `.gz`).
    public static func fileNames(_ split: Split) -> (images: String, labels: String) {
        split == .train ? ("train-images-idx3-ubyte", "train-labels-idx1-ubyte") : ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    }

    public static let howToObtain = """
        the four official MNIST files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, \
        t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) belong in <data>/mnist/, where <data> is the \
        scenario's training.data, else $SPIKEBAR_DATA, else ../shared/data next to the checkout; \
        `spikebar data fetch mnist` downloads and verifies them (from https://yann.lecun.com/exdb/mnist/ or a \
        mirror such as https://storage.googleapis.com/cvdf-datasets/mnist/)
        """

    /// Loads a split from `<directory>/mnist/` (or `<directory>` itself when it holds the files).
    public init(directory: String, split: Split) throws {
        let names = MNIST.fileNames(split)
        func locate(_ name: String) throws -> String {
            let fm = FileManager.default
            for dir in [directory + "/mnist", directory] {
                for candidate in [dir + "/" + name + ".gz", dir + "/" + name] where fm.isReadableFile(atPath: candidate) {
                    return candidate
                }
            }
            throw SpikebarError.missingFile(path: directory + "/mnist/" + name + ".gz", referencedFrom: nil, hint: MNIST.howToObtain)
        }
        let ip = try locate(names.images), lp = try locate(names.labels)
        images = try IDXImages(data: try Gzip.readFile(ip, hint: MNIST.howToObtain), path: ip)
        labels = try IDXLabels(data: try Gzip.readFile(lp, hint: MNIST.howToObtain), path: lp).labels
        guard labels.count == images.count else {
            throw SpikebarError.mismatch("\(ip) holds \(images.count) images but \(lp) holds \(labels.count) labels; download both files again")
        }
        guard images.pixelsPerImage == 784 else {
            throw SpikebarError.corruptFile(path: ip, offset: 8, "images are \(images.rows)×\(images.cols), MNIST digits are 28×28")
        }
    }
}
