// INTEGRATION POINT: the only place that builds the real AWS clients. Replace the body of
// `makeFactory` with the real factory (`RealAWSClientFactory(common:env:...)`) once it exists.

/// Builds the AWS client factory of a tool run from its flags and environment.
public func makeFactory(common: CommonOptions, environment: Environment, time: TimeSource, random: RandomSource,
                        fileSystem: FileSystem, logger: Logger) throws -> AWSClientFactory {
    throw SimpleToolError(.config, "AWS clients are not available in this build")
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
