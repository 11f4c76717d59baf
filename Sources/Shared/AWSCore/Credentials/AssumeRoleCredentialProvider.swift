/// Credentials from STS AssumeRole, signed with the credentials of a source provider.
public final class AssumeRoleCredentialProvider: CredentialProvider {
    let provider: String
    let request: STSClient.AssumeRoleRequest
    /// The session name is chosen per fetch when the profile names none.
    let fixedSessionName: Bool
    let source: CredentialProvider
    let sts: STSClient

    /// `provider` names it in messages (`profile x`); `sessionName` nil picks `ecs-deployment-<time>`.
    public init(provider: String, roleArn: String, sessionName: String?, externalId: String? = nil,
                durationSeconds: Int? = nil, source: CredentialProvider, sts: STSClient) {
        self.provider = provider
        self.request = STSClient.AssumeRoleRequest(roleArn: roleArn, sessionName: sessionName ?? "",
                                                   externalId: externalId, durationSeconds: durationSeconds)
        self.fixedSessionName = sessionName != nil
        self.source = source
        self.sts = sts
    }

    public func credentials(now: Double) throws -> Credentials {
        let sourceCredentials: Credentials
        do {
            sourceCredentials = try source.credentials(now: now)
        } catch {
            // The profile asked for this source, so its absence is a failure, not a reason to move on.
            throw CredentialError.wrap(error, provider: provider)
        }
        var r = request
        if !fixedSessionName { r.sessionName = defaultSessionName(now) }
        var c: Credentials
        do {
            c = try sts.assumeRole(r, using: sourceCredentials)
            c.source = provider
        } catch {
            throw CredentialError.wrap(error, provider: provider)
        }
        return try c.refusingExpired(at: now, provider: provider, from: "sts AssumeRole at \(hostOf(sts.endpoint))")
    }
}
