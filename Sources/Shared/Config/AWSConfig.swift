/// Region, endpoints and credentials for one tool run, resolved the way the AWS SDKs do.
public struct ResolvedAWSConfig {
    public var region: String
    public var profileName: String
    public var sqsEndpoint: String
    public var ecsEndpoint: String
    public var stsEndpoint: String
    public var credentials: CredentialProvider

    public init(region: String, profileName: String, sqsEndpoint: String, ecsEndpoint: String, stsEndpoint: String,
                credentials: CredentialProvider) {
        self.region = region
        self.profileName = profileName
        self.sqsEndpoint = sqsEndpoint
        self.ecsEndpoint = ecsEndpoint
        self.stsEndpoint = stsEndpoint
        self.credentials = credentials
    }

    /// Reads the shared files once, then resolves region, endpoints and the cached credential chain.
    /// Nothing is fetched here: credentials are fetched on first use.
    public static func resolve(flags: (region: String?, profile: String?, endpointURL: String?), queueUrl: String?,
                               env: Environment, fs: FileSystem, transport: HTTPTransport, time: TimeSource,
                               logger: Logger?) throws -> ResolvedAWSConfig {
        let shared = try SharedConfig.load(profileFlag: flags.profile, env: env, fs: fs)
        let profile = shared.profile
        guard let region = resolveRegion(flag: flags.region, env: env, profile: profile, queueUrl: queueUrl) else {
            throw SimpleToolError(.config, "no region: pass --region or set AWS_REGION")
        }
        func endpoint(_ service: String) -> String {
            resolveEndpoint(service: service, region: region, flag: flags.endpointURL, env: env, profile: profile,
                            services: shared.services)
        }
        let sts = endpoint("sts")
        let makeSTS = { STSClient(endpoint: sts, region: region, transport: transport, time: time) }
        let profileFlagGiven = flags.profile.map { !$0.isEmpty } ?? false
        let chain = DefaultCredentialChain.standard(config: shared, profileFlagGiven: profileFlagGiven, env: env, fs: fs,
                                                    transport: transport, time: time, makeSTS: makeSTS)
        return ResolvedAWSConfig(region: region, profileName: shared.profileName, sqsEndpoint: endpoint("sqs"),
                                 ecsEndpoint: endpoint("ecs"), stsEndpoint: sts,
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
    /// `sqs.cn-north-1.amazonaws.com.cn`, `vpce-….sqs.us-east-1.vpce.amazonaws.com`, `sqs.us-east-1.api.aws`;
    /// nil for other hosts (an emulator on localhost says nothing about the region).
    public static func regionFromQueueURL(_ url: String) -> String? {
        let host = ECSContainerCredentialProvider.hostName(hostOf(url))
        let awsSuffixes = [".amazonaws.com", ".amazonaws.com.cn", ".api.aws", ".api.amazonwebservices.com.cn"]
        guard awsSuffixes.contains(where: { host.hasSuffix($0) }) else { return nil }
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

    /// The endpoint for `service` (`sqs`, `ecs`, `sts`): `--endpoint-url`, AWS_ENDPOINT_URL_<SERVICE>,
    /// AWS_ENDPOINT_URL, the profile's `services` section, the profile's `endpoint_url`, else the
    /// regional default with FIPS / dual-stack variants. AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or the
    /// profile's `ignore_configured_endpoint_urls`) drops the environment and profile settings, not the flag.
    public static func resolveEndpoint(service: String, region: String, flag: String?, env: Environment, profile: Profile?,
                                       services: [String: [String: [String: String]]] = [:]) -> String {
        if let f = flag, !f.isEmpty { return trimSlash(f) }
        let ignore = (env.nonEmpty("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") ?? profile?["ignore_configured_endpoint_urls"])?
            .lowercased() == "true"
        if !ignore {
            if let e = env.nonEmpty("AWS_ENDPOINT_URL_" + service.uppercased()) { return trimSlash(e) }
            if let e = env.nonEmpty("AWS_ENDPOINT_URL") { return trimSlash(e) }
            if let servicesName = profile?["services"], let e = services[servicesName]?[service]?["endpoint_url"], !e.isEmpty {
                return trimSlash(e)
            }
            if let e = profile?["endpoint_url"] { return trimSlash(e) }
        }
        func flagSetting(_ envName: String, _ profileKey: String) -> Bool {
            (env.nonEmpty(envName) ?? profile?[profileKey])?.lowercased() == "true"
        }
        return defaultEndpoint(service: service, region: region,
                               fips: flagSetting("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"),
                               dualStack: flagSetting("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"))
    }

    /// `https://{service}[-fips].{region}.{suffix}` with the partition's DNS suffix.
    public static func defaultEndpoint(service: String, region: String, fips: Bool = false, dualStack: Bool = false) -> String {
        let china = region.hasPrefix("cn-")
        let suffix: String
        switch (china, dualStack) {
        case (false, false): suffix = "amazonaws.com"
        case (false, true): suffix = "api.aws"
        case (true, false): suffix = "amazonaws.com.cn"
        case (true, true): suffix = "api.amazonwebservices.com.cn"
        }
        return "https://\(service)\(fips ? "-fips" : "").\(region).\(suffix)"
    }

    static func trimSlash(_ s: String) -> String {
        var r = s
        while r.hasSuffix("/") { r.removeLast() }
        return r
    }
}
