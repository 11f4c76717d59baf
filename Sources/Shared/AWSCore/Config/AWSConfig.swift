/// Region, endpoints and credentials for one tool run, resolved the way the AWS SDKs do.
public struct ResolvedAWSConfig {
    public var region: String
    public var profileName: String
    public var sqsEndpoint: String
    public var ecsEndpoint: String
    public var stsEndpoint: String
    /// The region STS requests are signed for: `us-east-1` at the global endpoint, else the region.
    public var stsSigningRegion: String
    public var credentials: CredentialProvider

    public init(region: String, profileName: String, sqsEndpoint: String, ecsEndpoint: String, stsEndpoint: String,
                stsSigningRegion: String? = nil, credentials: CredentialProvider) {
        self.region = region
        self.profileName = profileName
        self.sqsEndpoint = sqsEndpoint
        self.ecsEndpoint = ecsEndpoint
        self.stsEndpoint = stsEndpoint
        self.stsSigningRegion = stsSigningRegion ?? region
        self.credentials = credentials
    }

    /// Reads the shared files once, then resolves region, endpoints and the cached credential chain.
    /// Nothing is fetched here: credentials are fetched on first use.
    public static func resolve(flags: (region: String?, profile: String?, endpointURL: String?), queueUrl: String?,
                               env: Environment, fs: FileSystem, transport: HTTPTransport, time: TimeSource,
                               random: RandomSource = SystemRandom(), userAgent: String = "ecs-deployment",
                               logger: Logger?) throws -> ResolvedAWSConfig {
        let shared = try SharedConfig.load(profileFlag: flags.profile, env: env, fs: fs)
        let profile = shared.profile
        guard let region = resolveRegion(flag: flags.region, env: env, profile: profile, queueUrl: queueUrl) else {
            throw Failure(.configuration, "no region: pass --region or set AWS_REGION")
        }
        func endpoint(_ service: String) throws -> ResolvedEndpoint {
            try resolveServiceEndpoint(service: service, region: region, flag: flags.endpointURL, env: env, profile: profile,
                                       services: shared.services)
        }
        let sts = try endpoint("sts")
        let retry = try RetryPolicy.standard(environment: env)
        let makeSTS = {
            STSClient(endpoint: sts.url, region: sts.signingRegion, transport: transport, time: time, random: random,
                      userAgent: userAgent, logger: logger, retry: retry)
        }
        let profileFlagGiven = flags.profile.map { !$0.isEmpty } ?? false
        let chain = DefaultCredentialChain.standard(config: shared, profileFlagGiven: profileFlagGiven, env: env, fs: fs,
                                                    transport: transport, time: time, makeSTS: makeSTS)
        return ResolvedAWSConfig(region: region, profileName: shared.profileName, sqsEndpoint: try endpoint("sqs").url,
                                 ecsEndpoint: try endpoint("ecs").url, stsEndpoint: sts.url, stsSigningRegion: sts.signingRegion,
                                 credentials: CachingCredentialProvider(chain, logger: logger))
    }

    /// flag, AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`, else the queue URL's host.
    public static func resolveRegion(flag: String?, env: Environment, profile: Profile?, queueUrl: String?) -> String? {
        if let f = flag, !f.isEmpty { return f }
        if let r = env.nonEmpty("AWS_REGION") ?? env.nonEmpty("AWS_DEFAULT_REGION") { return r }
        if let r = profile?["region"] { return r }
        return queueUrl.flatMap(regionFromQueueURL)
    }

    /// The region in an SQS queue URL's host: `sqs.eu-west-1.amazonaws.com`, `eu-west-1.queue.amazonaws.com`,
    /// `sqs.cn-north-1.amazonaws.com.cn`, `vpce-….sqs.us-east-1.vpce.amazonaws.com`, `sqs.us-east-1.api.aws`,
    /// `sqs.us-iso-east-1.c2s.ic.gov` (any partition's DNS suffix); nil for other hosts (an emulator on
    /// localhost says nothing about the region).
    public static func regionFromQueueURL(_ url: String) -> String? {
        guard let host = URLParts(url)?.bareHost else { return nil }
        let suffixes = Set(Partitions.all.flatMap { [$0.dnsSuffix, $0.dualStackDnsSuffix] })
        guard suffixes.contains(where: { host.hasSuffix("." + $0) }) else { return nil }
        if host == "queue.amazonaws.com" { return "us-east-1" }
        return host.split(separator: ".").map(String.init).first(where: isRegionName)
    }

