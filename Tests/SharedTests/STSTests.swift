import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

@Suite struct STSTests {
    let source = Credentials(accessKeyId: "AKIDSOURCE", secretAccessKey: "sourcesecret", sessionToken: "sourcetoken")

    func client(_ transport: HTTPTransport, time: ManualTime = ManualTime()) -> STSClient {
        STSClient(endpoint: "https://sts.us-west-2.amazonaws.com", region: "us-west-2", transport: transport, time: time,
                  random: FixedRandom(1))
    }

    @Test func formEncodingFollowsSigV4Rules() {
        #expect(percentEncode("AZaz09-_.~") == "AZaz09-_.~")
        #expect(percentEncode("a b+c/d:e=f&g*h%") == "a%20b%2Bc%2Fd%3Ae%3Df%26g%2Ah%25")
        #expect(percentEncode("é☃") == "%C3%A9%E2%98%83")
        #expect(formEncode([("Action", "AssumeRole"), ("RoleSessionName", "a b")]) == "Action=AssumeRole&RoleSessionName=a%20b")
    }

    @Test func assumeRoleRequestAndResponse() throws {
        let transport = CredFakeTransport { _ in
            STSFixtures.credentials("AssumeRole", id: "ASIANEW", secret: "new/secret+key", token: "FwoGZXIvYXdzE&amp;xyz",
                                    expiration: "2023-11-14T23:13:20.123Z")
        }
        let c = try client(transport).assumeRole(.init(roleArn: "arn:aws:iam::123456789012:role/deploy", sessionName: "s",
                                                       externalId: "ext", durationSeconds: 900), using: source)
        #expect(c == Credentials(accessKeyId: "ASIANEW", secretAccessKey: "new/secret+key", sessionToken: "FwoGZXIvYXdzE&xyz",
                                 expiration: 1_700_003_600.123))
        let r = try #require(transport.requests.first)
        #expect(r.method == "POST")
        #expect(r.url == "https://sts.us-west-2.amazonaws.com/")
        #expect(String(decoding: r.body, as: UTF8.self)
            == "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdeploy&RoleSessionName=s&ExternalId=ext&DurationSeconds=900")
        #expect(r.header("Authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDSOURCE/") == true)
        #expect(r.header("Authorization")?.contains("/us-west-2/sts/aws4_request") == true)
        #expect(r.header("X-Amz-Security-Token") == "sourcetoken")
    }

    @Test func signatureMatchesAnIndependentSigV4() throws {
        // The request STS receives is exactly what the shared signer produces for it.
        let transport = CredFakeTransport { _ in STSFixtures.credentials("AssumeRole", id: "A", secret: "S", token: "T") }
        let time = ManualTime(1_440_938_160)
        _ = try client(transport, time: time).assumeRole(.init(roleArn: "arn:aws:iam::1:role/r", sessionName: "s"), using: source)
        var unsigned = try #require(transport.requests.first)
        unsigned.headers.removeAll { ["authorization", "x-amz-date", "x-amz-security-token", "host"].contains($0.name.lowercased()) }
        let expected = SigV4Signer(credentials: source, region: "us-west-2", service: "sts").sign(unsigned, date: 1_440_938_160)
        #expect(transport.requests.first?.header("Authorization") == expected.header("Authorization"))
        #expect(transport.requests.first?.header("X-Amz-Date") == "20150830T123600Z")
    }

    @Test func errorResponsesMapToExitStatuses() throws {
        let table: [(Int, String, Shared.ExitStatus)] = [
            (403, "AccessDenied", .noPermission),
            (403, "InvalidClientTokenId", .noPermission),
            (403, "SignatureDoesNotMatch", .noPermission),
            (400, "ExpiredToken", .noPermission),
            (400, "ValidationError", .config),
            (400, "MalformedPolicyDocument", .config),
            (403, "RegionDisabledException", .config),
        ]
        for (status, code, exit) in table {
            let transport = CredFakeTransport { _ in STSFixtures.error(status: status, code: code, message: "it said <no> &amp; more") }
            do {
                _ = try client(transport).assumeRole(.init(roleArn: "arn:aws:iam::1:role/r", sessionName: "s"), using: source)
                Issue.record("expected an error")
            } catch let e as AWSError {
                #expect(e.code == code)
                #expect(e.exitStatus == exit)
                #expect(e.message == "sts AssumeRole: \(code): it said <no> & more (HTTP \(status), request id 4d5e6f)")
                #expect(transport.requests.count == 1)
            }
        }
    }

    @Test func throttlingAndServerErrorsAreRetried() throws {
        var answers = [STSFixtures.error(status: 400, code: "Throttling", message: "Rate exceeded"),
                       HTTPResponse(status: 503, text: "<html>unavailable</html>"),
                       STSFixtures.credentials("AssumeRole", id: "ASIAOK", secret: "s", token: "t")]
        let transport = CredFakeTransport { _ in answers.removeFirst() }
        let time = ManualTime()
        let c = try client(transport, time: time).assumeRole(.init(roleArn: "arn:aws:iam::1:role/r", sessionName: "s"), using: source)
        #expect(c.accessKeyId == "ASIAOK")
        #expect(time.sleeps == [1, 2])
        // Each attempt is signed afresh at its own time.
        #expect(Set(transport.requests.compactMap { $0.header("X-Amz-Date") }).count == 3)

        let down = CredFakeTransport { r in throw TransportError(kind: .connect, url: r.url, detail: "connection refused") }
        do {
            _ = try client(down).assumeRoleWithWebIdentity(roleArn: "arn:aws:iam::1:role/r", sessionName: "s", token: "jwt")
            Issue.record("expected an error")
        } catch let e as AWSError {
            #expect(e.exitStatus == .unavailable)
            #expect(e.message == "sts AssumeRoleWithWebIdentity: cannot connect: https://sts.us-west-2.amazonaws.com/: connection refused (after 3 attempts)")
            #expect(down.requests.count == 3)
        }
        let throttled = CredFakeTransport { _ in STSFixtures.error(status: 400, code: "Throttling", message: "Rate exceeded") }
        do {
            _ = try client(throttled).assumeRole(.init(roleArn: "arn:aws:iam::1:role/r", sessionName: "s"), using: source)
            Issue.record("expected an error")
        } catch let e as AWSError {
            #expect(e.exitStatus == .throttled)
        }
    }

    @Test func unparseableAnswers() throws {
        let html = CredFakeTransport { _ in HTTPResponse(status: 502, text: "<html>\n  <body>Bad Gateway</body>\n</html>") }
        let c = client(html)
        c.maxAttempts = 1
        do {
            _ = try c.assumeRole(.init(roleArn: "arn:aws:iam::1:role/r", sessionName: "s"), using: source)
            Issue.record("expected an error")
        } catch let e as AWSError {
            #expect(e.message == "sts AssumeRole: <html> <body>Bad Gateway</body> </html> (HTTP 502)")
            #expect(e.exitStatus == .unavailable)
        }
        let empty = CredFakeTransport { _ in HTTPResponse(status: 200, text: "<AssumeRoleResponse></AssumeRoleResponse>") }
        #expect(throws: AWSError.self) {
            try client(empty).assumeRole(.init(roleArn: "arn:aws:iam::1:role/r", sessionName: "s"), using: source)
        }
    }

    @Test func xmlExtractor() {
        let xml = #"<R><CodeX>no</CodeX><Code attr="1">Yes &lt;b&gt; &#65;&#x42;</Code><Empty/><Message></Message></R>"#
        #expect(XMLText.element("Code", in: xml) == "Yes <b> AB")
        #expect(XMLText.element("Empty", in: xml) == "")
        #expect(XMLText.element("Message", in: xml) == "")
        #expect(XMLText.element("Missing", in: xml) == nil)
        #expect(XMLText.element("Unclosed", in: "<Unclosed>text") == nil)
        #expect(XMLText.element("Code", in: "<Code") == nil)
    }
}

