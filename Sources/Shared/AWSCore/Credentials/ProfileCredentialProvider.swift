/// Credentials named by a profile: static keys, `credential_process`, or a role (source profile, credential source, web identity).
public final class ProfileCredentialProvider: CredentialProvider {
    let config: SharedConfig
    let profileName: String
    let env: Environment
    let fs: FileSystem
    let transport: HTTPTransport
    let time: TimeSource
    let makeSTS: () -> STSClient
    private var resolved: CredentialProvider?

    /// `makeSTS` builds the STS client for role profiles (regional endpoint, SigV4).
    public init(config: SharedConfig, profileName: String? = nil, env: Environment, fs: FileSystem,
                transport: HTTPTransport, time: TimeSource, makeSTS: @escaping () -> STSClient) {
        self.config = config
        self.profileName = profileName ?? config.profileName
        self.env = env
        self.fs = fs
        self.transport = transport
        self.time = time
        self.makeSTS = makeSTS
    }

    public func credentials(now: Double) throws -> Credentials {
        if resolved == nil { resolved = try provider(for: profileName, visited: []) }
        return try resolved!.credentials(now: now)
    }

    static func hasStaticKeys(_ p: Profile) -> Bool { p["aws_access_key_id"] != nil || p["aws_secret_access_key"] != nil }
    static func hasCompleteStaticKeys(_ p: Profile) -> Bool { p["aws_access_key_id"] != nil && p["aws_secret_access_key"] != nil }

    /// Builds the provider tree for a profile, following `source_profile` links; `visited` catches cycles.
    /// The rules of the cross-SDK assume-role tests: the selected profile's `role_arn` wins over its own
    /// keys, while a source profile's complete static keys end the chain even beside a `role_arn`.
    func provider(for name: String, visited: [String]) throws -> CredentialProvider {
        let label = "profile \(name)"
        guard let p = config.profiles[name] else {
            if visited.isEmpty {
                throw CredentialError.absent(label, "not found in \(config.filesDescription)")
            }
            throw CredentialError(provider: "profile \(visited.last!)",
                                  "source_profile \(name) not found in \(config.filesDescription)")
        }
        if !visited.isEmpty && Self.hasCompleteStaticKeys(p) { return try staticProvider(p, label: label) }
        if let role = p["role_arn"], p["web_identity_token_file"] == nil {
            return try roleProvider(p, label: label, roleArn: role, visited: visited + [name])
        }
        if let tokenFile = p["web_identity_token_file"] {
            guard let role = p["role_arn"] else {
                throw CredentialError(provider: label, "web_identity_token_file needs role_arn")
            }
            return WebIdentityCredentialProvider(provider: label, tokenFile: tokenFile, roleArn: role,
                                                 sessionName: p["role_session_name"], fs: fs, sts: makeSTS())
        }
        if Self.hasStaticKeys(p) { return try staticProvider(p, label: label) }
        if let command = p["credential_process"] {
            return ProcessCredentialProvider(provider: label, command: command, env: env)
        }
        let ssoKeys = ["sso_session", "sso_start_url", "sso_account_id", "sso_role_name", "sso_region"]
        if ssoKeys.contains(where: { p[$0] != nil }) {
            try checkSSO(p, label: label)
            throw CredentialError(provider: label, "sso profiles are not supported; use `aws configure export-credentials` with credential_process")
        }
        if visited.isEmpty {
            throw CredentialError.absent(label, "no credentials in \(config.filesDescription)")
        }
        throw CredentialError(provider: "profile \(visited.last!)", "source_profile \(name) has no credentials")
    }

    /// The SDKs' checks of an SSO profile, so a broken one is named as such before being refused.
    private func checkSSO(_ p: Profile, label: String) throws {
        if let session = p["sso_session"] {
            guard config.ssoSessions[session] != nil else {
                throw CredentialError(provider: label, "sso-session \(session) not found in \(config.configPath)")
            }
            if p["sso_region"] != nil || p["sso_start_url"] != nil {
                throw CredentialError(provider: label, "sso_region and sso_start_url belong in [sso-session \(session)] when sso_session is set")
            }
        }
        switch (p["sso_account_id"], p["sso_role_name"]) {
        case (_?, nil): throw CredentialError(provider: label, "sso_account_id is set but sso_role_name is not")
        case (nil, _?): throw CredentialError(provider: label, "sso_role_name is set but sso_account_id is not")
        default: break
        }
    }

    private func staticProvider(_ p: Profile, label: String) throws -> CredentialProvider {
        guard let id = p["aws_access_key_id"] else {
            throw CredentialError(provider: label, "aws_secret_access_key without aws_access_key_id in \(p.origin["aws_secret_access_key"] ?? config.filesDescription)")
        }
        guard let secret = p["aws_secret_access_key"] else {
            throw CredentialError(provider: label, "aws_access_key_id without aws_secret_access_key in \(p.origin["aws_access_key_id"] ?? config.filesDescription)")
        }
        return StaticCredentialProvider(Credentials(accessKeyId: id, secretAccessKey: secret,
                                                    sessionToken: p["aws_session_token"], source: label))
    }

    private func roleProvider(_ p: Profile, label: String, roleArn: String, visited: [String]) throws -> CredentialProvider {
        let name = p.name
        if p["mfa_serial"] != nil {
            throw CredentialError(provider: label, "mfa_serial needs a code typed at a prompt, which these tools never show")
        }
        var duration: Int?
        if let d = p["duration_seconds"] {
            guard let v = Int(d), v > 0 else {
                throw CredentialError(provider: label, "duration_seconds \(d) is not a number of seconds")
            }
            duration = v
        }
        let source: CredentialProvider
        switch (p["source_profile"], p["credential_source"]) {
        case (_?, _?):
            throw CredentialError(provider: label, "both source_profile and credential_source are set; use one")
        case (nil, nil):
            throw CredentialError(provider: label, "role_arn needs source_profile or credential_source")
        case (let sourceName?, nil):
            if sourceName == name {
                // A profile may name itself as the source of its own static keys (the SDKs allow it).
                guard Self.hasStaticKeys(p) else {
                    throw CredentialError(provider: label, "source_profile \(name) is the profile itself but it has no keys")
                }
                source = try staticProvider(p, label: label)
            } else if visited.contains(sourceName) {
                throw CredentialError(provider: label,
                                      "source_profile cycle: \((visited + [sourceName]).joined(separator: " -> "))")
            } else {
                source = try provider(for: sourceName, visited: visited)
            }
        case (nil, let credentialSource?):
            switch credentialSource {
            case "Environment": source = EnvironmentCredentialProvider(env: env)
            case "EcsContainer": source = ECSContainerCredentialProvider(env: env, fs: fs, transport: transport, time: time)
            case "Ec2InstanceMetadata": source = IMDSCredentialProvider(env: env, transport: transport)
            default:
                throw CredentialError(provider: label,
                                      "credential_source \(credentialSource) is not Environment, EcsContainer or Ec2InstanceMetadata")
            }
        }
        return AssumeRoleCredentialProvider(provider: label, roleArn: roleArn, sessionName: p["role_session_name"],
                                            externalId: p["external_id"], durationSeconds: duration,
                                            source: source, sts: makeSTS())
    }
}
