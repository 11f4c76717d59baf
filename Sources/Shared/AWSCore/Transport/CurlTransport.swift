import CCurl
import CShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// curl_global_init is not thread-safe; a Swift global is initialised exactly once.
private let curlGlobalInit: CURLcode = cshim_global_init_all()

/// HTTP over libcurl: one reused easy handle per object (keep-alive), TLS verification always on.
///
/// Proxies: with `environment` nil, libcurl reads http_proxy / HTTPS_PROXY / https_proxy /
/// ALL_PROXY / NO_PROXY from the process itself; with an environment value, the same variables
/// are taken from that value instead, with libcurl's precedence.
///
/// Not Sendable: one easy handle serves one transfer at a time, so a transport belongs to one thread.
public final class CurlTransport: HTTPTransport {
    private let handle: UnsafeMutableRawPointer?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let environment: Environment?

    public init(environment: Environment? = nil) {
        self.environment = environment
        handle = curlGlobalInit == CURLE_OK ? curl_easy_init() : nil
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        // Every C pointer this object owns is released here and only here.
        replaceHeaderList(nil)
        if let handle { curl_easy_cleanup(handle) }
        errorBuffer.deallocate()
    }

    private func replaceHeaderList(_ list: UnsafeMutablePointer<curl_slist>?) {
        if let old = headerList { curl_slist_free_all(old) }
        headerList = list
    }

    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        guard let handle else {
            throw TransportError(kind: .other, url: request.url, detail: "libcurl could not be initialised")
        }
        // Reset forgets the previous request's options but keeps its open connections.
        curl_easy_reset(handle)
        defer { replaceHeaderList(nil) }
        errorBuffer[0] = 0
        let sink = ResponseSink()
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()

        func check(_ code: CURLcode, _ what: String) throws {
            guard code == CURLE_OK else {
                throw TransportError(kind: .other, url: request.url,
                                     detail: "libcurl rejected \(what): \(String(cString: curl_easy_strerror(code)))")
            }
        }
        func setLong(_ option: CURLoption, _ value: Int, _ what: String) throws {
            try check(cshim_easy_setopt_long(handle, option, value), what)
        }
        func setString(_ option: CURLoption, _ value: String, _ what: String) throws {
            // libcurl copies string options, so a temporary C string is enough.
            try check(value.withCString { cshim_easy_setopt_string(handle, option, $0) }, what)
        }

