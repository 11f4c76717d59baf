/// Keeps temporary credentials until 5 minutes before they expire, so a long wait never signs with expired keys.
///
/// Not Sendable, and so without a lock: a tool asks for credentials from one thread.
public final class CachingCredentialProvider: CredentialProvider {
    let base: CredentialProvider
    /// Seconds before expiry at which a refresh is due.
    public let refreshWindow: Double
    /// Seconds to wait after a failed refresh before trying again, while the old keys last.
    public let retryAfterFailure: Double
    let logger: Logger?
    private var cached: Credentials?
    private var nextAttempt: Double = -Double.infinity

    public init(_ base: CredentialProvider, refreshWindow: Double = 300, retryAfterFailure: Double = 30, logger: Logger? = nil) {
        self.base = base
        self.refreshWindow = refreshWindow
        self.retryAfterFailure = retryAfterFailure
        self.logger = logger
    }

    public func credentials(now: Double) throws -> Credentials {
        if let c = cached {
            // Long-term keys never change under us: never fetch them again.
            guard let expiration = c.expiration else { return c }
            if now < expiration - refreshWindow || (now < expiration && now < nextAttempt) { return c }
            do {
                let fresh = try base.credentials(now: now)
                cached = fresh
                logger?.debug("refreshed \(fresh)")
                return fresh
            } catch {
                guard now < expiration else { throw error }
                nextAttempt = now + retryAfterFailure
                let why = describe(error)
                logger?.warning("cannot refresh credentials (\(why)); using the current ones until they expire in \(Int(expiration - now)) s")
                return c
            }
        }
        let c = try base.credentials(now: now)
        cached = c
        logger?.debug("using \(c)")
        return c
    }
}
