import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

/// Issue 9: credentials that have already expired are refused (exit 77) with a message naming where
/// they came from, never used to sign. Before, each of these returned the expired keys.
@Suite struct ExpiredCredentialTests {
    /// 2023-11-14T22:00:00Z, a little before `credNow` (22:13:20Z).
    static let past = "2023-11-14T22:00:00Z"

    func refusal(_ body: () throws -> Credentials) -> CredentialError? {
        do {
            let c = try body()
            Issue.record("expected a refusal, got \(c)")
            return nil
        } catch let e as CredentialError {
            return e
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func credentialProcess() throws {
        let dir = try ScratchDir()
        let path = try dir.write("creds.sh", "#!/bin/sh\necho '{\"Version\":1,\"AccessKeyId\":\"ASIAOLD\",\"SecretAccessKey\":\"oldsecret\",\"Expiration\":\"\(Self.past)\"}'\n",
                                 mode: 0o755)
        let e = refusal { try ProcessCredentialProvider(provider: "profile proc", command: "/bin/sh \(path)", env: Environment()).credentials(now: credNow) }
        #expect(e?.message == "profile proc: credential_process returned credentials that expired at 2023-11-14T22:00:00Z")
        #expect(e?.exitStatus == .noPermission)
        #expect(e?.message.contains("oldsecret") == false)
    }

    @Test func containerEndpoint() throws {
        let transport = CredFakeTransport { _ in
            HTTPResponse(status: 200, text: #"{"AccessKeyId":"ASIAOLD","SecretAccessKey":"s","Token":"t","Expiration":"\#(Self.past)"}"#)
        }
        let env = Environment(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x"])
        let e = refusal { try ECSContainerCredentialProvider(env: env, fs: MemoryFileSystem(), transport: transport, time: ManualTime()).credentials(now: credNow) }
        #expect(e?.message == "ecs container: the container endpoint 169.254.170.2 returned credentials that expired at 2023-11-14T22:00:00Z")
        #expect(e?.exitStatus == .noPermission)
        #expect(e?.notConfigured == false)
    }

    @Test func instanceMetadata() throws {
        let transport = CredFakeTransport { r in
            if r.method == "PUT" { return HTTPResponse(status: 200, text: "tok") }
            if r.url.hasSuffix("/security-credentials/") { return HTTPResponse(status: 200, text: "role") }
            return HTTPResponse(status: 200, text: #"{"Code":"Success","AccessKeyId":"ASIAOLD","SecretAccessKey":"s","Token":"t","Expiration":"\#(Self.past)"}"#)
        }
        let e = refusal { try IMDSCredentialProvider(env: Environment(), transport: transport).credentials(now: credNow) }
        #expect(e?.message == "ec2 instance metadata: the instance metadata service at 169.254.169.254 returned credentials that expired at 2023-11-14T22:00:00Z")
        #expect(e?.exitStatus == .noPermission)
    }

    @Test func stsAssumeRoleAndWebIdentity() throws {
        let transport = CredFakeTransport { r in
            let action = STSFixtures.form(r)["Action"] ?? ""
            return STSFixtures.credentials(action, id: "ASIAOLD", secret: "s", token: "t", expiration: Self.past)
        }
        let sts = STSClient(endpoint: "https://sts.eu-west-1.amazonaws.com", region: "eu-west-1", transport: transport, time: ManualTime())
        let role = AssumeRoleCredentialProvider(provider: "profile deploy", roleArn: "arn:aws:iam::1:role/r", sessionName: "s",
                                                source: StaticCredentialProvider(Credentials(accessKeyId: "AKID", secretAccessKey: "k")), sts: sts)
        let e = refusal { try role.credentials(now: credNow) }
        #expect(e?.message == "profile deploy: sts AssumeRole at sts.eu-west-1.amazonaws.com returned credentials that expired at 2023-11-14T22:00:00Z")
        #expect(e?.exitStatus == .noPermission)
        let web = WebIdentityCredentialProvider(tokenFile: "/tok", roleArn: "arn:aws:iam::1:role/w", sessionName: nil,
                                                fs: MemoryFileSystem(["/tok": "jwt"]), sts: sts)
        let w = refusal { try web.credentials(now: credNow) }
        #expect(w?.message == "web identity: sts AssumeRoleWithWebIdentity at sts.eu-west-1.amazonaws.com returned credentials that expired at 2023-11-14T22:00:00Z")
        #expect(w?.exitStatus == .noPermission)
    }

    /// Through the cache and the chain: the refusal reaches the tool as is, and nothing falls back
    /// to a later provider.
    @Test func theChainStopsAtTheRefusal() throws {
        let transport = CredFakeTransport { _ in
            HTTPResponse(status: 200, text: #"{"AccessKeyId":"ASIAOLD","SecretAccessKey":"s","Token":"t","Expiration":"\#(Self.past)"}"#)
        }
        let env = Environment(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x", "AWS_EC2_METADATA_DISABLED": "true"])
        let chain = DefaultCredentialChain.standard(config: SharedConfig(configPath: "/c", credentialsPath: "/k"), profileFlagGiven: false,
                                                    env: env, fs: MemoryFileSystem(), transport: transport, time: ManualTime(),
                                                    makeSTS: { fatalError("no STS here") })
        let e = refusal { try CachingCredentialProvider(chain).credentials(now: credNow) }
        #expect(e?.exitStatus == .noPermission)
        #expect(e?.provider == "ecs container")
        #expect(transport.requests.count == 1)
    }

    /// Still valid, even by a second: used, and refreshed once inside the five-minute window.
    @Test func aboutToExpireIsUsedThenRefreshed() throws {
        var n = 0
        let transport = CredFakeTransport { _ in
            n += 1
            let expiration = n == 1 ? "2023-11-14T22:13:21Z" : "2023-11-14T23:13:20Z"
            return HTTPResponse(status: 200, text: #"{"AccessKeyId":"ASIA\#(n)","SecretAccessKey":"s","Token":"t","Expiration":"\#(expiration)"}"#)
        }
        let env = Environment(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x"])
        let cache = CachingCredentialProvider(ECSContainerCredentialProvider(env: env, fs: MemoryFileSystem(), transport: transport, time: ManualTime()))
        #expect(try cache.credentials(now: credNow).accessKeyId == "ASIA1")
        #expect(try cache.credentials(now: credNow + 0.5).accessKeyId == "ASIA2")
        #expect(try cache.credentials(now: credNow + 60).accessKeyId == "ASIA2")
        #expect(transport.requests.count == 2)
    }
}
