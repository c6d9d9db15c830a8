import ArgumentParser
import Foundation
import SpikebarCore
import SpikebarData

/// `spikebar data fetch NAME`: public datasets into the folder the loaders read.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Obtain the datasets training and evaluation read.",
        subcommands: [Fetch.self])

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fetch",
            abstract: "Download a dataset (mnist) into <data>/<name>/ and verify it.",
            discussion: """
                <data> is --to, else $SPIKEBAR_DATA, else ../shared/data next to the checkout (where the loaders \
                look). mnist: the four official files from the first mirror that serves them (--base-url to use \
                another, file:// URLs are copied), checked by loading them as training does. nmnist: the \
                recordings are distributed by their authors as archives behind a web page; the command prints \
                where to get them and how to lay them out.
                """)
        @Argument(help: "Dataset: mnist or nmnist.") var name: String
        @Option(help: "Data folder (default: $SPIKEBAR_DATA, else ../shared/data).") var to: String?
        @Option(help: "Base URL to fetch from instead of the built-in mirrors (repeatable).") var baseURL: [String] = []
        @Flag(help: "Print the folder and the files written as JSON.") var json = false

        func run() throws {
            let dir = to ?? DataLocation.resolve(explicit: nil, scenarioPath: FileManager.default.currentDirectoryPath + "/x")
            do {
                switch name {
                case "mnist":
                    let files = try DatasetFetch.mnist(into: dir, baseURLs: baseURL.isEmpty ? DatasetFetch.mnistMirrors : baseURL) {
                        FileHandle.standardError.write(Data(($0 + "\n").utf8))
                    }
                    if json {
                        struct Out: Codable { var directory: String; var written: [String] }
                        let enc = JSONEncoder.spikebar(pretty: true)
                        print(String(decoding: try enc.encode(Out(directory: dir + "/mnist", written: files)), as: UTF8.self))
                    } else {
                        print(files.isEmpty ? "\(dir)/mnist: already complete" : "wrote \(files.count) files to \(dir)/mnist")
                    }
                case "nmnist":
                    print(
                        """
                        N-MNIST (Orchard et al. 2015, CC BY-SA 4.0) is distributed by its authors as Train/Test archives: \
                        https://www.garrickorchard.com/datasets/n-mnist. Unpack the <id>.bin recordings you want into \
                        \(dir)/nmnist-subset/ with label lists train1K.txt / test100.txt (a header line, then '<id>\\t<label>'), \
                        the layout of ../shared/data/nmnist-subset; `spikebar trace import --format nmnist` converts a \
                        recording to .sbt.
                        """)
                default:
                    throw ValidationError("unknown dataset '\(name)' (expected mnist or nmnist)")
                }
            } catch let e as SpikebarError {
                fail(e)
            }
        }
    }
}
