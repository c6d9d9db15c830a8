import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SpikebarCore

/// Downloads a public dataset into the data folder the loaders read (`<data>/mnist/` …), for users with
/// internet access: each file goes to a temporary name, is renamed into place only when complete, and the
/// set is then checked by loading it with the same loader training uses (IDX magic numbers, counts,
/// 28 × 28 digits), so a truncated or wrong download is reported, not trained on.
public enum DatasetFetch {
    /// MNIST mirrors, tried in order (the original site often refuses scripted downloads).
    public static let mnistMirrors = [
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://yann.lecun.com/exdb/mnist/",
    ]

    /// The four official MNIST files.
    public static let mnistFiles = [
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
    ]

    /// Fetches MNIST into `<directory>/mnist/` from `baseURLs` (first that serves each file; `file://`
    /// URLs are copied) and verifies it. Files already present and loadable are kept. Returns the files
    /// written.
    @discardableResult
    public static func mnist(
        into directory: String, baseURLs: [String] = mnistMirrors,
        log: (String) -> Void = { _ in }
    ) throws -> [String] {
        let dir = directory + "/mnist"
        if (try? MNIST(directory: directory, split: .train)) != nil, (try? MNIST(directory: directory, split: .test)) != nil {
            log("\(dir): all four MNIST files present and valid")
            return []
        }
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw SpikebarError.invalidInput(SourceLocation(file: dir), "cannot create the folder: \(error.localizedDescription)")
        }
        var written: [String] = []
        for name in mnistFiles {
            let target = dir + "/" + name
            var failures: [String] = []
            var done = false
            for base in baseURLs {
                let url = base.hasSuffix("/") ? base + name : base + "/" + name
                log("fetching \(url)")
                do {
                    let data = try download(url)
                    let partial = target + ".partial"
                    try data.write(to: URL(fileURLWithPath: partial))
                    _ = try? FileManager.default.removeItem(atPath: target)
                    try FileManager.default.moveItem(atPath: partial, toPath: target)
                    written.append(target)
                    done = true
                    break
                } catch {
                    failures.append("\(url): \(error.localizedDescription)")
                }
            }
            if !done {
                throw SpikebarError.missingFile(
                    path: target, referencedFrom: nil,
                    hint: "no mirror served it (\(failures.joined(separator: "; "))); " + MNIST.howToObtain)
            }
        }
        // The same loaders training uses: magic numbers, counts, image size, gzip integrity.
        _ = try MNIST(directory: directory, split: .train)
        _ = try MNIST(directory: directory, split: .test)
        log("\(dir): verified 60,000 training and 10,000 test digits")
        return written
    }

    /// The bytes at `url`: `file://` read from disk, anything else through URLSession (HTTP status checked).
    static func download(_ url: String) throws -> Data {
        guard let u = URL(string: url) else { throw SpikebarError.invalidInput(SourceLocation(file: url), "not a URL") }
        if u.isFileURL { return try Data(contentsOf: u) }
        let semaphore = DispatchSemaphore(value: 0)
        final class Box: @unchecked Sendable { var data: Data?; var error: Error? }
        let box = Box()
        let task = URLSession.shared.dataTask(with: u) { data, response, error in
            if let error {
                box.error = error
            } else if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                box.error = SpikebarError.invalidInput(SourceLocation(file: url), "HTTP status \(http.statusCode)")
            } else {
                box.data = data
            }
            semaphore.signal()
        }
        task.resume()
        if semaphore.wait(timeout: .now() + 600) == .timedOut {
            task.cancel()
            throw SpikebarError.invalidInput(SourceLocation(file: url), "timed out after 10 minutes")
        }
        if let e = box.error { throw e }
        guard let d = box.data, !d.isEmpty else { throw SpikebarError.invalidInput(SourceLocation(file: url), "empty response") }
        return d
    }
}
