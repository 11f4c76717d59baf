#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 (ephemeral port) that records requests and answers from a closure.
///
/// Keep-alive and Content-Length bodies are supported; one thread per connection. A reply with
/// status 0 drops the connection without answering, to simulate a broken server.
final class LoopbackServer {
    /// One request as it arrived.
    struct RecordedRequest: Sendable {
        var method: String
        /// Path and query as sent (absolute-form when the client treats the server as a proxy).
        var target: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]
        /// Sequence number of the TCP connection it came on (1, 2, ...).
        var connection: Int

        func header(_ name: String) -> String? {
            let lower = name.lowercased()
            return headers.first { $0.name.lowercased() == lower }?.value
        }
        var text: String { String(decoding: body, as: UTF8.self) }
        var path: String { String(target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]) }
    }

    typealias Reply = (status: Int, headers: [(String, String)], body: [UInt8])

    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    let port: Int
    var url: String { "http://127.0.0.1:\(port)" }

    private let listener: Int32
    private let handler: (RecordedRequest) -> Reply
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var recorded: [RecordedRequest] = []
    private var openSockets: Set<Int32> = []
    private var connectionCount = 0
    private var stopped = false
    private var acceptThread: pthread_t? = nil

    init(_ handler: @escaping (RecordedRequest) -> Reply) throws {
        self.handler = handler
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StartError(description: "loopback server: socket failed (errno \(errno))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let e = errno
            close(fd)
            throw StartError(description: "loopback server: bind/listen failed (errno \(e))")
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        acceptThread = LoopbackServer.spawn { [self] in acceptLoop() }
    }

    deinit {
        stop()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Every request received so far, in arrival order.
    var requests: [RecordedRequest] { locked { recorded } }

    /// How many TCP connections were accepted.
    var connections: Int { locked { connectionCount } }

    /// Stops accepting, closes the open connections and waits for the accept thread.
    func stop() {
        let thread: pthread_t? = locked {
            guard !stopped else { return nil }
            stopped = true
            // Under the lock: a connection thread closes its socket only after leaving the set.
            for s in openSockets { shutdown(s, Int32(SHUT_RDWR)) }
            return acceptThread
        }
        guard let thread else { return }
        // shutdown wakes the blocked accept() on Linux.
        shutdown(listener, Int32(SHUT_RDWR))
        pthread_join(thread, nil)
        close(listener)
    }

    /// A loopback port with nothing listening: connecting to it is refused.
    static func closedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Int32 in
                _ = bind(fd, p, len)
                return getsockname(fd, p, &len)
            }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    // MARK: - Internals

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    private final class ThreadBody {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    private static func spawn(detached: Bool = false, _ run: @escaping () -> Void) -> pthread_t? {
        let box = Unmanaged.passRetained(ThreadBody(run)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { arg in
            let body = Unmanaged<ThreadBody>.fromOpaque(arg!).takeRetainedValue()
            body.run()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(box).release()
            return nil
        }
        if detached { pthread_detach(thread) }
        return thread
    }

    private func acceptLoop() {
        while true {
            let c = accept(listener, nil, nil)
            if c < 0 {
                if errno == EINTR { continue }
                return
            }
            let id: Int? = locked {
                if stopped { return nil }
                connectionCount += 1
                openSockets.insert(c)
                return connectionCount
            }
            guard let id else {
                close(c)
                return
            }
            _ = LoopbackServer.spawn(detached: true) { [self] in
                serve(c, connection: id)
                locked { _ = openSockets.remove(c) }
                close(c)
            }
        }
    }

    private func serve(_ fd: Int32, connection: Int) {
        var buffer: [UInt8] = []
        let terminator: [UInt8] = [13, 10, 13, 10]
        func readMore() -> Bool {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return false }
            buffer.append(contentsOf: chunk[0..<n])
            return true
        }
        while true {
            var headEnd: Int? = nil
            while headEnd == nil {
                headEnd = LoopbackServer.find(terminator, in: buffer)
                if headEnd == nil && !readMore() { return }
            }
            let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
            // "\r\n" is a single Character, so splitting on it splits lines.
            var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
            let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: true)
            guard requestLine.count >= 2 else { return }
            var headers: [(name: String, value: String)] = []
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
                headers.append((String(line[..<colon]), String(value)))
            }
            var request = RecordedRequest(method: String(requestLine[0]), target: String(requestLine[1]),
                                          headers: headers, body: [], connection: connection)
            let length = Int(request.header("Content-Length") ?? "0") ?? 0
            if request.header("Expect")?.lowercased() == "100-continue" {
                // The interim header lets tests check that clients keep only the final header block.
                write(fd, Array("HTTP/1.1 100 Continue\r\nX-Interim: continue\r\n\r\n".utf8))
            }
            let bodyStart = headEnd! + terminator.count
            while buffer.count < bodyStart + length {
                if !readMore() { return }
            }
            request.body = Array(buffer[bodyStart..<(bodyStart + length)])
            buffer.removeFirst(bodyStart + length)
            locked { recorded.append(request) }

            let reply = handler(request)
            guard reply.status > 0 else { return }
            var out = "HTTP/1.1 \(reply.status) \(LoopbackServer.reason(reply.status))\r\n"
            var closeAfter = request.header("Connection")?.lowercased() == "close"
            var hasLength = false
            for (name, value) in reply.headers {
                out += "\(name): \(value)\r\n"
                if name.lowercased() == "content-length" { hasLength = true }
                if name.lowercased() == "connection" && value.lowercased() == "close" { closeAfter = true }
            }
            if !hasLength { out += "Content-Length: \(reply.body.count)\r\n" }
            out += "\r\n"
            guard write(fd, Array(out.utf8) + reply.body), !closeAfter else { return }
        }
    }

    @discardableResult
    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            // MSG_NOSIGNAL: a client that hung up must not kill the test process with SIGPIPE.
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}

extension LoopbackServer {
    /// A reply with a text body.
    static func reply(_ status: Int, _ text: String, headers: [(String, String)] = []) -> Reply {
        (status, headers, Array(text.utf8))
    }
}
