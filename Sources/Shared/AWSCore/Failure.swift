/// What kind of failure an error reports, in the core's own terms; the command line maps each kind to
/// its exit status (`ExitStatus(_:)` in the Shared target), so no layer below it knows exit codes.
public enum FailureKind: String, Sendable, Equatable, CaseIterable {
    /// No or bad configuration: no credentials, no region, an unreadable or invalid config file.
    case configuration
    /// Refused: access denied, a bad signature, invalid or expired credentials.
    case permission
    /// Unreachable, or failing after retries (5xx, connection).
    case unavailable
    /// Throttled after retries.
    case throttled
    /// The input itself is wrong: not JSON, a missing field, an invalid task definition, a service that cannot be deployed.
    case invalidInput
    /// A deadline passed before an answer.
    case timedOut
}

/// An error with a one-line message (without the tool's name) and the kind of failure it is.
public protocol ReportedError: Error {
    var failureKind: FailureKind { get }
    var message: String { get }
}

/// A plain error: a kind and a message.
public struct Failure: ReportedError, Equatable, CustomStringConvertible {
    public var failureKind: FailureKind
    public var message: String
    public init(_ kind: FailureKind, _ message: String) {
        self.failureKind = kind
        self.message = message
    }
    public var description: String { message }
}

/// The one-line message of any error.
public func describe(_ error: Error) -> String {
    switch error {
    case let e as ReportedError: return e.message
    case let e as JSONParseError: return "bad json at \(e.description)"
    default: return "\(error)"
    }
}
