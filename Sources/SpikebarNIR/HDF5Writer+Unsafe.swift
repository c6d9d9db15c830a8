import CHDF5
import Foundation

/// Writes an `HDF5Group` tree to an HDF5 file through Debian's libhdf5 (`CHDF5`), in the layout
/// `nir.write` (nir 1.0.x, h5py) produces: groups, variable-length UTF-8 strings (scalars for `type`
/// and `version`, an N×2 array for `edges`), and numeric datasets stored as their `numberType`
/// (`float64`, `float32`, `int64`), scalars as HDF5 scalar dataspaces. This file holds every unsafe
/// call of the writer; `NIRGraph.write(path:)` builds the tree in plain Swift.
///
/// Numeric arrays are gzip-compressed (deflate level 4 in one chunk, h5py's `compression="gzip"`, which
/// `nir.write` uses by default) unless `compress` is false; HDF5 decodes either transparently.
public enum HDF5Writer {
    /// Deflate level of compressed arrays (h5py's default for `compression="gzip"`).
    public static let gzipLevel: UInt32 = 4

    /// Writes `root` to `path`, replacing any file there (callers write to a temporary path and move
    /// it into place durably: `NIRGraph.write(path:)`). Throws `NIRError` naming the HDF5 path at fault.
    public static func write(_ root: HDF5Group, path: String, compress: Bool = true) throws {
        // libhdf5's serial build is not thread-safe: the reader's process-wide lock covers writes too.
        HDF5Reader.lock.lock(); defer { HDF5Reader.lock.unlock() }
        H5Eset_auto2(spikebar_h5e_default(), nil, nil)
        let fcpl = try untimed(spikebar_h5p_file_create(), file: path, key: "/")
        defer { H5Pclose(fcpl) }
        let fid = H5Fcreate(path, spikebar_h5f_acc_trunc(), fcpl, spikebar_h5p_default())
        guard fid >= 0 else { throw NIRError(file: path, "HDF5 cannot create the file (folder missing or not writable?)") }
        var closed = false
        defer { if !closed { H5Fclose(fid) } }
        try writeGroup(root, into: fid, hdfPath: "/", file: path, compress: compress)
        closed = true
        guard H5Fclose(fid) >= 0 else { throw NIRError(file: path, "HDF5 cannot finish the file (disk full?)") }
    }

    /// A creation list of class `cls` that stores no access, modification or change times in the object
    /// headers (libhdf5 stores them by default): the same graph then gives the same bytes whenever it is
    /// written (Spikebar's outputs are bit-identical for the same scenario and seed). The caller closes it.
    private static func untimed(_ cls: hid_t, file: String, key: String) throws -> hid_t {
        let list = H5Pcreate(cls)
        guard list >= 0 else { throw NIRError(file: file, key: key, "HDF5 cannot make a creation property list") }
        guard H5Pset_obj_track_times(list, false) >= 0 else {
            H5Pclose(list)
            throw NIRError(file: file, key: key, "HDF5 cannot turn off object time stamps")
        }
        return list
    }

    private static func checkName(_ name: String, hdfPath: String, file: String) throws {
        // "/" separates HDF5 path components and "." names the group itself: neither can be a link name.
        guard !name.isEmpty, !name.contains("/"), name != "." else {
            throw NIRError(file: file, key: hdfPath, "'\(name)' cannot be an HDF5 link name (empty, '.' or containing '/')")
        }
    }

    private static func writeGroup(_ group: HDF5Group, into gid: hid_t, hdfPath: String, file: String, compress: Bool) throws {
        for (name, dataset) in group.datasets.sorted(by: { $0.key < $1.key }) {
            try checkName(name, hdfPath: hdfPath, file: file)
            try writeDataset(
                dataset, name: name, into: gid, hdfPath: hdfPath == "/" ? "/" + name : hdfPath + "/" + name, file: file, compress: compress)
        }
        for (name, child) in group.groups.sorted(by: { $0.key < $1.key }) {
            try checkName(name, hdfPath: hdfPath, file: file)
            let childPath = hdfPath == "/" ? "/" + name : hdfPath + "/" + name
            guard group.datasets[name] == nil else { throw NIRError(file: file, key: childPath, "both a group and a dataset") }
            let gcpl = try untimed(spikebar_h5p_group_create(), file: file, key: childPath)
            defer { H5Pclose(gcpl) }
            let cid = H5Gcreate2(gid, name, spikebar_h5p_default(), gcpl, spikebar_h5p_default())
            guard cid >= 0 else { throw NIRError(file: file, key: childPath, "HDF5 cannot create the group") }
            defer { H5Gclose(cid) }
            try writeGroup(child, into: cid, hdfPath: childPath, file: file, compress: compress)
        }
    }

