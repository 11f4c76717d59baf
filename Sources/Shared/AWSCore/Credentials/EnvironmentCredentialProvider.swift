/// Keys from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
public final class EnvironmentCredentialProvider: CredentialProvider {
    public static let name = "environment"
    let env: Environment

    public init(env: Environment) { self.env = env }

    public func credentials(now: Double) throws -> Credentials {
        let id = env.nonEmpty("AWS_ACCESS_KEY_ID")
        let secret = env.nonEmpty("AWS_SECRET_ACCESS_KEY")
        switch (id, secret) {
        case let (id?, secret?):
            return Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: env.nonEmpty("AWS_SESSION_TOKEN"),
                               source: Self.name)
        case (nil, nil):
            return try Self.absent()
        case (_?, nil):
            throw CredentialError(provider: Self.name, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        case (nil, _?):
            throw CredentialError(provider: Self.name, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
        }
    }

    private static func absent() throws -> Credentials {
        throw CredentialError.absent(name, "AWS_ACCESS_KEY_ID not set")
    }
}
