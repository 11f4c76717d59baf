import Glibc
import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

/// An HTTP transport answering from a closure and recording every request.
final class CredFakeTransport: HTTPTransport {
    var requests: [HTTPRequest] = []
    var handler: (HTTPRequest) throws -> HTTPResponse

    init(_ handler: @escaping (HTTPRequest) throws -> HTTPResponse) { self.handler = handler }

    /// A transport that must not be used.
    static func unused() -> CredFakeTransport {
        CredFakeTransport { r in
            Issue.record("unexpected request \(r.method) \(r.url)")
            throw TransportError(kind: .connect, url: r.url, detail: "unexpected")
        }
    }

    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        requests.append(request)
        return try handler(request)
    }
}

/// STS query-protocol answers, as AWS sends them.
enum STSFixtures {
    static func credentials(_ operation: String, id: String, secret: String, token: String,
                            expiration: String = "2023-11-14T23:13:20Z") -> HTTPResponse {
        HTTPResponse(status: 200, text: """
        <\(operation)Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <\(operation)Result>
            <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/deploy/s</Arn></AssumedRoleUser>
            <Credentials>
              <AccessKeyId>\(id)</AccessKeyId>
              <SecretAccessKey>\(secret)</SecretAccessKey>
              <SessionToken>\(token)</SessionToken>
              <Expiration>\(expiration)</Expiration>
            </Credentials>
          </\(operation)Result>
          <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
        </\(operation)Response>
        """)
    }

    static func error(status: Int, code: String, message: String) -> HTTPResponse {
        HTTPResponse(status: status, text: """
        <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <Error><Type>Sender</Type><Code>\(code)</Code><Message>\(message)</Message></Error>
          <RequestId>4d5e6f</RequestId>
        </ErrorResponse>
        """)
    }

