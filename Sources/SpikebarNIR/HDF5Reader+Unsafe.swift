import CHDF5
import Foundation

/// Reads an HDF5 file into an `HDF5Group` tree through Debian's libhdf5 (`CHDF5`). This file holds
/// every unsafe call of `SpikebarNIR`; the rest of the module works on the returned value.
///
/// HDF5 decodes filtered datasets itself: gzip (deflate) works because Debian's libhdf5 is built with
/// zlib. libhdf5's serial build is not thread-safe, so every call runs under one process-wide lock.
/// Limits (a wrong or hostile file must not make Spikebar allocate gigabytes): at most `maxDepth`
/// nested groups, `maxElements` elements per dataset, `maxLinks` links per group.
public enum HDF5Reader {
    /// Deepest group nesting read (levels); NIR files nest 3 levels per subgraph.
    public static let maxDepth = 48
    /// Largest dataset read (elements): 2²⁶ doubles = 512 MiB, ≈ 100× the largest shipped graph's weights.
    public static let maxElements = 1 << 26
    /// Most links read in one group.
    public static let maxLinks = 100_000

    /// One process-wide lock for every libhdf5 call, reads and writes (`HDF5Writer` takes it too).
    static let lock = NSLock()

    /// The whole file as a tree; throws `NIRError` naming the file and the HDF5 path at fault.
    public static func read(path: String) throws -> HDF5Group {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw NIRError(file: path, "file not found or not readable")
        }
        lock.lock(); defer { lock.unlock() }
        // libhdf5 prints its error stack to stderr by default; errors are reported by the return codes.
        H5Eset_auto2(spikebar_h5e_default(), nil, nil)
        guard H5Fis_hdf5(path) > 0 else { throw NIRError(file: path, "not an HDF5 file (a .nir file is HDF5)") }
        let fid = H5Fopen(path, spikebar_h5f_acc_rdonly(), spikebar_h5p_default())
        guard fid >= 0 else { throw NIRError(file: path, "HDF5 cannot open the file") }
        defer { H5Fclose(fid) }
        return try readGroup(fid, hdfPath: "/", file: path, depth: 0)
    }

    private static func readGroup(_ gid: hid_t, hdfPath: String, file: String, depth: Int) throws -> HDF5Group {
        guard depth <= maxDepth else { throw NIRError(file: file, key: hdfPath, "groups nested deeper than \(maxDepth) levels") }
        var info = H5G_info_t()
        guard H5Gget_info(gid, &info) >= 0 else { throw NIRError(file: file, key: hdfPath, "cannot list the group") }
        guard info.nlinks <= UInt64(maxLinks) else { throw NIRError(file: file, key: hdfPath, "more than \(maxLinks) links in one group") }
        var out = HDF5Group()
        for i in 0..<info.nlinks {
            let size = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, spikebar_h5p_default())
            guard size >= 0 else { throw NIRError(file: file, key: hdfPath, "cannot read link name \(i)") }
            var buf = [CChar](repeating: 0, count: Int(size) + 1)
            _ = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buf, buf.count, spikebar_h5p_default())
            let name = String(decoding: buf.prefix(Int(size)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let childPath = hdfPath == "/" ? "/" + name : hdfPath + "/" + name
            let oid = H5Oopen(gid, name, spikebar_h5p_default())
            guard oid >= 0 else { throw NIRError(file: file, key: childPath, "cannot open the object (dangling or external link?)") }
            defer { H5Oclose(oid) }
            let kind = H5Iget_type(oid)
            if kind == H5I_GROUP {
                out.groups[name] = try readGroup(oid, hdfPath: childPath, file: file, depth: depth + 1)
            } else if kind == H5I_DATASET {
                out.datasets[name] = try readDataset(oid, hdfPath: childPath, file: file)
            }
            // Named datatypes and other objects carry no NIR content: skipped.
        }
        return out
    }

    private static func readDataset(_ did: hid_t, hdfPath: String, file: String) throws -> HDF5Dataset {
        let sid = H5Dget_space(did)
        guard sid >= 0 else { throw NIRError(file: file, key: hdfPath, "cannot read the dataspace") }
        defer { H5Sclose(sid) }
        let rank = H5Sget_simple_extent_ndims(sid)
        guard rank >= 0, rank <= 32 else { throw NIRError(file: file, key: hdfPath, "unsupported dataspace (rank \(rank))") }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        if rank > 0 { _ = H5Sget_simple_extent_dims(sid, &dims, nil) }
        var count = 1
        for d in dims {
            guard d <= UInt64(maxElements) else { throw NIRError(file: file, key: hdfPath, "dataset larger than \(maxElements) elements") }
            let (p, overflow) = count.multipliedReportingOverflow(by: Int(d))
            guard !overflow, p <= maxElements else { throw NIRError(file: file, key: hdfPath, "dataset larger than \(maxElements) elements") }
            count = p
        }
        let shape = dims.map { Int($0) }
        let tid = H5Dget_type(did)
        guard tid >= 0 else { throw NIRError(file: file, key: hdfPath, "cannot read the datatype") }
        defer { H5Tclose(tid) }
        let cls = H5Tget_class(tid)
        if cls == H5T_FLOAT || cls == H5T_INTEGER {
            var values = [Double](repeating: 0, count: count)
            if count > 0 {
                let rc = values.withUnsafeMutableBytes {
                    H5Dread(did, spikebar_h5_native_double(), spikebar_h5s_all(), spikebar_h5s_all(), spikebar_h5p_default(), $0.baseAddress)
                }
                guard rc >= 0 else { throw NIRError(file: file, key: hdfPath, "HDF5 cannot read the values (damaged data or an unavailable filter)") }
            }
            let type: HDF5NumberType = cls == H5T_INTEGER ? .int64 : H5Tget_size(tid) <= 4 ? .float32 : .float64
            return HDF5Dataset(shape: shape, numbers: values, numberType: type)
        }
        if cls == H5T_STRING {
            let mem = H5Tcopy(spikebar_h5_c_s1())
            defer { H5Tclose(mem) }
            H5Tset_cset(mem, H5Tget_cset(tid))
            if H5Tis_variable_str(tid) > 0 {
                H5Tset_size(mem, spikebar_h5t_variable())
                var ptrs = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
                let rc = ptrs.withUnsafeMutableBytes {
                    H5Dread(did, mem, spikebar_h5s_all(), spikebar_h5s_all(), spikebar_h5p_default(), $0.baseAddress)
                }
                guard rc >= 0 else { throw NIRError(file: file, key: hdfPath, "HDF5 cannot read the strings") }
                let strings = ptrs.map { $0.map { String(cString: $0) } ?? "" }
                _ = ptrs.withUnsafeMutableBytes { H5Dvlen_reclaim(mem, sid, spikebar_h5p_default(), $0.baseAddress) }
                return HDF5Dataset(shape: shape, strings: strings)
            }
            let width = H5Tget_size(tid)
            guard width > 0, width <= 1 << 20 else { throw NIRError(file: file, key: hdfPath, "fixed-length strings of \(width) bytes") }
            H5Tset_size(mem, width)
            var bytes = [UInt8](repeating: 0, count: count * width)
            let rc = bytes.withUnsafeMutableBytes {
                H5Dread(did, mem, spikebar_h5s_all(), spikebar_h5s_all(), spikebar_h5p_default(), $0.baseAddress)
            }
            guard rc >= 0 else { throw NIRError(file: file, key: hdfPath, "HDF5 cannot read the strings") }
            let strings = (0..<count).map { k -> String in
                let slice = bytes[(k * width)..<((k + 1) * width)]
                return String(decoding: slice.prefix { $0 != 0 }, as: UTF8.self)
            }
            return HDF5Dataset(shape: shape, strings: strings)
        }
        let names: [(H5T_class_t, String)] = [
            (H5T_ENUM, "enum"), (H5T_COMPOUND, "compound"), (H5T_OPAQUE, "opaque"),
            (H5T_ARRAY, "array"), (H5T_VLEN, "vlen"), (H5T_REFERENCE, "reference"),
            (H5T_BITFIELD, "bitfield"), (H5T_TIME, "time"),
        ]
        return HDF5Dataset(shape: shape, unsupportedClass: names.first { $0.0 == cls }?.1 ?? "unknown")
    }
}
