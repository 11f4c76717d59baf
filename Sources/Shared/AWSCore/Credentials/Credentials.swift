/// AWS credentials; `description` never shows the secret or the token.
public struct Credentials: Sendable, Equatable, CustomStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// Seconds since the epoch when temporary credentials expire; nil for long-term keys.
    public var expiration: Double?
    /// Which provider produced them, for logs ("environment", "profile default", ...).
    public var source: String

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil,
                expiration: Double? = nil, source: String = "") {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }

    public var description: String {
        "credentials from \(source) (access key \(accessKeyId.prefix(4))…)"
    }
}

/// Something that yields credentials, possibly fetching or refreshing them.
public protocol CredentialProvider: AnyObject {
    /// Credentials valid at `now` (seconds since the epoch).
    func credentials(now: Double) throws -> Credentials
}

/// Fixed credentials, for tests and for explicitly given keys.
public final class StaticCredentialProvider: CredentialProvider {
    public let value: Credentials
    public init(_ value: Credentials) { self.value = value }
    public func credentials(now: Double) throws -> Credentials { value }
}

extension Credentials {
    /// The credentials, unless they have already expired at `now`: then a refusal (exit 77) naming
    /// the provider and what answered, since AWS would only reject every request signed with them.
    func refusingExpired(at now: Double, provider: String, from what: String) throws -> Credentials {
        if let expiration, expiration <= now {
            throw CredentialError(provider: provider, "\(what) returned credentials that expired at \(ISO8601.format(expiration))",
                                  kind: .permission)
        }
        return self
    }
}
