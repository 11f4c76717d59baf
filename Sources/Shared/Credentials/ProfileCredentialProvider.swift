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

    /// Builds the provider tree for a profile, following `source_profile` links; `visited` catches cycles.
    func provider(for name: String, visited: [String]) throws -> CredentialProvider {
        let label = "profile \(name)"
        guard let p = config.profiles[name] else {
            if visited.isEmpty {
                throw CredentialError.absent(label, "not found in \(config.filesDescription)")
            }
            throw CredentialError(provider: "profile \(visited.last!)",
                                  "source_profile \(name) not found in \(config.filesDescription)")
        }
        if let role = p["role_arn"] {
            return try roleProvider(p, label: label, roleArn: role, visited: visited + [name])
        }
        if Self.hasStaticKeys(p) { return try staticProvider(p, label: label) }
        if let command = p["credential_process"] {
            return ProcessCredentialProvider(provider: label, command: command, env: env)
        }
        if p["sso_session"] != nil || p["sso_start_url"] != nil {
            throw CredentialError(provider: label, "sso profiles are not supported; use `aws configure export-credentials` with credential_process")
        }
        if visited.isEmpty {
            throw CredentialError.absent(label, "no credentials in \(config.filesDescription)")
        }
        throw CredentialError(provider: "profile \(visited.last!)", "source_profile \(name) has no credentials")
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
        if let tokenFile = p["web_identity_token_file"] {
            return WebIdentityCredentialProvider(provider: label, tokenFile: tokenFile, roleArn: roleArn,
                                                 sessionName: p["role_session_name"], fs: fs, sts: makeSTS())
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
