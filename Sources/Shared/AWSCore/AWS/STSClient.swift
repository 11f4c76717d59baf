/// The two STS calls the credential chain needs, over the query protocol of the one AWS call path.
public final class STSClient {
    let client: AWSClient

    public init(endpoint: String, region: String, transport: HTTPTransport, time: TimeSource,
                random: RandomSource = SystemRandom(), userAgent: String = "ecs-deployment", logger: Logger? = nil,
                retry: RetryPolicy = .standard) {
        // The credentials are those of each call (AssumeRole) or none (AssumeRoleWithWebIdentity).
        client = AWSClient(service: .sts, region: region, endpoint: endpoint,
                           credentials: StaticCredentialProvider(Credentials(accessKeyId: "", secretAccessKey: "")),
                           transport: transport, time: time, random: random, userAgent: userAgent, logger: logger, retry: retry)
    }

    /// Attempts per call, the first included.
    public var maxAttempts: Int {
        get { client.retry.maxAttempts }
        set { client.retry = RetryPolicy(maxAttempts: newValue) }
    }

    /// The endpoint, for messages.
    public var endpoint: String { client.endpoint }

    /// Parameters of AssumeRole.
    public struct AssumeRoleRequest: Sendable, Equatable {
        public var roleArn: String
        public var sessionName: String
        public var externalId: String?
        public var durationSeconds: Int?
        public init(roleArn: String, sessionName: String, externalId: String? = nil, durationSeconds: Int? = nil) {
            self.roleArn = roleArn
            self.sessionName = sessionName
            self.externalId = externalId
            self.durationSeconds = durationSeconds
        }
    }

    /// AssumeRole, signed with the source credentials.
    public func assumeRole(_ request: AssumeRoleRequest, using credentials: Credentials) throws -> Credentials {
        var params: [(String, String)] = [("RoleArn", request.roleArn), ("RoleSessionName", request.sessionName)]
        if let id = request.externalId { params.append(("ExternalId", id)) }
        if let d = request.durationSeconds { params.append(("DurationSeconds", String(d))) }
        let signing = AWSClient(service: .sts, region: client.region, endpoint: client.endpoint,
                                credentials: StaticCredentialProvider(credentials), transport: client.transport,
                                time: client.time, random: client.random, userAgent: client.userAgent, logger: client.logger,
                                retry: client.retry, quota: client.quota)
        return try parseCredentials(signing.query("AssumeRole", params), operation: "AssumeRole")
    }

    /// AssumeRoleWithWebIdentity: the token is the proof, so the request is not signed.
    public func assumeRoleWithWebIdentity(roleArn: String, sessionName: String, token: String,
                                          durationSeconds: Int? = nil) throws -> Credentials {
        var params: [(String, String)] = [("RoleArn", roleArn), ("RoleSessionName", sessionName), ("WebIdentityToken", token)]
        if let d = durationSeconds { params.append(("DurationSeconds", String(d))) }
        return try parseCredentials(client.query("AssumeRoleWithWebIdentity", params, signed: false),
                                    operation: "AssumeRoleWithWebIdentity")
    }

    func parseCredentials(_ xml: String, operation: String) throws -> Credentials {
        func unreadable(_ what: String) -> AWSError {
            AWSError(service: "sts", operation: operation, httpStatus: 200, code: nil, awsMessage: what, requestId: nil,
                     kind: .transient)
        }
        guard let block = XMLText.element("Credentials", in: xml),
              let keyId = XMLText.element("AccessKeyId", in: block),
              let secret = XMLText.element("SecretAccessKey", in: block) else {
            throw unreadable("response has no credentials")
        }
        var expiration: Double?
        if let e = XMLText.element("Expiration", in: block) {
            guard let t = ISO8601.parse(e) else { throw unreadable("unreadable Expiration \(e)") }
            expiration = t
        }
        return Credentials(accessKeyId: keyId, secretAccessKey: secret,
                           sessionToken: XMLText.element("SessionToken", in: block), expiration: expiration)
    }
}
