/// Credentials of the EC2 instance profile, through the instance metadata service (IMDSv2).
public final class IMDSCredentialProvider: CredentialProvider {
    public static let name = "ec2 instance metadata"
    let env: Environment
    let transport: HTTPTransport

    public init(env: Environment, transport: HTTPTransport) {
        self.env = env
        self.transport = transport
    }

    /// AWS_EC2_METADATA_SERVICE_ENDPOINT, or the IPv4 / IPv6 link-local address by endpoint mode.
    public var endpoint: String {
        var e = env.nonEmpty("AWS_EC2_METADATA_SERVICE_ENDPOINT")
            ?? (env.nonEmpty("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")?.lowercased() == "ipv6"
                ? "http://[fd00:ec2::254]" : "http://169.254.169.254")
        while e.hasSuffix("/") { e.removeLast() }
        return e
    }

    public func credentials(now: Double) throws -> Credentials {
        if env.nonEmpty("AWS_EC2_METADATA_DISABLED")?.lowercased() == "true" {
            throw CredentialError.absent(Self.name, "disabled by AWS_EC2_METADATA_DISABLED")
        }
        let base = endpoint
        let token = try fetchToken(base)
        var headers: [(name: String, value: String)] = []
        if let token { headers.append(("X-aws-ec2-metadata-token", token)) }
        let listPath = "/latest/meta-data/iam/security-credentials/"
        let list = try get(base + listPath, headers: headers)
        if list.status == 404 {
            throw CredentialError.absent(Self.name, "no IAM role attached to this instance")
        }
        guard list.status == 200 else { throw unexpected(list.status, base) }
        guard let role = list.text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).first.map({ ConfigFile.trim($0) }),
              !role.isEmpty else {
            throw CredentialError.absent(Self.name, "no IAM role attached to this instance")
        }
        let creds = try get(base + listPath + percentEncode(role), headers: headers)
        guard creds.status == 200 else { throw unexpected(creds.status, base) }
        return try parseCredentialsDocument(creds.body, provider: Self.name, what: "credentials of role \(role)")
            .refusingExpired(at: now, provider: Self.name, from: "the instance metadata service at \(hostOf(base))")
    }

    /// The IMDSv2 session token; nil means fall back to IMDSv1 (the SDKs do so on 403/404/405).
    func fetchToken(_ base: String) throws -> String? {
        let request = HTTPRequest(method: "PUT", url: base + "/latest/api/token",
                                  headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")],
                                  connectTimeout: 1, timeout: 2)
        let response: HTTPResponse
        do {
            response = try transport.send(request)
        } catch let e as TransportError {
            // Not on EC2: say so and let the chain report every provider.
            throw CredentialError.absent(Self.name, "no metadata service at \(hostOf(base)): \(e.detail)")
        }
        switch response.status {
        case 200:
            let token = ConfigFile.trim(response.text)
            guard !token.isEmpty else { throw CredentialError(provider: Self.name, "empty session token from \(hostOf(base))", kind: .unavailable) }
            return token
        case 403, 404, 405:
            if env.nonEmpty("AWS_EC2_METADATA_V1_DISABLED")?.lowercased() == "true" {
                throw CredentialError(provider: Self.name,
                                      "HTTP \(response.status) for a session token from \(hostOf(base)) and AWS_EC2_METADATA_V1_DISABLED is set")
            }
            return nil
        default:
            throw unexpected(response.status, base)
        }
    }

    private func get(_ url: String, headers: [(name: String, value: String)]) throws -> HTTPResponse {
        do {
            return try transport.send(HTTPRequest(method: "GET", url: url, headers: headers, connectTimeout: 1, timeout: 2))
        } catch let e as TransportError {
            throw CredentialError(provider: Self.name, "cannot reach \(hostOf(url)): \(e.detail)", kind: .unavailable)
        }
    }

    private func unexpected(_ status: Int, _ base: String) -> CredentialError {
        CredentialError(provider: Self.name, "HTTP \(status) from \(hostOf(base))", kind: .unavailable)
    }
}
