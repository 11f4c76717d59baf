import AWSCore
import Deployment

/// The documented exit statuses of every tool, defined once (sysexits.h where one fits).
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// Done; for ecs-wait, the deployment succeeded.
    case ok = 0
    /// The deployment failed or was rolled back.
    case deploymentFailed = 1
    /// Superseded by a newer deployment, or the message was stale.
    case superseded = 3
    /// Command line usage error (EX_USAGE).
    case usage = 64
    /// Bad input: not JSON, missing field, invalid task definition (EX_DATAERR).
    case dataError = 65
    /// AWS unreachable or failing after retries (EX_UNAVAILABLE).
    case unavailable = 69
    /// The operating system failed the tool: its command line arguments could not be read (EX_OSERR).
    case osError = 71
    /// Throttled after retries (EX_TEMPFAIL).
    case throttled = 75
    /// Access denied, bad signature, invalid or expired credentials (EX_NOPERM).
    case noPermission = 77
    /// Configuration: no credentials, no region, unreadable config (EX_CONFIG).
    case config = 78
    /// Timed out waiting, like timeout(1).
    case timedOut = 124

    /// One line for manuals.
    public var summary: String {
        switch self {
        case .ok: return "done (for ecs-wait: the deployment succeeded)"
        case .deploymentFailed: return "the deployment failed or was rolled back"
        case .superseded: return "superseded by a newer deployment, or the message was stale"
        case .usage: return "usage error"
        case .dataError: return "bad input: not JSON, missing field, invalid task definition, missing service attribute"
        case .unavailable: return "AWS unreachable or failing (5xx, connection) after retries"
        case .osError: return "the command line arguments could not be read (the tool did nothing)"
        case .throttled: return "throttled after retries"
        case .noPermission: return "access denied, bad signature, expired or invalid credentials"
        case .config: return "configuration: no credentials, no region, unreadable config"
        case .timedOut: return "timed out waiting; the outcome is unknown"
        }
    }

    /// The exit-code table as it appears in every tool's --help.
    public static var manual: String {
        allCases.map { s in
            let code = String(s.rawValue)
            return String(repeating: " ", count: max(0, 4 - code.count)) + code + "  " + s.summary
        }.joined(separator: "\n")
    }
}

/// An error that knows its exit status and its one-line message (without the tool name).
public protocol ToolError: Error {
    var exitStatus: ExitStatus { get }
    var message: String { get }
}

/// A plain error with a status and a message.
public struct SimpleToolError: ToolError, CustomStringConvertible {
    public var exitStatus: ExitStatus
    public var message: String
    public init(_ status: ExitStatus, _ message: String) {
        self.exitStatus = status
        self.message = message
    }
    public var description: String { message }
}

extension ExitStatus {
    /// The exit status of a kind of failure the lower layers report.
    public init(_ kind: FailureKind) {
        switch kind {
        case .configuration: self = .config
        case .permission: self = .noPermission
        case .unavailable: self = .unavailable
        case .throttled: self = .throttled
        case .invalidInput: self = .dataError
        case .timedOut: self = .timedOut
        }
    }
}

extension ReportedError {
    /// The exit status this error ends a tool with.
    public var exitStatus: ExitStatus { ExitStatus(failureKind) }
}

extension WaitStatus {
    /// succeeded 0, failed/rolled_back 1, superseded/stale 3, timed_out 124.
    public var exitStatus: ExitStatus {
        switch self {
        case .succeeded: return .ok
        case .failed, .rolledBack: return .deploymentFailed
        case .superseded, .stale: return .superseded
        case .timedOut: return .timedOut
        case .rejected: return .dataError
        }
    }
}
