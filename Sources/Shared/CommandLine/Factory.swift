import AWSCore
import Deployment

/// Builds the real (or fake) AWS clients for a tool run, once flags and environment are known.
public protocol AWSClientFactory: AnyObject {
    /// An SQS client; the queue URL, when known, lets the region be inferred from its host.
    func sqs(queueUrl: String?) throws -> SQSAPI
    /// An ECS client; `queueUrl` (e.g. from a document's message) is only a region hint.
    func ecs(queueUrl: String?) throws -> ECSAPI
}

/// Builds the AWS client factory of a tool run from its flags and environment.
public func makeFactory(common: CommonOptions, environment: Environment, time: TimeSource, random: RandomSource,
                        fileSystem: FileSystem, logger: Logger) throws -> AWSClientFactory {
    RealAWSClientFactory(common: common, environment: environment, time: time, random: random,
                         fileSystem: fileSystem, logger: logger)
}

/// The real clients: region, endpoints and credentials resolved as the SDKs do, one libcurl handle per process.
public final class RealAWSClientFactory: AWSClientFactory {
    let common: CommonOptions
    let environment: Environment
    let time: TimeSource
    let random: RandomSource
    let fileSystem: FileSystem
    let logger: Logger
    let transport: HTTPTransport
    /// The first resolution's credentials serve every client, so a role is assumed or fetched once.
    private var credentials: CredentialProvider?
    private var resolved: [String: ResolvedAWSConfig] = [:]

    public init(common: CommonOptions, environment: Environment, time: TimeSource, random: RandomSource,
                fileSystem: FileSystem, logger: Logger, transport: HTTPTransport? = nil) {
        self.common = common
        self.environment = environment
        self.time = time
        self.random = random
        self.fileSystem = fileSystem
        self.logger = logger
        self.transport = transport ?? CurlTransport()
    }

    func config(_ queueUrl: String?) throws -> ResolvedAWSConfig {
        if let c = resolved[queueUrl ?? ""] { return c }
        var c = try ResolvedAWSConfig.resolve(
            flags: (region: common.region, profile: common.profile, endpointURL: common.endpointURL),
            queueUrl: queueUrl, env: environment, fs: fileSystem, transport: transport, time: time, random: random,
            userAgent: Version.userAgent, logger: logger)
        if let shared = credentials { c.credentials = shared } else { credentials = c.credentials }
        resolved[queueUrl ?? ""] = c
        logger.debug("region \(c.region), profile \(c.profileName), sqs \(c.sqsEndpoint), ecs \(c.ecsEndpoint)")
        return c
    }

    func client(_ service: AWSServiceSpec, _ c: ResolvedAWSConfig, endpoint: String) throws -> AWSClient {
        AWSClient(service: service, region: c.region, endpoint: endpoint, credentials: c.credentials,
                      transport: transport, time: time, random: random, userAgent: Version.userAgent, logger: logger,
                      retry: try .standard(environment: environment))
    }

    public func sqs(queueUrl: String?) throws -> SQSAPI {
        let c = try config(queueUrl)
        return SQSClient(client: try client(.sqs, c, endpoint: c.sqsEndpoint))
    }

    public func ecs(queueUrl: String?) throws -> ECSAPI {
        let c = try config(queueUrl)
        return ECSClient(client: try client(.ecs, c, endpoint: c.ecsEndpoint))
    }
}
/// Builds the real factory only when a tool first needs AWS, so empty input never needs credentials.
public final class DeferredClientFactory: AWSClientFactory {
    private let build: () throws -> AWSClientFactory
    private var built: AWSClientFactory?

    public init(_ build: @escaping () throws -> AWSClientFactory) { self.build = build }

    private func factory() throws -> AWSClientFactory {
        if let f = built { return f }
        let f = try build()
        built = f
        return f
    }

    public func sqs(queueUrl: String?) throws -> SQSAPI { try factory().sqs(queueUrl: queueUrl) }
    public func ecs(queueUrl: String?) throws -> ECSAPI { try factory().ecs(queueUrl: queueUrl) }
}
