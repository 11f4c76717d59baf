#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be read.
public struct FileError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable { case notFound, unreadable }
    public var path: String
    public var kind: Kind
    public var detail: String
    public init(path: String, kind: Kind, detail: String) {
        self.path = path
        self.kind = kind
        self.detail = detail
    }
    public var description: String { "\(path): \(detail)" }
}

/// File reading, passed in so tests can use an in-memory tree.
public protocol FileSystem: AnyObject {
    func read(_ path: String) throws -> [UInt8]
}

extension FileSystem {
    /// The file as UTF-8 text.
    public func readText(_ path: String) throws -> String {
        String(decoding: try read(path), as: UTF8.self)
    }
}

/// The real file system.
public final class LocalFileSystem: FileSystem {
    public init() {}

    public func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            throw FileError(path: path, kind: e == ENOENT ? .notFound : .unreadable, detail: String(cString: strerror(e)))
        }
        defer { close(fd) }
        return try readAll(fd: fd, path: path)
    }
}

/// Writes all of `text` to a file descriptor (1 stdout, 2 stderr), unbuffered, so each line is out at once.
public func writeAll(fd: Int32, _ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            return
        }
        bytes = bytes.dropFirst(n)
    }
}

/// Reads a file descriptor to its end.
public func readAll(fd: Int32, path: String = "<stdin>") throws -> [UInt8] {
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw FileError(path: path, kind: .unreadable, detail: String(cString: strerror(errno)))
        }
        if n == 0 { break }
        result.append(contentsOf: chunk[0..<n])
    }
    return result
}