    /// The form fields of a query-protocol body.
    static func form(_ r: HTTPRequest) -> [String: String] {
        var result: [String: String] = [:]
        for pair in String(decoding: r.body, as: UTF8.self).split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            result[kv[0]] = kv.count > 1 ? percentDecode(kv[1]) : ""
        }
        return result
    }

    static func percentDecode(_ s: String) -> String {
        var out: [UInt8] = []
        var bytes = Array(s.utf8)[...]
        while let b = bytes.first {
            bytes = bytes.dropFirst()
            if b == UInt8(ascii: "%"), bytes.count >= 2, let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

// 2023-11-14T22:13:20Z, the default ManualTime start.
let credNow = 1_700_000_000.0

@Suite struct CredentialTests {
    func makeSTS(_ transport: HTTPTransport, _ time: TimeSource = ManualTime()) -> () -> STSClient {
        { STSClient(endpoint: "https://sts.eu-west-1.amazonaws.com", region: "eu-west-1", transport: transport, time: time) }
    }

    func profileProvider(config: String = "", credentials: String = "", profile: String? = nil, env: [String: String] = [:],
                         fs extra: [String: String] = [:], transport: HTTPTransport = CredFakeTransport.unused(),
                         time: TimeSource = ManualTime()) throws -> ProfileCredentialProvider {
        var files = extra
        files["/root/.aws/config"] = config
        files["/root/.aws/credentials"] = credentials
        let fs = MemoryFileSystem(files)
        let e = Environment(env)
        let shared = try SharedConfig.load(profileFlag: profile, env: e, fs: fs)
        return ProfileCredentialProvider(config: shared, env: e, fs: fs, transport: transport, time: time,
                                         makeSTS: makeSTS(transport, time))
    }

    func failure(_ body: () throws -> Credentials) -> CredentialError? {
        do {
            let c = try body()
            Issue.record("expected an error, got \(c)")
            return nil
        } catch let e as CredentialError {
            return e
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    // MARK: environment

    @Test func environmentKeys() throws {
        let env = Environment(["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_SESSION_TOKEN": "envtoken"])
        let c = try EnvironmentCredentialProvider(env: env).credentials(now: credNow)
        #expect(c == Credentials(accessKeyId: "AKIDENV", secretAccessKey: "envsecret", sessionToken: "envtoken", source: "environment"))
        let noToken = try EnvironmentCredentialProvider(env: Environment(["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S",
                                                                          "AWS_SESSION_TOKEN": ""])).credentials(now: credNow)
        #expect(noToken.sessionToken == nil)
        #expect(noToken.expiration == nil)
    }

    @Test func environmentPartialOrAbsent() throws {
        let onlyId = failure { try EnvironmentCredentialProvider(env: Environment(["AWS_ACCESS_KEY_ID": "AKID"])).credentials(now: credNow) }
        #expect(onlyId?.message == "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        #expect(onlyId?.notConfigured == false)
        #expect(onlyId?.exitStatus == .config)
        let onlySecret = failure { try EnvironmentCredentialProvider(env: Environment(["AWS_SECRET_ACCESS_KEY": "s"])).credentials(now: credNow) }
        #expect(onlySecret?.message == "environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
        let none = failure { try EnvironmentCredentialProvider(env: Environment(["AWS_ACCESS_KEY_ID": ""])).credentials(now: credNow) }
        #expect(none?.message == "environment: AWS_ACCESS_KEY_ID not set")
        #expect(none?.notConfigured == true)
    }

    // MARK: web identity

    @Test func webIdentityFromEnvironment() throws {
        let fs = MemoryFileSystem(["/var/run/token": "eyJhbGciOiJSUzI1NiJ9.payload.sig\n"])
        let transport = CredFakeTransport { _ in
            STSFixtures.credentials("AssumeRoleWithWebIdentity", id: "ASIAWEB", secret: "websecret", token: "webtoken")
        }
        let env = Environment(["AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/token", "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/ci",
                               "AWS_ROLE_SESSION_NAME": "build 42"])
        let p = WebIdentityCredentialProvider.fromEnvironment(env, fs: fs, sts: makeSTS(transport))
        let c = try p.credentials(now: credNow)
        #expect(c == Credentials(accessKeyId: "ASIAWEB", secretAccessKey: "websecret", sessionToken: "webtoken",
                                 expiration: credNow + 3600, source: "web identity"))
        let r = try #require(transport.requests.first)
        #expect(r.method == "POST")
        #expect(r.url == "https://sts.eu-west-1.amazonaws.com/")
        #expect(r.header("Authorization") == nil)
        #expect(r.header("Content-Type") == "application/x-www-form-urlencoded; charset=utf-8")
        #expect(String(decoding: r.body, as: UTF8.self) ==
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fci"
            + "&RoleSessionName=build%2042&WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.payload.sig")
    }

    @Test func webIdentityErrors() throws {
        let absent = failure { try WebIdentityCredentialProvider.fromEnvironment(Environment(), fs: MemoryFileSystem(),
                                                                                 sts: makeSTS(CredFakeTransport.unused())).credentials(now: credNow) }
        #expect(absent?.message == "web identity: AWS_WEB_IDENTITY_TOKEN_FILE not set")
        #expect(absent?.notConfigured == true)
        let noRole = failure { try WebIdentityCredentialProvider.fromEnvironment(Environment(["AWS_WEB_IDENTITY_TOKEN_FILE": "/t"]),
                                                                                 fs: MemoryFileSystem(), sts: makeSTS(CredFakeTransport.unused())).credentials(now: credNow) }
        #expect(noRole?.message == "web identity: AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not")
        #expect(noRole?.notConfigured == false)
        let env = Environment(["AWS_WEB_IDENTITY_TOKEN_FILE": "/missing", "AWS_ROLE_ARN": "arn:aws:iam::1:role/r"])
        let missing = failure { try WebIdentityCredentialProvider.fromEnvironment(env, fs: MemoryFileSystem(),
                                                                                  sts: makeSTS(CredFakeTransport.unused())).credentials(now: credNow) }
        #expect(missing?.message == "web identity: cannot read web identity token file /missing: no such file or directory")
        let denied = CredFakeTransport { _ in
            STSFixtures.error(status: 403, code: "InvalidIdentityToken", message: "Incorrect token audience")
        }
        let rejected = failure { try WebIdentityCredentialProvider.fromEnvironment(env, fs: MemoryFileSystem(["/missing": "tok"]),
                                                                                   sts: makeSTS(denied)).credentials(now: credNow) }
        #expect(rejected?.message == "web identity: sts AssumeRoleWithWebIdentity: InvalidIdentityToken: Incorrect token audience (HTTP 403, request id 4d5e6f)")
        #expect(rejected?.exitStatus == .noPermission)
    }

    // MARK: profiles

    @Test func staticProfileKeys() throws {
        let p = try profileProvider(credentials: "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = filesecret\naws_session_token = filetoken\n")
        #expect(try p.credentials(now: credNow) == Credentials(accessKeyId: "AKIDFILE", secretAccessKey: "filesecret",
                                                          sessionToken: "filetoken", source: "profile default"))
        let prod = try profileProvider(config: "[profile prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = prodsecret\n",
                                       profile: "prod")
        #expect(try prod.credentials(now: credNow).accessKeyId == "AKIDPROD")
    }

    @Test func profileWithoutCredentialsOrPartialKeys() throws {
        let none = failure { try profileProvider(config: "[default]\nregion = eu-west-1\n").credentials(now: credNow) }
        #expect(none?.message == "profile default: no credentials in /root/.aws/credentials or /root/.aws/config")
        #expect(none?.notConfigured == true)
        let missing = failure { try profileProvider().credentials(now: credNow) }
        #expect(missing?.message == "profile default: not found in /root/.aws/credentials or /root/.aws/config")
        #expect(missing?.notConfigured == true)
        let partial = failure { try profileProvider(credentials: "[default]\naws_access_key_id = AKID\n").credentials(now: credNow) }
        #expect(partial?.message == "profile default: aws_access_key_id without aws_secret_access_key in /root/.aws/credentials")
        #expect(partial?.notConfigured == false)
    }

    @Test func roleWithSourceProfile() throws {
        let time = ManualTime(credNow)
        let transport = CredFakeTransport { _ in
            STSFixtures.credentials("AssumeRole", id: "ASIAROLE", secret: "rolesecret", token: "roletoken")
        }
        let config = """
        [profile deploy]
        role_arn = arn:aws:iam::123456789012:role/deploy
        source_profile = base
        role_session_name = worker-1
        external_id = ext-123
        duration_seconds = 1800
        """
        let p = try profileProvider(config: config, credentials: "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = basesecret\n",
                                    profile: "deploy", transport: transport, time: time)
        let c = try p.credentials(now: credNow)
        #expect(c == Credentials(accessKeyId: "ASIAROLE", secretAccessKey: "rolesecret", sessionToken: "roletoken",
                                 expiration: credNow + 3600, source: "profile deploy"))
        let r = try #require(transport.requests.first)
        #expect(STSFixtures.form(r) == ["Action": "AssumeRole", "Version": "2011-06-15",
                                        "RoleArn": "arn:aws:iam::123456789012:role/deploy", "RoleSessionName": "worker-1",
                                        "ExternalId": "ext-123", "DurationSeconds": "1800"])
        // Signed with the source profile's keys, for STS in the resolved region.
        let auth = try #require(r.header("Authorization"))
        #expect(auth.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDBASE/20231114/eu-west-1/sts/aws4_request"))
        #expect(r.header("X-Amz-Date") == "20231114T221320Z")
    }

    @Test func chainedRolesSignWithThePreviousRole() throws {
        var n = 0
        let transport = CredFakeTransport { _ in
            n += 1
            return STSFixtures.credentials("AssumeRole", id: "ASIASTEP\(n)", secret: "s\(n)", token: "t\(n)")
        }
        let config = """
        [profile a]
        role_arn = arn:aws:iam::111111111111:role/a
        source_profile = b
        [profile b]
        role_arn = arn:aws:iam::222222222222:role/b
        source_profile = c
        [profile c]
        aws_access_key_id = AKIDC
        aws_secret_access_key = csecret
        """
        let p = try profileProvider(config: config, profile: "a", transport: transport)
        let c = try p.credentials(now: credNow)
        #expect(c.accessKeyId == "ASIASTEP2")
        #expect(transport.requests.count == 2)
        #expect(STSFixtures.form(transport.requests[0])["RoleArn"] == "arn:aws:iam::222222222222:role/b")
        #expect(transport.requests[0].header("Authorization")?.contains("Credential=AKIDC/") == true)
        #expect(STSFixtures.form(transport.requests[1])["RoleArn"] == "arn:aws:iam::111111111111:role/a")
        #expect(transport.requests[1].header("Authorization")?.contains("Credential=ASIASTEP1/") == true)
        #expect(transport.requests[1].header("X-Amz-Security-Token") == "t1")
        #expect(STSFixtures.form(transport.requests[1])["RoleSessionName"] == "ecs-deployment-1700000000")
    }

    @Test func roleProfileErrors() throws {
        let cycle = """
        [profile a]
        role_arn = arn:aws:iam::1:role/a
        source_profile = b
        [profile b]
        role_arn = arn:aws:iam::1:role/b
        source_profile = a
        """
        #expect(failure { try profileProvider(config: cycle, profile: "a").credentials(now: credNow) }?.message
            == "profile b: source_profile cycle: a -> b -> a")
        let selfStatic = """
        [profile s]
        role_arn = arn:aws:iam::1:role/s
        source_profile = s
        aws_access_key_id = AKIDSELF
        aws_secret_access_key = selfsecret
        """
        let transport = CredFakeTransport { _ in STSFixtures.credentials("AssumeRole", id: "ASIAS", secret: "x", token: "y") }
        #expect(try profileProvider(config: selfStatic, profile: "s", transport: transport).credentials(now: credNow).accessKeyId == "ASIAS")
        #expect(transport.requests.first?.header("Authorization")?.contains("Credential=AKIDSELF/") == true)
        let table: [(String, String)] = [
            ("role_arn = arn:aws:iam::1:role/x\n", "profile p: role_arn needs source_profile or credential_source"),
            ("role_arn = arn:aws:iam::1:role/x\nsource_profile = q\ncredential_source = Environment\n",
             "profile p: both source_profile and credential_source are set; use one"),
            ("role_arn = arn:aws:iam::1:role/x\ncredential_source = Moon\n",
             "profile p: credential_source Moon is not Environment, EcsContainer or Ec2InstanceMetadata"),
            ("role_arn = arn:aws:iam::1:role/x\nsource_profile = nowhere\n",
             "profile p: source_profile nowhere not found in /root/.aws/credentials or /root/.aws/config"),
            ("role_arn = arn:aws:iam::1:role/x\nsource_profile = p\n", "profile p: source_profile p is the profile itself but it has no keys"),
            ("role_arn = arn:aws:iam::1:role/x\nsource_profile = q\nmfa_serial = arn:aws:iam::1:mfa/me\n",
             "profile p: mfa_serial needs a code typed at a prompt, which these tools never show"),
            ("role_arn = arn:aws:iam::1:role/x\nsource_profile = q\nduration_seconds = soon\n",
             "profile p: duration_seconds soon is not a number of seconds"),
            // The session exists: a profile naming a missing one is refused as invalid first (assume-role vectors).
            ("sso_session = corp\n[sso-session corp]\nsso_start_url = https://corp.example\nsso_region = eu-west-1\n", "profile p: sso profiles are not supported; use `aws configure export-credentials` with credential_process"),
        ]
        for (body, message) in table {
            let e = failure { try profileProvider(config: "[profile p]\n" + body + "[profile q]\nregion = x\n", profile: "p").credentials(now: credNow) }
            #expect(e?.message == message)
            #expect(e?.exitStatus == .config)
            #expect(e?.notConfigured == false)
        }
        #expect(failure { try profileProvider(config: "[profile p]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = q\n[profile q]\nregion = x\n",
                                              profile: "p").credentials(now: credNow) }?.message == "profile p: source_profile q has no credentials")
    }

    @Test func roleWithCredentialSourceEnvironment() throws {
        let transport = CredFakeTransport { _ in STSFixtures.credentials("AssumeRole", id: "ASIAENVROLE", secret: "x", token: "y") }
        let p = try profileProvider(config: "[default]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n",
                                    env: ["AWS_ACCESS_KEY_ID": "AKIDFROMENV", "AWS_SECRET_ACCESS_KEY": "envsecret"], transport: transport)
        #expect(try p.credentials(now: credNow).accessKeyId == "ASIAENVROLE")
        #expect(transport.requests.first?.header("Authorization")?.contains("Credential=AKIDFROMENV/") == true)
        // The profile asked for the environment: its absence is a failure, not a reason to move on.
        let missing = failure { try profileProvider(config: "[default]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n").credentials(now: credNow) }
        #expect(missing?.message == "profile default: environment: AWS_ACCESS_KEY_ID not set")
        #expect(missing?.notConfigured == false)
    }

    @Test func roleFromWebIdentityTokenFileInProfile() throws {
        let transport = CredFakeTransport { _ in
            STSFixtures.credentials("AssumeRoleWithWebIdentity", id: "ASIAPROFWEB", secret: "x", token: "y")
        }
        let p = try profileProvider(config: "[default]\nrole_arn = arn:aws:iam::1:role/w\nweb_identity_token_file = /tok\nrole_session_name = s1\n",
                                    fs: ["/tok": "jwt-token"], transport: transport)
        let c = try p.credentials(now: credNow)
        #expect(c.accessKeyId == "ASIAPROFWEB")
        #expect(c.source == "profile default")
        let form = STSFixtures.form(try #require(transport.requests.first))
        #expect(form["WebIdentityToken"] == "jwt-token")
        #expect(form["RoleSessionName"] == "s1")
        #expect(transport.requests.first?.header("Authorization") == nil)
    }

    @Test func stsErrorsKeepTheirExitStatus() throws {
        let config = "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n[profile base]\naws_access_key_id = AKIDB\naws_secret_access_key = bsecret\n"
        let denied = CredFakeTransport { _ in
            STSFixtures.error(status: 403, code: "AccessDenied",
                              message: "User: arn:aws:iam::1:user/b is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::1:role/r")
        }
        let e = failure { try profileProvider(config: config, transport: denied).credentials(now: credNow) }
        #expect(e?.message == "profile default: sts AssumeRole: AccessDenied: User: arn:aws:iam::1:user/b is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::1:role/r (HTTP 403, request id 4d5e6f)")
        #expect(e?.exitStatus == .noPermission)
        let invalid = CredFakeTransport { _ in STSFixtures.error(status: 400, code: "ValidationError", message: "1 validation error detected") }
        #expect(failure { try profileProvider(config: config, transport: invalid).credentials(now: credNow) }?.exitStatus == .config)
    }

    // MARK: credential_process

    func processProfile(_ script: String, env: [String: String] = [:]) throws -> (ProfileCredentialProvider, ScratchDir) {
        let dir = try ScratchDir()
        let path = try dir.write("creds.sh", script, mode: 0o755)
        // Run by the shell, not executed itself: executing a file just written fails with "Text file busy"
        // while a process another test forks still holds it open for writing.
        let p = try profileProvider(config: "[profile proc]\ncredential_process = /bin/sh \(path) --flag 'two words'\n", profile: "proc", env: env)
        return (p, dir)
    }

    @Test func credentialProcessSuccess() throws {
        let (p, dir) = try processProfile("""
        #!/bin/sh
        # Arguments and the environment reach the command.
        printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "procsecret", "SessionToken": "%s", "Expiration": "2026-11-27T12:00:00Z"}\\n' "$PREFIX-$2" "$#"
        echo "noise on stderr" >&2
        """, env: ["PREFIX": "ASIAPROC"])
        _ = dir
        let c = try p.credentials(now: credNow)
        #expect(c == Credentials(accessKeyId: "ASIAPROC-two words", secretAccessKey: "procsecret", sessionToken: "2",
                                 expiration: 1_795_780_800, source: "profile proc"))
    }

    @Test func credentialProcessLongTermKeysHaveNoExpiration() throws {
        let (p, dir) = try processProfile("#!/bin/sh\necho '{\"Version\":1,\"AccessKeyId\":\"AKIDPROC\",\"SecretAccessKey\":\"s\"}'\n")
        _ = dir
        let c = try p.credentials(now: credNow)
        #expect(c.expiration == nil)
        #expect(c.sessionToken == nil)
    }

    @Test func credentialProcessFailures() throws {
        let table: [(String, String)] = [
            ("#!/bin/sh\necho 'token expired: run login' >&2\necho 'second line' >&2\nexit 3\n",
             "profile proc: credential_process exited with status 3: token expired: run login"),
            ("#!/bin/sh\nexit 1\n", "profile proc: credential_process exited with status 1"),
            ("#!/bin/sh\necho 'AccessKeyId=AKIDLEAK SecretAccessKey=leakedsecret'\n", "profile proc: credential_process output is not a JSON object"),
            ("#!/bin/sh\necho '{\"Version\":2,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"leakedsecret\"}'\n",
             "profile proc: credential_process output has Version 2, expected 1"),
            ("#!/bin/sh\necho '{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"leakedsecret\"}'\n", "profile proc: credential_process output lacks Version"),
            ("#!/bin/sh\necho '{\"Version\":1,\"SecretAccessKey\":\"leakedsecret\"}'\n", "profile proc: credential_process output lacks AccessKeyId"),
            ("#!/bin/sh\necho '{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"leakedsecret\",\"Expiration\":\"tomorrow\"}'\n",
             "profile proc: credential_process output has an unreadable Expiration tomorrow"),
        ]
        for (script, message) in table {
            let (p, dir) = try processProfile(script)
            _ = dir
            let e = failure { try p.credentials(now: credNow) }
            #expect(e?.message == message)
            #expect(e?.exitStatus == .config)
            #expect(e?.message.contains("leakedsecret") == false)
        }
    }

    @Test func credentialProcessKilledBySignal() throws {
        // `$$` is the shell that posix_spawn started, so the signal hits the direct child.
        let p = ProcessCredentialProvider(provider: "profile proc", command: "echo partial >&2; kill -9 $$", env: Environment())
        let e = failure { try p.credentials(now: credNow) }
        #expect(e?.message == "profile proc: credential_process killed by signal 9: partial")
    }

    @Test func credentialProcessDoesNotReadOurStdin() throws {
        // A command that reads stdin must see end-of-file, not the tool's JSON stream.
        let (p, dir) = try processProfile("#!/bin/sh\nn=$(cat | wc -c)\necho \"{\\\"Version\\\":1,\\\"AccessKeyId\\\":\\\"READ$n\\\",\\\"SecretAccessKey\\\":\\\"s\\\"}\"\n")
        _ = dir
        #expect(try p.credentials(now: credNow).accessKeyId == "READ0")
    }

    // MARK: ECS container

    @Test func ecsRelativeURIGoesToTheAgentAddress() throws {
        let transport = CredFakeTransport { _ in
            HTTPResponse(status: 200, text: #"{"RoleArn":"arn:aws:iam::1:role/task","AccessKeyId":"ASIAECS","SecretAccessKey":"ecssecret","Token":"ecstoken","Expiration":"2026-11-27T12:00:00Z"}"#)
        }
        let env = Environment(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/0c8b-4e6f",
                               "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/ignored",
                               "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Basic abc"])
        let c = try ECSContainerCredentialProvider(env: env, fs: MemoryFileSystem(), transport: transport, time: ManualTime()).credentials(now: credNow)
        #expect(c == Credentials(accessKeyId: "ASIAECS", secretAccessKey: "ecssecret", sessionToken: "ecstoken",
                                 expiration: 1_795_780_800, source: "ecs container"))
        let r = try #require(transport.requests.first)
        #expect(r.method == "GET")
        #expect(r.url == "http://169.254.170.2/v2/credentials/0c8b-4e6f")
        #expect(r.header("Authorization") == "Basic abc")
        #expect(r.connectTimeout <= 2)
    }

    @Test func ecsFullURIOnLoopbackWithRotatingTokenFile() throws {
        let server = try LoopbackServer { _ in
            (200, [("Content-Type", "application/json")],
             Array(#"{"AccessKeyId":"ASIAFULL","SecretAccessKey":"fullsecret","Token":"fulltoken","Expiration":"2026-11-27T12:00:00+00:00"}"#.utf8))
        }
        defer { server.stop() }
        let dir = try ScratchDir()
        let tokenFile = try dir.write("token", "first-token\n")
        let env = Environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/get-credentials?a=1",
                               "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
                               "AWS_CONTAINER_AUTHORIZATION_TOKEN": "ignored-when-file-set"])
        let p = ECSContainerCredentialProvider(env: env, fs: LocalFileSystem(), transport: CurlTransport(), time: ManualTime())
        #expect(try p.credentials(now: credNow).accessKeyId == "ASIAFULL")
        try dir.write("token", "second-token")
        #expect(try p.credentials(now: credNow).sessionToken == "fulltoken")
        let seen = server.requests
        #expect(seen.count == 2)
        #expect(seen.map { $0.target } == ["/get-credentials?a=1", "/get-credentials?a=1"])
        #expect(seen.map { $0.header("Authorization") } == ["first-token", "second-token"])
    }

    @Test func ecsFullURIHostAllowList() throws {
        let allowed = ["http://127.0.0.1:80/c", "http://127.1.2.3/c", "http://localhost:51679/c", "http://[::1]:8080/c",
                       "http://169.254.170.2/c", "http://169.254.170.23/v1/credentials", "http://[fd00:ec2::23]/v1/credentials",
                       "https://creds.example.com/c", "HTTPS://creds.example.com/c"]
        for url in allowed {
            let p = ECSContainerCredentialProvider(env: Environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": url]),
                                                   fs: MemoryFileSystem(), transport: CredFakeTransport.unused(), time: ManualTime())
            #expect(try p.endpoint() == url)
        }
        let rejected: [(String, String)] = [
            ("http://10.0.0.5/c", "10.0.0.5"), ("http://169.254.169.254/c", "169.254.169.254"),
            ("http://creds.example.com:8080/c", "creds.example.com"), ("http://127.0.0.1.evil.com/c", "127.0.0.1.evil.com"),
            ("http://[fd00:ec2::254]/c", "fd00:ec2::254"),
        ]
        for (url, host) in rejected {
            let transport = CredFakeTransport.unused()
            let p = ECSContainerCredentialProvider(env: Environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": url]),
                                                   fs: MemoryFileSystem(), transport: transport, time: ManualTime())
            let e = failure { try p.credentials(now: credNow) }
            #expect(e?.message == "ecs container: AWS_CONTAINER_CREDENTIALS_FULL_URI host \(host) is not allowed over http (only loopback, 169.254.170.2, 169.254.170.23, fd00:ec2::23)")
            #expect(e?.notConfigured == false)
            #expect(transport.requests.isEmpty)
        }
        let ftp = failure { try ECSContainerCredentialProvider(env: Environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "ftp://127.0.0.1/c"]),
                                                               fs: MemoryFileSystem(), transport: CredFakeTransport.unused(), time: ManualTime()).credentials(now: credNow) }
        #expect(ftp?.message == "ecs container: AWS_CONTAINER_CREDENTIALS_FULL_URI is not an http or https url")
    }

    @Test func ecsFailures() throws {
        let none = failure { try ECSContainerCredentialProvider(env: Environment(), fs: MemoryFileSystem(),
                                                                transport: CredFakeTransport.unused(), time: ManualTime()).credentials(now: credNow) }
        #expect(none?.message == "ecs container: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI set")
        #expect(none?.notConfigured == true)

        let env = Environment(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/secret-guid"])
        let time = ManualTime(credNow)
        let flaky = CredFakeTransport { r in throw TransportError(kind: .connect, url: r.url, detail: "connection refused") }
        let down = failure { try ECSContainerCredentialProvider(env: env, fs: MemoryFileSystem(), transport: flaky, time: time,
                                                                random: FixedRandom(1)).credentials(now: credNow) }
        #expect(down?.message == "ecs container: cannot reach 169.254.170.2: connection refused")
        #expect(down?.exitStatus == .unavailable)
        #expect(flaky.requests.count == 3)
        // The standard retry policy of every AWS call: full jitter over 1 s, 2 s (here at its ceiling).
        #expect(time.sleeps == [1, 2])

        var calls = 0
        let recovering = CredFakeTransport { _ in
            calls += 1
            if calls == 1 { return HTTPResponse(status: 503, text: "busy") }
            return HTTPResponse(status: 200, text: #"{"AccessKeyId":"ASIA2","SecretAccessKey":"s","Token":"t","Expiration":"2026-11-27T12:00:00Z"}"#)
        }
        #expect(try ECSContainerCredentialProvider(env: env, fs: MemoryFileSystem(), transport: recovering, time: ManualTime()).credentials(now: credNow).accessKeyId == "ASIA2")

        let forbidden = CredFakeTransport { _ in HTTPResponse(status: 403, text: "no") }
        let e403 = failure { try ECSContainerCredentialProvider(env: env, fs: MemoryFileSystem(), transport: forbidden, time: ManualTime()).credentials(now: credNow) }
        #expect(e403?.message == "ecs container: HTTP 403 from 169.254.170.2")
        #expect(e403?.exitStatus == .noPermission)
        #expect(forbidden.requests.count == 1)

        let garbage = CredFakeTransport { _ in HTTPResponse(status: 200, text: "SecretAccessKey=leakedsecret") }
        let bad = failure { try ECSContainerCredentialProvider(env: env, fs: MemoryFileSystem(), transport: garbage, time: ManualTime()).credentials(now: credNow) }
        #expect(bad?.message == "ecs container: response from 169.254.170.2 is not a JSON object")

        let badTokenFile = Environment(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/c", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/nope"])
        #expect(failure { try ECSContainerCredentialProvider(env: badTokenFile, fs: MemoryFileSystem(), transport: CredFakeTransport.unused(),
                                                             time: ManualTime()).credentials(now: credNow) }?.message
            == "ecs container: cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE /nope: no such file or directory")
        let injected = Environment(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/c", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "abc\r\nX-Evil: 1"])
        #expect(failure { try ECSContainerCredentialProvider(env: injected, fs: MemoryFileSystem(), transport: CredFakeTransport.unused(),
                                                             time: ManualTime()).credentials(now: credNow) }?.message
            == "ecs container: the token from AWS_CONTAINER_AUTHORIZATION_TOKEN contains a line break")
    }

    // MARK: EC2 instance metadata

    @Test func imdsV2TokenDanceOnLoopback() throws {
        let server = try LoopbackServer { r in
            switch (r.method, r.path) {
            case ("PUT", "/latest/api/token"):
                guard r.header("X-aws-ec2-metadata-token-ttl-seconds") == "21600" else { return (400, [], []) }
                return (200, [], Array("session-token-1".utf8))
            case ("GET", _) where r.header("X-aws-ec2-metadata-token") != "session-token-1":
                return (401, [], [])
            case ("GET", "/latest/meta-data/iam/security-credentials/"):
                return (200, [], Array("app-role\n".utf8))
            case ("GET", "/latest/meta-data/iam/security-credentials/app-role"):
                return (200, [], Array(#"{"Code":"Success","LastUpdated":"2026-11-27T11:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIAIMDS","SecretAccessKey":"imdssecret","Token":"imdstoken","Expiration":"2026-11-27T17:00:00Z"}"#.utf8))
            default:
                return (404, [], [])
            }
        }
        defer { server.stop() }
        let env = Environment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url + "/"])
        let c = try IMDSCredentialProvider(env: env, transport: CurlTransport()).credentials(now: credNow)
        #expect(c == Credentials(accessKeyId: "ASIAIMDS", secretAccessKey: "imdssecret", sessionToken: "imdstoken",
                                 expiration: 1_795_798_800, source: "ec2 instance metadata"))
        #expect(server.requests.map { "\($0.method) \($0.target)" } == [
            "PUT /latest/api/token", "GET /latest/meta-data/iam/security-credentials/",
            "GET /latest/meta-data/iam/security-credentials/app-role",
        ])
    }

    @Test func imdsDisabledUnreachableAndV1Fallback() throws {
        let disabled = failure { try IMDSCredentialProvider(env: Environment(["AWS_EC2_METADATA_DISABLED": "TRUE"]),
                                                            transport: CredFakeTransport.unused()).credentials(now: credNow) }
        #expect(disabled?.message == "ec2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED")
        #expect(disabled?.notConfigured == true)

        let port = LoopbackServer.closedPort()
        let transport = CurlTransport()
        let started = SystemTime().now()
        let refused = failure { try IMDSCredentialProvider(env: Environment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(port)"]),
                                                           transport: transport).credentials(now: credNow) }
        #expect(refused?.message.hasPrefix("ec2 instance metadata: no metadata service at 127.0.0.1:\(port): ") == true)
        #expect(refused?.notConfigured == true)
        #expect(SystemTime().now() - started < 1.5)

        // Where the token call is refused (IMDSv1 only), the SDKs go on without a token.
        let v1 = CredFakeTransport { r in
            if r.method == "PUT" { return HTTPResponse(status: 405) }
            if r.url.hasSuffix("/security-credentials/") { return HTTPResponse(status: 200, text: "r") }
            return HTTPResponse(status: 200, text: #"{"AccessKeyId":"ASIAV1","SecretAccessKey":"s","Token":"t","Expiration":"2026-11-27T17:00:00Z"}"#)
        }
        #expect(try IMDSCredentialProvider(env: Environment(), transport: v1).credentials(now: credNow).accessKeyId == "ASIAV1")
        #expect(v1.requests.map { $0.url } == ["http://169.254.169.254/latest/api/token",
                                               "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
                                               "http://169.254.169.254/latest/meta-data/iam/security-credentials/r"])
        #expect(v1.requests.dropFirst().allSatisfy { $0.header("X-aws-ec2-metadata-token") == nil })
        #expect(v1.requests[0].connectTimeout == 1)
        let v1Off = failure { try IMDSCredentialProvider(env: Environment(["AWS_EC2_METADATA_V1_DISABLED": "true"]), transport: v1).credentials(now: credNow) }
        #expect(v1Off?.message == "ec2 instance metadata: HTTP 405 for a session token from 169.254.169.254 and AWS_EC2_METADATA_V1_DISABLED is set")

        let noRole = CredFakeTransport { r in r.method == "PUT" ? HTTPResponse(status: 200, text: "tok") : HTTPResponse(status: 404) }
        #expect(failure { try IMDSCredentialProvider(env: Environment(), transport: noRole).credentials(now: credNow) }?.message
            == "ec2 instance metadata: no IAM role attached to this instance")
        let ipv6 = IMDSCredentialProvider(env: Environment(["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"]), transport: noRole)
        #expect(ipv6.endpoint == "http://[fd00:ec2::254]")
    }

    // MARK: caching

    /// Hands out numbered credentials that expire `lifetime` seconds after each fetch.
    final class CountingProvider: CredentialProvider {
        var fetches = 0
        var lifetime: Double? = 3600
        var failNext = false
        func credentials(now: Double) throws -> Credentials {
            if failNext { throw CredentialError(provider: "test", "endpoint down", kind: .unavailable) }
            fetches += 1
            return Credentials(accessKeyId: "KEY\(fetches)", secretAccessKey: "secret\(fetches)", sessionToken: "tok",
                               expiration: lifetime.map { now + $0 }, source: "test")
        }
    }

    @Test func cacheRefreshesFiveMinutesBeforeExpiryNotBefore() throws {
        let base = CountingProvider()
        let time = ManualTime(credNow)
        let cache = CachingCredentialProvider(base)
        #expect(try cache.credentials(now: time.now()).accessKeyId == "KEY1")
        time.current = credNow + 3600 - 301
        #expect(try cache.credentials(now: time.now()).accessKeyId == "KEY1")
        #expect(base.fetches == 1)
        time.current = credNow + 3600 - 300
        #expect(try cache.credentials(now: time.now()).accessKeyId == "KEY2")
        #expect(base.fetches == 2)
        time.current += 60
        #expect(try cache.credentials(now: time.now()).accessKeyId == "KEY2")
        #expect(base.fetches == 2)
    }

    @Test func cacheNeverRefetchesLongTermKeys() throws {
        let base = CountingProvider()
        base.lifetime = nil
        let cache = CachingCredentialProvider(base)
        for hours: Double in [0, 1, 24, 24 * 365] {
            #expect(try cache.credentials(now: credNow + hours * 3600).accessKeyId == "KEY1")
        }
        #expect(base.fetches == 1)
    }

    @Test func cacheKeepsValidCredentialsWhenRefreshFails() throws {
        let base = CountingProvider()
        var lines: [String] = []
        let logger = Logger(tool: "ecs-wait", sink: { lines.append($0) })
        let cache = CachingCredentialProvider(base, logger: logger)
        _ = try cache.credentials(now: credNow)
        base.failNext = true
        #expect(try cache.credentials(now: credNow + 3400).accessKeyId == "KEY1")
        #expect(lines == ["ecs-wait: warning: cannot refresh credentials (test: endpoint down); using the current ones until they expire in 200 s\n"])
        // The next attempt waits a little instead of hammering a failing endpoint on every call.
        #expect(try cache.credentials(now: credNow + 3410).accessKeyId == "KEY1")
        #expect(lines.count == 1)
        base.failNext = false
        #expect(try cache.credentials(now: credNow + 3431).accessKeyId == "KEY2")
        // Once expired, a failed refresh is an error.
        base.failNext = true
        #expect(throws: CredentialError.self) { try cache.credentials(now: credNow + 3431 + 3600) }
        #expect(lines.allSatisfy { !$0.contains("secret") })
    }

    // MARK: chain

    func chain(env: [String: String], files: [String: String] = [:], profileFlag: String? = nil,
               transport: HTTPTransport = CredFakeTransport.unused()) throws -> DefaultCredentialChain {
        let fs = MemoryFileSystem(files)
        let e = Environment(env)
        let shared = try SharedConfig.load(profileFlag: profileFlag, env: e, fs: fs)
        return DefaultCredentialChain.standard(config: shared, profileFlagGiven: profileFlag != nil, env: e, fs: fs,
                                               transport: transport, time: ManualTime(), makeSTS: makeSTS(transport))
    }

    @Test func wholeChainFailureListsEveryProvider() throws {
        let port = LoopbackServer.closedPort()
        let c = try chain(env: ["HOME": "/root", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(port)"], transport: CurlTransport())
        do {
            _ = try c.credentials(now: credNow)
            Issue.record("expected an error")
        } catch let e as ReportedError {
            #expect(e.exitStatus == .config)
            #expect(e.message.hasPrefix("no credentials: environment: AWS_ACCESS_KEY_ID not set; "
                + "web identity: AWS_WEB_IDENTITY_TOKEN_FILE not set; "
                + "profile default: not found in /root/.aws/credentials or /root/.aws/config; "
                + "ecs container: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI set; "
                + "ec2 instance metadata: no metadata service at 127.0.0.1:\(port): "))
            #expect(!e.message.contains("\n"))
        }
        let disabled = try chain(env: ["AWS_EC2_METADATA_DISABLED": "true"], files: ["/root/.aws/config": "[default]\nregion = eu-west-1\n"])
        do {
            _ = try disabled.credentials(now: credNow)
            Issue.record("expected an error")
        } catch let e as ReportedError {
            #expect(e.message == "no credentials: environment: AWS_ACCESS_KEY_ID not set; "
                + "web identity: AWS_WEB_IDENTITY_TOKEN_FILE not set; "
                + "profile default: no credentials in /root/.aws/credentials or /root/.aws/config; "
                + "ecs container: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI set; "
                + "ec2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED")
        }
    }

    @Test func chainOrderAndStopping() throws {
        let files = ["/root/.aws/credentials": "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = f\n[other]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = o\n"]
        let keys = ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "e", "AWS_EC2_METADATA_DISABLED": "true"]
        #expect(try chain(env: keys, files: files).credentials(now: credNow).accessKeyId == "AKIDENV")
        // botocore: AWS_PROFILE leaves the environment keys first; a profile named on the command line skips them.
        #expect(try chain(env: keys.merging(["AWS_PROFILE": "other"]) { $1 }, files: files).credentials(now: credNow).accessKeyId == "AKIDENV")
        #expect(try chain(env: keys, files: files, profileFlag: "other").credentials(now: credNow).accessKeyId == "AKIDOTHER")
        #expect(try chain(env: ["AWS_EC2_METADATA_DISABLED": "true"], files: files).credentials(now: credNow).accessKeyId == "AKIDFILE")
        // Set up but broken: the chain stops there instead of falling through to another identity.
        do {
            _ = try chain(env: ["AWS_ACCESS_KEY_ID": "AKIDENV"], files: files).credentials(now: credNow)
            Issue.record("expected an error")
        } catch let e as ReportedError {
            #expect(e.message == "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        }
        // ECS before IMDS.
        let ecs = CredFakeTransport { _ in
            HTTPResponse(status: 200, text: #"{"AccessKeyId":"ASIAECS","SecretAccessKey":"s","Token":"t","Expiration":"2026-11-27T12:00:00Z"}"#)
        }
        #expect(try chain(env: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/c"], transport: ecs).credentials(now: credNow).accessKeyId == "ASIAECS")
    }

    @Test func chainSticksWithTheProviderThatAnswered() throws {
        let first = CountingProvider()
        let chain = DefaultCredentialChain([FailingCredentialProvider(.absent("a", "not here")), first, CountingProvider()])
        #expect(try chain.credentials(now: credNow).accessKeyId == "KEY1")
        first.failNext = true
        #expect(throws: CredentialError.self) { try chain.credentials(now: credNow) }
    }

    // MARK: secrets

    @Test func noSecretInAnyErrorMessage() throws {
        let secrets = ["leakedsecret", "leakedtoken", "Bearer leakedauth"]
        var messages: [String] = []
        func collect(_ body: () throws -> Void) {
            do { try body() } catch let e as ReportedError { messages.append(e.message) } catch { messages.append("\(error)") }
        }
        let secretJSON = #"{"AccessKeyId":"A","SecretAccessKey":"leakedsecret","Token":"leakedtoken","Expiration":"bad"}"#
        let leaky = CredFakeTransport { _ in HTTPResponse(status: 200, text: secretJSON) }
        let leaky500 = CredFakeTransport { _ in HTTPResponse(status: 500, text: secretJSON) }
        let time = ManualTime()
        collect { _ = try EnvironmentCredentialProvider(env: Environment(["AWS_SECRET_ACCESS_KEY": "leakedsecret"])).credentials(now: credNow) }
        collect { _ = try EnvironmentCredentialProvider(env: Environment(["AWS_ACCESS_KEY_ID": "A", "AWS_SESSION_TOKEN": "leakedtoken"])).credentials(now: credNow) }
        let webEnv = Environment(["AWS_WEB_IDENTITY_TOKEN_FILE": "/t", "AWS_ROLE_ARN": "arn:aws:iam::1:role/r"])
        let stsDenied = CredFakeTransport { _ in STSFixtures.error(status: 403, code: "InvalidIdentityToken", message: "token rejected") }
        collect { _ = try WebIdentityCredentialProvider.fromEnvironment(webEnv, fs: MemoryFileSystem(["/t": "leakedtoken"]), sts: makeSTS(stsDenied)).credentials(now: credNow) }
        let stsGarbage = CredFakeTransport { _ in HTTPResponse(status: 200, text: "<Credentials><SecretAccessKey>leakedsecret</SecretAccessKey></Credentials>") }
        collect { _ = try WebIdentityCredentialProvider.fromEnvironment(webEnv, fs: MemoryFileSystem(["/t": "leakedtoken"]), sts: makeSTS(stsGarbage)).credentials(now: credNow) }
        collect { _ = try profileProvider(credentials: "[default]\naws_secret_access_key = leakedsecret\naws_session_token = leakedtoken\n").credentials(now: credNow) }
        let role = "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = b\n[profile b]\naws_access_key_id = A\naws_secret_access_key = leakedsecret\naws_session_token = leakedtoken\n"
        collect { _ = try profileProvider(config: role, transport: stsDenied).credentials(now: credNow) }
        collect { _ = try profileProvider(config: role, transport: stsGarbage).credentials(now: credNow) }
        let (proc, dir) = try processProfile("#!/bin/sh\necho '\(secretJSON)'\n")
        _ = dir
        collect { _ = try proc.credentials(now: credNow) }
        for tokenEnv in [["AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer leakedauth"], ["AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer leakedauth\n"]] {
            for transport in [leaky, leaky500, CredFakeTransport { _ in HTTPResponse(status: 401, text: "Bearer leakedauth denied") }] {
                let env = Environment(tokenEnv.merging(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/c?token=leakedtoken"]) { $1 })
                collect { _ = try ECSContainerCredentialProvider(env: env, fs: MemoryFileSystem(), transport: transport, time: time).credentials(now: credNow) }
            }
        }
        collect { _ = try IMDSCredentialProvider(env: Environment(), transport: CredFakeTransport { r in
            r.method == "PUT" ? HTTPResponse(status: 200, text: "leakedtoken")
                : r.url.hasSuffix("/") ? HTTPResponse(status: 200, text: "role") : HTTPResponse(status: 200, text: secretJSON)
        }).credentials(now: credNow) }
        collect { _ = try IMDSCredentialProvider(env: Environment(), transport: CredFakeTransport { r in
            r.method == "PUT" ? HTTPResponse(status: 200, text: "leakedtoken") : HTTPResponse(status: 500, text: "leakedtoken")
        }).credentials(now: credNow) }
        #expect(messages.count == 16)
        for m in messages {
            for s in secrets { #expect(!m.contains(s), "\(m)") }
            #expect(!m.contains("leaked"), "\(m)")
        }
        // Nor does the credentials' own description.
        let c = Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "leakedsecret", sessionToken: "leakedtoken", source: "x")
        #expect(!"\(c)".contains("leaked"))
    }

    // MARK: timestamps

    @Test(arguments: [
        ("2026-11-27T12:00:00Z", 1_795_780_800.0),
        ("1970-01-01T00:00:00Z", 0),
        ("2011-07-15T23:28:33.359Z", 1_310_772_513.359),
        ("2026-11-27T14:00:00+02:00", 1_795_780_800),
        ("2026-11-27T07:30:00-0430", 1_795_780_800),
        ("2024-02-29T00:00:00Z", 1_709_164_800),
        ("2000-03-01T00:00:00z", 951_868_800),
    ])
    func iso8601Parses(text: String, expected: Double) {
        let v = ISO8601.parse(text)
        #expect(v != nil)
        #expect(abs((v ?? 0) - expected) < 0.0005)
    }

    @Test func iso8601Rejects() {
        for text in ["", "2026-11-27", "2026-11-27T12:00:00", "2026-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
                     "2026-11-27T25:00:00Z", "2026-11-27T12:00:00Zjunk", "tomorrow", "2026-11-27T12:00:00.Z"] {
            #expect(ISO8601.parse(text) == nil, "\(text)")
        }
        #expect(ISO8601.format(1_795_780_800) == "2026-11-27T12:00:00Z")
        #expect(ISO8601.parse(ISO8601.format(951_868_799)) == 951_868_799)
    }
}