/// STS of the local AWS endpoint (moto, authentication on): the profile role chain end to end.
@Suite struct LiveSTSTests {
    func resolve(source user: LocalAWS.User, info: LocalAWS.Info, sessionName: String) throws -> ResolvedAWSConfig {
        let config = """
        [profile deploy]
        role_arn = \(info.roleArn)
        source_profile = base
        role_session_name = \(sessionName)
        duration_seconds = 900
        """
        let credentials = "[base]\naws_access_key_id = \(user.accessKeyId)\naws_secret_access_key = \(user.secretAccessKey)\n"
        let fs = MemoryFileSystem(["/home/t/.aws/config": config, "/home/t/.aws/credentials": credentials])
        return try ResolvedAWSConfig.resolve(flags: (info.region, "deploy", info.endpoint), queueUrl: nil,
                                             env: Environment(["HOME": "/home/t"]), fs: fs,
                                             transport: CurlTransport(environment: Environment()), time: SystemTime(), logger: nil)
    }

    @Test func assumedRoleCredentialsAreAcceptedByECS() throws {
        let info = try LocalAWS.shared()
        let resolved = try resolve(source: try info.user("deployer"), info: info, sessionName: "live-test")
        #expect(resolved.stsEndpoint == info.endpoint)
        let now = SystemTime().now()
        let c = try resolved.credentials.credentials(now: now)
        #expect(c.source == "profile deploy")
        #expect(c.accessKeyId != (try info.user("deployer")).accessKeyId)
        #expect(c.sessionToken?.isEmpty == false)
        let expiration = try #require(c.expiration)
        #expect(expiration > now + 800 && expiration < now + 1000)

        // The role may call what the minimum policy allows.
        let cluster = "sts-live-\(Int(now))"
        _ = try LocalAWS.client(.ecs, user: "admin").call("CreateCluster", ["clusterName": .string(cluster)])
        let ecs = ECSClient(client: AWSClient(service: .ecs, region: resolved.region, endpoint: resolved.ecsEndpoint,
                                                  credentials: resolved.credentials, transport: CurlTransport(environment: Environment()),
                                                  time: SystemTime(), random: SystemRandom(), userAgent: Version.userAgent))
        let result = try ecs.describeServices(cluster: cluster, services: ["absent"])
        #expect(result.services.isEmpty)
        #expect(result.failures.first?["reason"]?.stringValue == "MISSING")
    }

    @Test func outsiderIsDeniedTheRole() throws {
        let info = try LocalAWS.shared()
        let resolved = try resolve(source: try info.user("outsider"), info: info, sessionName: "intruder")
        do {
            _ = try resolved.credentials.credentials(now: SystemTime().now())
            Issue.record("expected AccessDenied")
        } catch let e as ReportedError {
            #expect(e.exitStatus == .noPermission)
            #expect(e.message.hasPrefix("profile deploy: sts AssumeRole: AccessDenied: "))
            #expect(!e.message.contains((try info.user("outsider")).secretAccessKey))
        }
    }
}
