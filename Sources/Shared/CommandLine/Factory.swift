import AWSCore
import Deployment

/// Hands a tool run its AWS clients, when a document first needs one.
public protocol AWSClientFactory: AnyObject {
    /// An SQS client; the queue URL, when known, lets the region be inferred from its host.
    func sqs(queueUrl: String?) throws -> SQSAPI
    /// An ECS client; `queueUrl` (e.g. from a document's message) is only a region hint.
    func ecs(queueUrl: String?) throws -> ECSAPI
}

/// The real clients, built on first use and kept for the run, per queue URL (a region hint): empty input
/// never needs credentials, a file, or libcurl. Region, endpoints and credentials are resolved as the
/// SDKs do; the first resolution's credentials serve every client, so a role is assumed or fetched once;
/// one libcurl handle per process.
public final class RealAWSClientFactory: AWSClientFactory {
    let common: CommonOptions
    let environment: Environment
    let time: TimeSource
    let random: RandomSource
    let fileSystem: FileSystem
    let logger: Logger
    private let givenTransport: HTTPTransport?
    private lazy var transport: HTTPTransport = givenTransport ?? CurlTransport()
    private var credentials: CredentialProvider?
    private var clients: [String: (sqs: SQSClient, ecs: ECSClient)] = [:]

    public init(common: CommonOptions, environment: Environment, time: TimeSource, random: RandomSource,
                fileSystem: FileSystem, logger: Logger, transport: HTTPTransport? = nil) {
        self.common = common
        self.environment = environment
        self.time = time
        self.random = random
        self.fileSystem = fileSystem
        self.logger = logger
        self.givenTransport = transport
    }

    public func sqs(queueUrl: String?) throws -> SQSAPI { try clients(queueUrl).sqs }
    public func ecs(queueUrl: String?) throws -> ECSAPI { try clients(queueUrl).ecs }

    private func clients(_ queueUrl: String?) throws -> (sqs: SQSClient, ecs: ECSClient) {
        if let built = clients[queueUrl ?? ""] { return built }
        var c = try ResolvedAWSConfig.resolve(
            flags: (region: common.region, profile: common.profile, endpointURL: common.endpointURL),
            queueUrl: queueUrl, env: environment, fs: fileSystem, transport: transport, time: time, random: random,
            userAgent: Version.userAgent, logger: logger)
        if let shared = credentials { c.credentials = shared } else { credentials = c.credentials }
        logger.debug("region \(c.region), profile \(c.profileName), sqs \(c.sqsEndpoint), ecs \(c.ecsEndpoint)")
        let retry = try RetryPolicy.standard(environment: environment)
        func client(_ service: AWSServiceSpec, endpoint: String) -> AWSClient {
            AWSClient(service: service, region: c.region, endpoint: endpoint, credentials: c.credentials,
                      transport: transport, time: time, random: random, userAgent: Version.userAgent, logger: logger,
                      retry: retry)
        }
        let built = (sqs: SQSClient(client: client(.sqs, endpoint: c.sqsEndpoint)),
                     ecs: ECSClient(client: client(.ecs, endpoint: c.ecsEndpoint)))
        clients[queueUrl ?? ""] = built
        return built
    }
}