        try setString(CURLOPT_URL, request.url, "the url")
        try setLong(CURLOPT_NOSIGNAL, 1, "nosignal")
        try setLong(CURLOPT_SSL_VERIFYPEER, 1, "tls peer verification")
        try setLong(CURLOPT_SSL_VERIFYHOST, 2, "tls host verification")
        try check(cshim_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "the error buffer")
        try setLong(CURLOPT_CONNECTTIMEOUT_MS, CurlTransport.milliseconds(request.connectTimeout), "the connect timeout")
        try setLong(CURLOPT_TIMEOUT_MS, CurlTransport.milliseconds(request.timeout), "the timeout")
        try check(cshim_easy_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, curlWriteBody), "the body callback")
        try check(cshim_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer), "the body sink")
        try check(cshim_easy_setopt_write_function(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader), "the header callback")
        try check(cshim_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer), "the header sink")

        if let environment {
            let proxy = CurlTransport.proxy(for: request.url, in: environment)
            // An empty proxy string also stops libcurl from reading the process environment.
            try setString(CURLOPT_PROXY, proxy ?? "", "the proxy")
            try setString(CURLOPT_NOPROXY, environment.nonEmpty("no_proxy") ?? environment.nonEmpty("NO_PROXY") ?? "",
                          "the no-proxy list")
        }

        let method = request.method.uppercased()
        let sendsBody = !(method == "GET" && request.body.isEmpty) && method != "HEAD"
        if method == "HEAD" {
            try setLong(CURLOPT_NOBODY, 1, "the method")
        } else if !sendsBody {
            try setLong(CURLOPT_HTTPGET, 1, "the method")
        } else {
            // POSTFIELDS gives every method an exact Content-Length (IMDS wants one on PUT).
            try setLong(CURLOPT_POST, 1, "the method")
            if method != "POST" { try setString(CURLOPT_CUSTOMREQUEST, method, "the method") }
        }

        var lines: [String] = request.headers.map { name, value in
            // "Name;" is libcurl's way to send a header with an empty value.
            value.isEmpty ? "\(name);" : "\(name): \(value)"
        }
        // "Name:" removes a header libcurl would add on its own.
        if request.header("Expect") == nil { lines.append("Expect:") }
        if sendsBody && request.header("Content-Type") == nil { lines.append("Content-Type:") }
        let (list, complete) = CurlTransport.headerList(lines) { list, line in
            line.withCString { curl_slist_append(list, $0) }
        }
        // Owned from here on, complete or not, so whatever was built is freed.
        replaceHeaderList(list)
        if !complete {
            throw TransportError(kind: .other, url: request.url, detail: "out of memory building the headers")
        }
        try check(cshim_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(list)), "the headers")

        // libcurl reads POSTFIELDS during perform without copying; a non-empty buffer keeps the pointer valid.
        let payload = request.body.isEmpty ? [0] : request.body
        let code: CURLcode = try payload.withUnsafeBufferPointer { buffer in
            if sendsBody {
                try check(cshim_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)),
                          "the body size")
                try check(cshim_easy_setopt_pointer(handle, CURLOPT_POSTFIELDS,
                                                    UnsafeMutableRawPointer(mutating: buffer.baseAddress)), "the body")
            }
            return curl_easy_perform(handle)
        }
        guard code == CURLE_OK else {
            let buffered = String(cString: errorBuffer).trimmingTrailingWhitespace
            let detail = buffered.isEmpty ? String(cString: curl_easy_strerror(code)) : buffered
            throw TransportError(kind: CurlTransport.kind(of: code), url: request.url,
                                 detail: "curl error \(code.rawValue): \(detail)")
        }
        var status = 0
        _ = cshim_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }

    /// The header list of `lines`, built with `append` (curl_slist_append), and whether every line made it.
    /// A failed append returns NULL and leaves the list as it was: the list built so far is kept, so the
    /// caller still frees it.
    static func headerList<List>(_ lines: [String], append: (List?, String) -> List?) -> (List?, complete: Bool) {
        var list: List? = nil
        for line in lines {
            guard let longer = append(list, line) else { return (list, false) }
            list = longer
        }
        return (list, true)
    }

    /// The TransportError kind of a libcurl failure.
    static func kind(of code: CURLcode) -> TransportError.Kind {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            return .connect
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
             CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_USE_SSL_FAILED:
            return .tls
        default:
            return .other
        }
    }

    /// The proxy libcurl would pick for the URL from these variables (lowercase first; no HTTP_PROXY,
    /// which CGI lets a client set).
    static func proxy(for url: String, in env: Environment) -> String? {
        let https = url.lowercased().hasPrefix("https:")
        let specific = https ? env.nonEmpty("https_proxy") ?? env.nonEmpty("HTTPS_PROXY") : env.nonEmpty("http_proxy")
        return specific ?? env.nonEmpty("all_proxy") ?? env.nonEmpty("ALL_PROXY")
    }

    static func milliseconds(_ seconds: Double) -> Int {
        // 0 would mean "no limit" to libcurl; a request always has one (at most a day).
        guard seconds > 0 else { return 1 }
        return max(1, Int(min(seconds, 86_400) * 1000))
    }
}

/// Collects one response; the header block restarts at each status line, so only the last
/// block (after 100 Continue or a proxy's CONNECT answer) is kept.
private final class ResponseSink {
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
}

private let curlWriteBody: cshim_write_cb = { ptr, size, count, userdata in
    let n = size * count
    guard let ptr, let userdata else { return n }
    let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
    ptr.withMemoryRebound(to: UInt8.self, capacity: n) {
        sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n))
    }
    return n
}

private let curlWriteHeader: cshim_write_cb = { ptr, size, count, userdata in
    let n = size * count
    guard let ptr, let userdata else { return n }
    let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
    let line = ptr.withMemoryRebound(to: UInt8.self, capacity: n) {
        String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self)
    }.trimmingTrailingWhitespace
    if line.hasPrefix("HTTP/") {
        sink.headers.removeAll()
    } else if let colon = line.firstIndex(of: ":") {
        let name = String(line[..<colon])
        let value = String(line[line.index(after: colon)...]).trimmingLeadingWhitespace
        sink.headers.append((name: name, value: value))
    }
    return n
}

fileprivate extension String {
    var trimmingTrailingWhitespace: String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return String(s)
    }
    var trimmingLeadingWhitespace: String {
        String(drop { $0.isWhitespace })
    }
}
