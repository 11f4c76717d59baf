import AWSCore
import Deployment

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a tool's input bytes come from: stdin in the tools, memory in tests.
public protocol ByteSource: AnyObject {
    /// The next chunk as soon as some bytes are available; nil at the end.
    func read() throws -> [UInt8]?
    /// Waits at most `seconds` (nil: as long as it takes) until `read` would not block; false when the
    /// time passed first or a signal arrived.
    func waitReadable(seconds: Double?) -> Bool
}

extension ByteSource {
    /// Bytes held in memory are always ready.
    public func waitReadable(seconds: Double?) -> Bool { true }
}

/// Reads a file descriptor (stdin) chunk by chunk, so a pipeline streams.
public final class FileDescriptorSource: ByteSource {
    let fd: Int32
    let name: String
    private var buffer = [UInt8](repeating: 0, count: 65536)

    public init(fd: Int32 = 0, name: String = "<stdin>") {
        self.fd = fd
        self.name = name
    }

    public func waitReadable(seconds: Double?) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        // Rounded up, so that a wait never ends just before the poll it waits for is due.
        let ms = seconds.map { Int32(min(max(0, ($0 * 1000).rounded(.up)), Double(Int32.max))) } ?? -1
        // End of input and errors count as readable: read() reports them.
        return poll(&p, 1, ms) > 0
    }

    public func read() throws -> [UInt8]? {
        while true {
            let n = buffer.withUnsafeMutableBytes { readBytes(fd, $0.baseAddress, $0.count) }
            if n > 0 { return Array(buffer[0..<n]) }
            if n == 0 { return nil }
            if errno == EINTR { continue }
            throw FileError(path: name, kind: .unreadable, detail: String(cString: strerror(errno)))
        }
    }
}

private func readBytes(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

/// Where a tool's output lines go.
public protocol LineWriter: AnyObject {
    /// Writes one line (the newline is added) and flushes it, so the next tool sees it at once.
    func write(line: String)
}

/// stdout.
public final class StandardOutput: LineWriter {
    public init() {}
    public func write(line: String) {
        writeAll(fd: 1, line + "\n")
    }
}

/// Everything a tool run touches outside itself, passed in so the run functions are testable.
public final class ToolContext {
    public let tool: String
    public var environment: Environment
    public var time: TimeSource
    public var random: RandomSource
    public var fileSystem: FileSystem
    public var input: ByteSource
    public var output: LineWriter
    public var logger: Logger
    public var factory: AWSClientFactory
    /// True once SIGTERM or SIGINT asked the tool to stop.
    public var shouldStop: () -> Bool

    public init(tool: String, environment: Environment, time: TimeSource, random: RandomSource, fileSystem: FileSystem,
                input: ByteSource, output: LineWriter, logger: Logger, factory: AWSClientFactory,
                shouldStop: @escaping () -> Bool = { false }) {
        self.tool = tool
        self.environment = environment
        self.time = time
        self.random = random
        self.fileSystem = fileSystem
        self.input = input
        self.output = output
        self.logger = logger
        self.factory = factory
        self.shouldStop = shouldStop
    }

    /// The real process: stdin, stdout, stderr, the system clock, and the real AWS clients, built on first use.
    /// With `handleSignals`, SIGTERM/SIGINT set `shouldStop` instead of ending the process at once (for a
    /// tool that has an outcome to report); otherwise they end it the default way.
    public static func process(tool: String, common: CommonOptions, handleSignals: Bool = false) -> ToolContext {
        let environment = Environment.process()
        let time = SystemTime()
        let random = SystemRandom()
        let fileSystem = LocalFileSystem()
        let logger = Logger(tool: tool, level: common.logLevel, format: common.logFormat)
        logger.live = isatty(2) != 0 && environment["TERM"].map { $0 != "dumb" } ?? false && common.logFormat == .text
        let factory = RealAWSClientFactory(common: common, environment: environment, time: time, random: random,
                                           fileSystem: fileSystem, logger: logger)
        if handleSignals { StopSignal.install() }
        return ToolContext(tool: tool, environment: environment, time: time, random: random, fileSystem: fileSystem,
                           input: FileDescriptorSource(), output: StandardOutput(), logger: logger, factory: factory,
                           shouldStop: { StopSignal.requested })
    }
}

nonisolated(unsafe) private var stopFlag: sig_atomic_t = 0

/// SIGTERM/SIGINT as a flag the tools check between steps, so they stop cleanly (docs/design.md, "Stopping").
public enum StopSignal {
    public static var requested: Bool { stopFlag != 0 }

    /// A second signal of the same kind ends the process the default way.
    public static func install() {
        let handler: @convention(c) (Int32) -> Void = { number in
            stopFlag = 1
            _ = signal(number, SIG_DFL)
        }
        _ = signal(SIGTERM, handler)
        _ = signal(SIGINT, handler)
    }
}

/// Ends the process with the status.
public func terminate(_ status: ExitStatus) -> Never {
    fflush(nil)  // what print() buffered (--help, --version)
    exit(status.rawValue)
}
