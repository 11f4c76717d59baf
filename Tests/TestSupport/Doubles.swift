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

/// Input that arrives over time: each chunk becomes readable at its moment on a manual clock, and
/// waiting for input advances that clock, as a pipeline's upstream would.
public final class TimedSource: ByteSource {
    let time: ManualTime
    private var chunks: [(at: Double, text: String)]
    /// The input ends at this moment (nil: after the last chunk).
    let endsAt: Double?

    public init(time: ManualTime, _ chunks: [(at: Double, text: String)], endsAt: Double? = nil) {
        self.time = time
        self.chunks = chunks
        self.endsAt = endsAt
    }

    private var nextMoment: Double { chunks.first?.at ?? endsAt ?? time.current }

    public func waitReadable(seconds: Double?) -> Bool {
        let limit = seconds.map { time.current + $0 } ?? .infinity
        if nextMoment <= limit {
            time.current = max(time.current, nextMoment)
            return true
        }
        time.current = limit
        return false
    }

    public func read() throws -> [UInt8]? {
        time.current = max(time.current, nextMoment)
        guard !chunks.isEmpty else { return nil }
        return Array(chunks.removeFirst().text.utf8)
    }
}