    /// `eu-west-1`, `us-gov-west-1`, `cn-north-1`: letters in dash-separated words, ending in a number.
    static func isRegionName(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, let last = parts.last, !last.isEmpty, last.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return false
        }
        return parts.dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isLetter && $0.isLowercase } }
    }

    /// The endpoint URL for `service` (`sqs`, `ecs`, `sts`); see `resolveServiceEndpoint`.
    public static func resolveEndpoint(service: String, region: String?, flag: String?, env: Environment, profile: Profile?,
                                       services: [String: [String: [String: String]]] = [:]) throws -> String {
        try resolveServiceEndpoint(service: service, region: region, flag: flag, env: env, profile: profile,
                                   services: services).url
    }

    /// The endpoint for `service`: `--endpoint-url`, AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the
    /// profile's `services` section, the profile's `endpoint_url`, else the service's endpoint rules over
    /// the partitions table, with FIPS / dual-stack variants. AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or the
    /// profile's `ignore_configured_endpoint_urls`) drops the environment and profile settings, not the flag.
    ///
    /// A configured endpoint is used as is, whatever FIPS and dual-stack say: botocore's client does the
    /// same (it passes neither to the rules when an endpoint is set), where the bare rules would refuse.
    public static func resolveServiceEndpoint(service: String, region: String?, flag: String?, env: Environment,
                                              profile: Profile?,
                                              services: [String: [String: [String: String]]] = [:]) throws -> ResolvedEndpoint {
        if let custom = configuredEndpoint(service: service, flag: flag, env: env, profile: profile, services: services) {
            return ResolvedEndpoint(url: custom, signingRegion: region ?? "")
        }
        func flagSetting(_ envName: String, _ profileKey: String) -> Bool {
            (env.nonEmpty(envName) ?? profile?[profileKey])?.lowercased() == "true"
        }
        var useGlobal = false
        if service == "sts", let mode = env.nonEmpty("AWS_STS_REGIONAL_ENDPOINTS") ?? profile?["sts_regional_endpoints"] {
            switch mode.lowercased() {
            case "legacy": useGlobal = true
            case "regional": useGlobal = false
            default:
                throw EndpointError(service: service, detail: "sts_regional_endpoints \(mode) is neither legacy nor regional")
            }
        }
        return try EndpointResolver.resolve(service: service, .init(
            region: region, useFIPS: flagSetting("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"),
            useDualStack: flagSetting("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"), useGlobalEndpoint: useGlobal))
    }

    /// The endpoint URL the user configured for `service`, if any (see `resolveServiceEndpoint`).
    static func configuredEndpoint(service: String, flag: String?, env: Environment, profile: Profile?,
                                   services: [String: [String: [String: String]]]) -> String? {
        if let f = flag, !f.isEmpty { return trimSlash(f) }
        let ignore = (env.nonEmpty("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") ?? profile?["ignore_configured_endpoint_urls"])?
            .lowercased() == "true"
        if ignore { return nil }
        if let e = env.nonEmpty("AWS_ENDPOINT_URL_" + service.uppercased()) { return trimSlash(e) }
        if let e = env.nonEmpty("AWS_ENDPOINT_URL") { return trimSlash(e) }
        if let servicesName = profile?["services"], let e = services[servicesName]?[service]?["endpoint_url"], !e.isEmpty {
            return trimSlash(e)
        }
        if let e = profile?["endpoint_url"] { return trimSlash(e) }
        return nil
    }

    /// The rule-set endpoint of `service` in `region` (no configured endpoint involved).
    public static func defaultEndpoint(service: String, region: String, fips: Bool = false, dualStack: Bool = false) throws -> String {
        try EndpointResolver.resolve(service: service, .init(region: region, useFIPS: fips, useDualStack: dualStack)).url
    }

    static func trimSlash(_ s: String) -> String {
        var r = s
        while r.hasSuffix("/") { r.removeLast() }
        return r
    }
}
