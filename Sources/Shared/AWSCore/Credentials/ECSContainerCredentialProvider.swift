/// Credentials from the ECS (or EKS Pod Identity) container credentials endpoint.
public final class ECSContainerCredentialProvider: CredentialProvider {
    public static let name = "ecs container"
    static let ecsHost = "http://169.254.170.2"
    let env: Environment
    let fs: FileSystem
    let transport: HTTPTransport
    let time: TimeSource
    let random: RandomSource

    public init(env: Environment, fs: FileSystem, transport: HTTPTransport, time: TimeSource,
                random: RandomSource = SystemRandom()) {
        self.env = env
        self.fs = fs
        self.transport = transport
        self.time = time
        self.random = random
    }

    /// The URL to ask, or why there is none: RELATIVE_URI wins over FULL_URI, as in the SDKs.
    public func endpoint() throws -> String {
        if let relative = env.nonEmpty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            return Self.ecsHost + (relative.hasPrefix("/") ? relative : "/" + relative)
        }
        guard let full = env.nonEmpty("AWS_CONTAINER_CREDENTIALS_FULL_URI") else {
            throw CredentialError.absent(Self.name,
                                         "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI set")
        }
        let lower = full.lowercased()
        if lower.hasPrefix("https://") { return full }
        guard lower.hasPrefix("http://") else {
            throw CredentialError(provider: Self.name, "AWS_CONTAINER_CREDENTIALS_FULL_URI is not an http or https url")
        }
        let host = URLParts(full)?.bareHost ?? ""
        guard Self.allowedHTTPHost(host) else {
            throw CredentialError(provider: Self.name,
                                  "AWS_CONTAINER_CREDENTIALS_FULL_URI host \(host) is not allowed over http (only loopback, 169.254.170.2, 169.254.170.23, fd00:ec2::23)")
        }
        return full
    }

    /// Plain http may only go to this machine or the link-local credential agents (the SDKs' allow-list).
    static func allowedHTTPHost(_ host: String) -> Bool {
        if host == "localhost" || host == "169.254.170.2" || host == "169.254.170.23" { return true }
        if host == "::1" || host == "0:0:0:0:0:0:0:1" || host == "fd00:ec2::23" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }), parts[0] == "127" { return true }
        return false
    }

    func authorization() throws -> String? {
        if let file = env.nonEmpty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
            // Re-read on every fetch: EKS Pod Identity rotates the token in place.
            let text: String
            do {
                text = try fs.readText(file)
            } catch let e as FileError {
                throw CredentialError(provider: Self.name,
                                      "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(file): \(e.detail.lowercased())")
            }
            var token = Substring(text)
            while let l = token.last, l == "\n" || l == "\r\n" || l == "\r" || l == " " { token = token.dropLast() }
            return try checked(String(token), from: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
        }
        if let token = env.nonEmpty("AWS_CONTAINER_AUTHORIZATION_TOKEN") {
            return try checked(token, from: "AWS_CONTAINER_AUTHORIZATION_TOKEN")
        }
        return nil
    }

    private func checked(_ token: String, from variable: String) throws -> String {
        // A line break would smuggle a header into the request.
        if token.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            throw CredentialError(provider: Self.name, "the token from \(variable) contains a line break")
        }
        return token
    }

    public func credentials(now: Double) throws -> Credentials {
        let url = try endpoint()
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let token = try authorization() { headers.append(("Authorization", token)) }
        // The one call path: its retry policy (throttling, 5xx, connection failures) and error decoding.
        let client = AWSClient(service: .containerCredentials, region: "", endpoint: url,
                               credentials: StaticCredentialProvider(Credentials(accessKeyId: "", secretAccessKey: "")),
                               transport: transport, time: time, random: random, userAgent: "ecs-deployment")
        client.requestTimeout = 5
        client.connectTimeout = 2
        let response: HTTPResponse
        do {
            response = try client.send("GetCredentials", method: "GET", url: url, headers: headers, signed: false).response
        } catch let e as AWSError {
            // The endpoint's own words may quote the path, which can be a secret: name the host only.
            if e.kind == .transport {
                let detail = e.awsMessage.hasPrefix(url + ": ") ? String(e.awsMessage.dropFirst(url.count + 2)) : e.awsMessage
                throw CredentialError(provider: Self.name, "cannot reach \(hostOf(url)): \(detail)", kind: .unavailable)
            }
            let status = e.httpStatus ?? 0
            throw CredentialError(provider: Self.name, "HTTP \(status) from \(hostOf(url))",
                                  kind: status >= 500 || status == 429 ? .unavailable
                                      : status == 401 || status == 403 ? .permission : .configuration)
        }
        return try parseCredentialsDocument(response.body, provider: Self.name, what: "response from \(hostOf(url))")
            .refusingExpired(at: now, provider: Self.name, from: "the container endpoint \(hostOf(url))")
    }
}

/// Reads the `{AccessKeyId, SecretAccessKey, Token, Expiration}` document that the ECS agent
/// and the instance metadata service both answer with.
func parseCredentialsDocument(_ body: [UInt8], provider: String, what: String) throws -> Credentials {
    // The body holds the secret: never quote it in a message.
    guard let json = try? JSON.parse(String(decoding: body, as: UTF8.self), source: what), json.objectValue != nil else {
        throw CredentialError(provider: provider, "\(what) is not a JSON object", kind: .unavailable)
    }
    if let code = json["Code"]?.stringValue, code != "Success" {
        throw CredentialError(provider: provider, "\(what) has Code \(code)", kind: .unavailable)
    }
    guard let id = json["AccessKeyId"]?.stringValue, !id.isEmpty else {
        throw CredentialError(provider: provider, "\(what) lacks AccessKeyId", kind: .unavailable)
    }
    guard let secret = json["SecretAccessKey"]?.stringValue, !secret.isEmpty else {
        throw CredentialError(provider: provider, "\(what) lacks SecretAccessKey", kind: .unavailable)
    }
    var expiration: Double?
    if let e = json["Expiration"]?.stringValue {
        guard let t = ISO8601.parse(e) else {
            throw CredentialError(provider: provider, "\(what) has an unreadable Expiration \(e)", kind: .unavailable)
        }
        expiration = t
    }
    let token = json["Token"]?.stringValue
    return Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token?.isEmpty == true ? nil : token,
                       expiration: expiration, source: provider)
}
