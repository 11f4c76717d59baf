/// One HTTP request as the transport sends it.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    /// Header fields in the order they are sent.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Seconds allowed to establish the connection.
    public var connectTimeout: Double
    /// Seconds allowed for the whole exchange.
    public var timeout: Double

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
                connectTimeout: Double = 5, timeout: Double = 30) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    public static func == (a: HTTPRequest, b: HTTPRequest) -> Bool {
        a.method == b.method && a.url == b.url && a.body == b.body
            && a.headers.map { $0.name } == b.headers.map { $0.name }
            && a.headers.map { $0.value } == b.headers.map { $0.value }
    }
}

/// One HTTP response.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(status: Int, headers: [(name: String, value: String)] = [], text: String) {
        self.init(status: status, headers: headers, body: Array(text.utf8))
    }

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A failure below HTTP: nothing usable came back.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable { case connect, timeout, tls, other }
    public var kind: Kind
    public var url: String
    public var detail: String
    public init(kind: Kind, url: String, detail: String) {
        self.kind = kind
        self.url = url
        self.detail = detail
    }
    public var description: String { "\(url): \(detail)" }
}

/// Sends HTTP requests; libcurl in the tools, fakes in tests.
public protocol HTTPTransport: AnyObject {
    /// Sends the request; throws TransportError when no response arrived.
    func send(_ request: HTTPRequest) throws -> HTTPResponse
}
