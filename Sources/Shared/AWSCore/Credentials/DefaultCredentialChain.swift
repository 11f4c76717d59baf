/// The SDKs' default chain: the first provider that is set up here supplies the credentials.
public final class DefaultCredentialChain: CredentialProvider {
    public let providers: [CredentialProvider]
    /// The provider that answered first; later fetches ask it alone, as the SDKs do.
    private var chosen: CredentialProvider?

    public init(_ providers: [CredentialProvider]) { self.providers = providers }

    /// env, web identity, profile, ECS container, IMDS; an explicit `--profile` drops the
    /// environment keys (botocore's rule: a profile named on the command line wins over them).
    public static func standard(config: SharedConfig, profileFlagGiven: Bool, env: Environment, fs: FileSystem,
                                transport: HTTPTransport, time: TimeSource,
                                makeSTS: @escaping () -> STSClient) -> DefaultCredentialChain {
        var list: [CredentialProvider] = []
        if !profileFlagGiven { list.append(EnvironmentCredentialProvider(env: env)) }
        list.append(WebIdentityCredentialProvider.fromEnvironment(env, fs: fs, sts: makeSTS))
        list.append(ProfileCredentialProvider(config: config, env: env, fs: fs, transport: transport, time: time, makeSTS: makeSTS))
        list.append(ECSContainerCredentialProvider(env: env, fs: fs, transport: transport, time: time))
        list.append(IMDSCredentialProvider(env: env, transport: transport))
        return DefaultCredentialChain(list)
    }

    public func credentials(now: Double) throws -> Credentials {
        if let chosen { return try chosen.credentials(now: now) }
        var reasons: [String] = []
        for p in providers {
            do {
                let c = try p.credentials(now: now)
                chosen = p
                return c
            } catch let e as CredentialError where e.notConfigured {
                reasons.append(e.message)
            }
        }
        throw Failure(.configuration, "no credentials: " + reasons.joined(separator: "; "))
    }
}
