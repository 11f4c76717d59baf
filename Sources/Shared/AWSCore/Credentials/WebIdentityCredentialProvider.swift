/// Credentials from STS AssumeRoleWithWebIdentity with a token file (EKS service accounts, CI OIDC).
public final class WebIdentityCredentialProvider: CredentialProvider {
    let provider: String
    let tokenFile: String
    let roleArn: String
    let sessionName: String?
    let fs: FileSystem
    let sts: STSClient

    /// `provider` names it in messages: `web identity` from the environment, `profile x` from a profile.
    public init(provider: String = "web identity", tokenFile: String, roleArn: String, sessionName: String?,
                fs: FileSystem, sts: STSClient) {
        self.provider = provider
        self.tokenFile = tokenFile
        self.roleArn = roleArn
        self.sessionName = sessionName
        self.fs = fs
        self.sts = sts
    }

    /// The provider configured by AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME).
    public static func fromEnvironment(_ env: Environment, fs: FileSystem, sts: @escaping () -> STSClient) -> CredentialProvider {
        let name = "web identity"
        guard let file = env.nonEmpty("AWS_WEB_IDENTITY_TOKEN_FILE") else {
            return FailingCredentialProvider(.absent(name, "AWS_WEB_IDENTITY_TOKEN_FILE not set"))
        }
        guard let role = env.nonEmpty("AWS_ROLE_ARN") else {
            return FailingCredentialProvider(CredentialError(provider: name, "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not"))
        }
        return WebIdentityCredentialProvider(tokenFile: file, roleArn: role, sessionName: env.nonEmpty("AWS_ROLE_SESSION_NAME"),
                                             fs: fs, sts: sts())
    }

    public func credentials(now: Double) throws -> Credentials {
        let token: String
        do {
            // Re-read on every fetch: the orchestrator rotates the token file.
            token = ConfigFile.trim(String(decoding: try fs.read(tokenFile), as: UTF8.self)
                .split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).first ?? "")
        } catch let e as FileError {
            throw CredentialError(provider: provider, "cannot read web identity token file \(tokenFile): \(e.detail.lowercased())")
        }
        guard !token.isEmpty else {
            throw CredentialError(provider: provider, "web identity token file \(tokenFile) is empty")
        }
        var c: Credentials
        do {
            c = try sts.assumeRoleWithWebIdentity(roleArn: roleArn, sessionName: sessionName ?? defaultSessionName(now),
                                                  token: token)
            c.source = provider
        } catch {
            throw CredentialError.wrap(error, provider: provider)
        }
        return try c.refusingExpired(at: now, provider: provider, from: "sts AssumeRoleWithWebIdentity at \(hostOf(sts.endpoint))")
    }
}

/// A provider that always fails with one error: a chain slot that is not set up here.
public final class FailingCredentialProvider: CredentialProvider {
    public let error: CredentialError
    public init(_ error: CredentialError) { self.error = error }
    public func credentials(now: Double) throws -> Credentials { throw error }
}

/// `ecs-deployment-<epoch seconds>`, the session name when none is configured.
func defaultSessionName(_ now: Double) -> String {
    "ecs-deployment-\(Int(now))"
}