    private static func writeDataset(_ d: HDF5Dataset, name: String, into gid: hid_t, hdfPath: String, file: String, compress: Bool) throws {
        let count = d.shape.reduce(1, *)
        guard d.shape.allSatisfy({ $0 >= 0 }) else { throw NIRError(file: file, key: hdfPath, "negative dimension in shape \(d.shape)") }
        let sid: hid_t
        if d.shape.isEmpty {
            sid = H5Screate(H5S_SCALAR)
        } else {
            let dims = d.shape.map { hsize_t($0) }
            sid = H5Screate_simple(Int32(dims.count), dims, nil)
        }
        guard sid >= 0 else { throw NIRError(file: file, key: hdfPath, "HDF5 cannot make a dataspace of shape \(d.shape)") }
        defer { H5Sclose(sid) }
        if let strings = d.strings {
            guard strings.count == count else { throw NIRError(file: file, key: hdfPath, "\(strings.count) strings for shape \(d.shape)") }
            // h5py's string_dtype(): variable-length UTF-8, the same type in memory and in the file.
            let tid = H5Tcopy(spikebar_h5_c_s1())
            guard tid >= 0 else { throw NIRError(file: file, key: hdfPath, "HDF5 cannot make a string type") }
            defer { H5Tclose(tid) }
            H5Tset_size(tid, spikebar_h5t_variable())
            H5Tset_cset(tid, H5T_CSET_UTF8)
            let scpl = try untimed(spikebar_h5p_dataset_create(), file: file, key: hdfPath)
            defer { H5Pclose(scpl) }
            let did = H5Dcreate2(gid, name, tid, sid, spikebar_h5p_default(), scpl, spikebar_h5p_default())
            guard did >= 0 else { throw NIRError(file: file, key: hdfPath, "HDF5 cannot create the dataset") }
            defer { H5Dclose(did) }
            let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
            defer { pointers.forEach { free($0) } }
            guard pointers.allSatisfy({ $0 != nil }) else { throw NIRError(file: file, key: hdfPath, "out of memory copying strings") }
            let rc =
                count == 0
                ? 0
                : pointers.withUnsafeBytes {
                    H5Dwrite(did, tid, spikebar_h5s_all(), spikebar_h5s_all(), spikebar_h5p_default(), $0.baseAddress)
                }
            guard rc >= 0 else { throw NIRError(file: file, key: hdfPath, "HDF5 cannot write the strings") }
            return
        }
        guard let numbers = d.numbers else {
            throw NIRError(file: file, key: hdfPath, "neither numbers nor strings (\(d.unsupportedClass ?? "empty")): cannot be written")
        }
        guard numbers.count == count else { throw NIRError(file: file, key: hdfPath, "\(numbers.count) numbers for shape \(d.shape)") }
        let fileType: hid_t
        switch d.numberType {
        case .float64: fileType = spikebar_h5t_ieee_f64le()
        case .float32: fileType = spikebar_h5t_ieee_f32le()
        case .int64:
            guard numbers.allSatisfy({ $0 == $0.rounded() && abs($0) < 9.0e15 }) else {
                throw NIRError(file: file, key: hdfPath, "int64 dataset holds a non-integer value")
            }
            fileType = spikebar_h5t_std_i64le()
        }
        // Chunked layout needs every dimension ≥ 1; scalars and empty arrays stay contiguous, as in h5py.
        let dcpl = try untimed(spikebar_h5p_dataset_create(), file: file, key: hdfPath)
        defer { H5Pclose(dcpl) }
        if compress, !d.shape.isEmpty, count > 0 {
            let chunk = d.shape.map { hsize_t($0) }
            guard H5Pset_chunk(dcpl, Int32(chunk.count), chunk) >= 0, H5Pset_deflate(dcpl, gzipLevel) >= 0 else {
                throw NIRError(file: file, key: hdfPath, "HDF5 cannot set up gzip compression (libhdf5 without zlib?)")
            }
        }
        let did = H5Dcreate2(gid, name, fileType, sid, spikebar_h5p_default(), dcpl, spikebar_h5p_default())
        guard did >= 0 else { throw NIRError(file: file, key: hdfPath, "HDF5 cannot create the dataset") }
        defer { H5Dclose(did) }
        guard count > 0 else { return }
        // Converted in Swift to the file's own type, so libhdf5 copies bytes and rounds nothing itself.
        let rc: herr_t
        switch d.numberType {
        case .float64:
            rc = numbers.withUnsafeBytes {
                H5Dwrite(did, spikebar_h5_native_double(), spikebar_h5s_all(), spikebar_h5s_all(), spikebar_h5p_default(), $0.baseAddress)
            }
        case .float32:
            let single = numbers.map { Float($0) }
            rc = single.withUnsafeBytes {
                H5Dwrite(did, spikebar_h5_native_float(), spikebar_h5s_all(), spikebar_h5s_all(), spikebar_h5p_default(), $0.baseAddress)
            }
        case .int64:
            let integers = numbers.map { Int64($0) }
            rc = integers.withUnsafeBytes {
                H5Dwrite(did, spikebar_h5_native_int64(), spikebar_h5s_all(), spikebar_h5s_all(), spikebar_h5p_default(), $0.baseAddress)
            }
        }
        guard rc >= 0 else { throw NIRError(file: file, key: hdfPath, "HDF5 cannot write the values (disk full?)") }
    }
}
