import AWSCore
import Shared

// The test doubles of the seams the tools take as parameters: clock, randomness, files, stdin, stdout.

/// A clock for tests: sleeping advances time instantly.
public final class ManualTime: TimeSource {
    public var current: Double
    public private(set) var sleeps: [Double] = []
    public init(_ start: Double = 1_700_000_000) { current = start }
    public func now() -> Double { current }
    public func sleep(_ seconds: Double) {
        sleeps.append(seconds)
        current += max(0, seconds)
    }
}

/// A fixed random value for tests.
public final class FixedRandom: RandomSource {
    public var value: Double
    public init(_ value: Double = 0.5) { self.value = value }
    public func unit() -> Double { value }
}

/// An in-memory file tree for tests.
public final class MemoryFileSystem: FileSystem {
    public var files: [String: [UInt8]]
    public var unreadable: Set<String> = []
    public init(_ files: [String: String] = [:]) {
        self.files = files.mapValues { Array($0.utf8) }
    }
    public func read(_ path: String) throws -> [UInt8] {
        if unreadable.contains(path) { throw FileError(path: path, kind: .unreadable, detail: "Permission denied") }
        guard let f = files[path] else { throw FileError(path: path, kind: .notFound, detail: "No such file or directory") }
        return f
    }
}

/// Bytes held in memory, handed out in chunks of a chosen size (tests).
public final class BytesSource: ByteSource {
    private var bytes: [UInt8]
    private var offset = 0
    let chunkSize: Int

    public init(_ text: String, chunkSize: Int = 1 << 20) {
        self.bytes = Array(text.utf8)
        self.chunkSize = max(1, chunkSize)
    }

    public func read() throws -> [UInt8]? {
        guard offset < bytes.count else { return nil }
        let end = min(offset + chunkSize, bytes.count)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }
}

/// Collects the lines in memory (tests).
public final class CapturedLines: LineWriter {
    public private(set) var lines: [String] = []
    public init() {}
    public func write(line: String) { lines.append(line) }
}
