#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AWSCore

/// Paths and file helpers for tests (no Foundation).
enum TestFiles {
    /// The repository root, from this file's path.
    static let repoRoot: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/TestSupport/TestFiles.swift
        return parts.joined(separator: "/")
    }()

    /// The AWS SigV4 test suite vendored under Tests/SharedTests/Vectors/sigv4 (licence and provenance beside it).
    static var sigv4Data: String { repoRoot + "/Tests/SharedTests/Vectors/sigv4" }

    static func list(_ dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func read(_ path: String) -> String? {
        try? LocalFileSystem().readText(path)
    }

    /// A new empty directory under the system temp dir.
    static func makeTempDir(_ prefix: String = "ecsdep-test") -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        return String(cString: p!)
    }

    static func write(_ path: String, _ text: String, mode: mode_t = 0o644) {
        // Close-on-exec: a process another test starts meanwhile must not hold the file open for writing.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        precondition(fd >= 0, "cannot write \(path)")
        var t = text
        t.withUTF8 { _ = Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}
