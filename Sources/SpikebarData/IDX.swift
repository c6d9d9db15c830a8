import Foundation
import SpikebarCore

/// Images and labels in the IDX format of the MNIST database (LeCun, Cortes & Burges): big-endian
/// magic `0x00000803` (2051) for `u8` images `count × rows × cols`, `0x00000801` (2049) for `u8` labels.
/// Reference: http://yann.lecun.com/exdb/mnist/ ("FILE FORMATS FOR THE MNIST DATABASE").
public struct IDXImages: Sendable {
    public var count: Int, rows: Int, cols: Int
    /// Row-major pixels, `count × rows × cols` bytes.
    public var pixels: [UInt8]

    public var pixelsPerImage: Int { rows * cols }

    /// Pixel intensities of image `k` in [0, 1].
    public func image(_ k: Int) -> [Double] {
        let n = pixelsPerImage
        return pixels[(k * n)..<((k + 1) * n)].map { Double($0) / 255 }
    }

    /// Reads an IDX image file, plain or gzip-compressed. Errors name the byte offset of the problem.
    public init(path: String) throws {
        let data = try IDXFile.read(path)
        try self.init(data: data, path: path)
    }

    public init(data: [UInt8], path: String = "<memory>") throws {
        try IDXFile.checkMagic(data, expected: 2051, path: path)
        guard data.count >= 16 else { throw SpikebarError.corruptFile(path: path, offset: data.count, "header ends early (16 bytes expected)") }
        count = IDXFile.u32(data, 4); rows = IDXFile.u32(data, 8); cols = IDXFile.u32(data, 12)
        let needed = 16 + count * rows * cols
        guard data.count >= needed else {
            throw SpikebarError.corruptFile(
                path: path, offset: data.count,
                "truncated: header announces \(count) images of \(rows)×\(cols), which needs \(needed) bytes")
        }
        pixels = Array(data[16..<needed])
    }
}

/// Labels in IDX format (magic 2049).
public struct IDXLabels: Sendable {
    public var labels: [UInt8]
    public init(path: String) throws {
        try self.init(data: try IDXFile.read(path), path: path)
    }

    public init(data: [UInt8], path: String = "<memory>") throws {
        try IDXFile.checkMagic(data, expected: 2049, path: path)
        guard data.count >= 8 else { throw SpikebarError.corruptFile(path: path, offset: data.count, "header ends early") }
        let n = IDXFile.u32(data, 4)
        guard data.count >= 8 + n else {
            throw SpikebarError.corruptFile(path: path, offset: data.count, "truncated: header announces \(n) labels")
        }
        labels = Array(data[8..<(8 + n)])
    }
}

enum IDXFile {
    static func read(_ path: String) throws -> [UInt8] {
        // The official files come gzip-compressed (`…-idx3-ubyte.gz`): inflated here, plain ones as they are.
        try Gzip.readFile(
            path,
            hint: "MNIST IDX files: ../shared/data/mnist/ next to a checkout, or the official files from yann.lecun.com/exdb/mnist/")
    }
    static func u32(_ d: [UInt8], _ o: Int) -> Int {
        Int(d[o]) << 24 | Int(d[o + 1]) << 16 | Int(d[o + 2]) << 8 | Int(d[o + 3])
    }
    static func checkMagic(_ d: [UInt8], expected: Int, path: String) throws {
        guard d.count >= 4 else { throw SpikebarError.corruptFile(path: path, offset: d.count, "too short for an IDX header") }
        let magic = u32(d, 0)
        guard magic == expected else {
            throw SpikebarError.corruptFile(path: path, offset: 0, "IDX magic \(magic), expected \(expected)")
        }
    }
}
