/// Why one credential provider gave no credentials; the message names the provider and never a secret.
public struct CredentialError: ReportedError, CustomStringConvertible, Equatable {
    /// `environment`, `profile prod`, `ecs container`, ...
    public var provider: String
    /// What was wrong, naming the variable, file or endpoint involved.
    public var detail: String
    public var failureKind: FailureKind
    /// True when the provider is simply not set up here, so a chain moves on to the next one;
    /// false when it is set up but failed, which stops the chain (the SDKs do the same).
    public var notConfigured: Bool

    public init(provider: String, _ detail: String, kind: FailureKind = .configuration, notConfigured: Bool = false) {
        self.provider = provider
        self.detail = detail
        self.failureKind = kind
        self.notConfigured = notConfigured
    }

    /// A provider that is not set up here.
    public static func absent(_ provider: String, _ detail: String) -> CredentialError {
        CredentialError(provider: provider, detail, notConfigured: true)
    }

    public var message: String { "\(provider): \(detail)" }
    public var description: String { message }

    /// Any error from a step of `provider`, as a CredentialError that keeps the step's kind of failure.
    static func wrap(_ error: Error, provider: String) -> CredentialError {
        if let e = error as? CredentialError {
            if e.provider == provider { return e }
            return CredentialError(provider: provider, e.message, kind: e.failureKind)
        }
        if let e = error as? ReportedError { return CredentialError(provider: provider, e.message, kind: e.failureKind) }
        if let e = error as? TransportError {
            return CredentialError(provider: provider, "cannot reach \(hostOf(e.url)): \(e.detail)", kind: .unavailable)
        }
        return CredentialError(provider: provider, "\(error)")
    }
}
