import Foundation

/// Where datasets live: an explicit folder (a scenario key, relative to the scenario file), else
/// `$SPIKEBAR_DATA`, else `../shared/data/` next to the checkout (looked for from the working directory
/// and from the scenario file's folder upwards).
public enum DataLocation {
    public static func resolve(explicit: String?, scenarioPath: String) -> String {
        let base = URL(fileURLWithPath: scenarioPath).deletingLastPathComponent()
        if let explicit {
            return explicit.hasPrefix("/") ? explicit : base.appendingPathComponent(explicit).standardizedFileURL.path
        }
        if let env = ProcessInfo.processInfo.environment["SPIKEBAR_DATA"], !env.isEmpty { return env }
        let fm = FileManager.default
        var candidates: [URL] = []
        var dir = URL(fileURLWithPath: fm.currentDirectoryPath)
        for _ in 0..<4 { candidates.append(dir.appendingPathComponent("../shared/data")); dir = dir.deletingLastPathComponent() }
        dir = base
        for _ in 0..<4 { candidates.append(dir.appendingPathComponent("../shared/data")); dir = dir.deletingLastPathComponent() }
        for c in candidates {
            var isDir: ObjCBool = false
            let p = c.standardizedFileURL.path
            if fm.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue { return p }
        }
        return URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent("../shared/data").standardizedFileURL.path
    }
}
