import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

@Suite struct RegionEndpointTests {
    struct RegionCase: Sendable, CustomTestStringConvertible {
        var flag: String?
        var env: [String: String]
        var profileRegion: String?
        var queueUrl: String?
        var expected: String?
        var testDescription: String { "\(expected ?? "nil") from flag \(flag ?? "-") env \(env) profile \(profileRegion ?? "-") url \(queueUrl ?? "-")" }
    }

    static let regionCases: [RegionCase] = [
        RegionCase(flag: "eu-west-1", env: ["AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-2"], profileRegion: "ap-south-1",
                   queueUrl: "https://sqs.sa-east-1.amazonaws.com/1/q", expected: "eu-west-1"),
        RegionCase(flag: nil, env: ["AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-2"], profileRegion: "ap-south-1",
                   queueUrl: nil, expected: "us-east-1"),
        RegionCase(flag: "", env: ["AWS_REGION": "", "AWS_DEFAULT_REGION": "us-east-2"], profileRegion: "ap-south-1",
                   queueUrl: nil, expected: "us-east-2"),
        RegionCase(flag: nil, env: [:], profileRegion: "ap-south-1", queueUrl: "https://sqs.sa-east-1.amazonaws.com/1/q", expected: "ap-south-1"),
        RegionCase(flag: nil, env: [:], profileRegion: nil, queueUrl: "https://sqs.sa-east-1.amazonaws.com/1/q", expected: "sa-east-1"),
        RegionCase(flag: nil, env: [:], profileRegion: nil, queueUrl: "http://127.0.0.1:4566/000000000000/q", expected: nil),
        RegionCase(flag: nil, env: [:], profileRegion: nil, queueUrl: nil, expected: nil),
    ]

    @Test(arguments: regionCases)
    func regionPrecedence(_ c: RegionCase) {
        var profile: Profile?
        if let r = c.profileRegion {
            profile = Profile(name: "default")
            profile?.values["region"] = r
        }
        #expect(ResolvedAWSConfig.resolveRegion(flag: c.flag, env: Environment(c.env), profile: profile, queueUrl: c.queueUrl) == c.expected)
    }

    @Test(arguments: [
        ("https://sqs.eu-west-1.amazonaws.com/123456789012/deploy", "eu-west-1"),
        ("https://eu-west-1.queue.amazonaws.com/123456789012/deploy", "eu-west-1"),
        ("https://sqs.cn-north-1.amazonaws.com.cn/123456789012/deploy", "cn-north-1"),
        ("https://vpce-0a1b2c3d4e5f-abcdefgh.sqs.us-east-1.vpce.amazonaws.com/123456789012/deploy", "us-east-1"),
        ("https://sqs-fips.us-gov-west-1.amazonaws.com/123456789012/deploy.fifo", "us-gov-west-1"),
        ("https://sqs.ap-southeast-2.api.aws/123456789012/deploy", "ap-southeast-2"),
        ("https://queue.amazonaws.com/123456789012/deploy", "us-east-1"),
        ("https://SQS.EU-CENTRAL-1.AMAZONAWS.COM/123456789012/deploy", "eu-central-1"),
        ("https://sqs.il-central-1.amazonaws.com:443/123456789012/deploy", "il-central-1"),
    ])
    func regionFromQueueURL(url: String, region: String) {
        #expect(ResolvedAWSConfig.regionFromQueueURL(url) == region)
    }

    @Test(arguments: [
        "http://localhost:4566/000000000000/deploy", "http://127.0.0.1:9324/queue/deploy",
        "https://sqs.eu-west-1.example.com/1/q", "https://amazonaws.com/1/q", "not a url",
        "https://sqs.amazonaws.com/1/q",
    ])
    func noRegionFromOtherHosts(url: String) {
        #expect(ResolvedAWSConfig.regionFromQueueURL(url) == nil)
    }

    struct EndpointCase: Sendable, CustomTestStringConvertible {
        var service: String
        var region: String
        var flag: String?
        var env: [String: String]
        var profile: [String: String]
        var expected: String
        var testDescription: String { "\(service) \(region) -> \(expected)" }
    }

    static let endpointCases: [EndpointCase] = [
        EndpointCase(service: "sqs", region: "eu-west-1", flag: nil, env: [:], profile: [:], expected: "https://sqs.eu-west-1.amazonaws.com"),
        EndpointCase(service: "ecs", region: "cn-northwest-1", flag: nil, env: [:], profile: [:], expected: "https://ecs.cn-northwest-1.amazonaws.com.cn"),
        EndpointCase(service: "sts", region: "us-east-2", flag: nil, env: [:], profile: [:], expected: "https://sts.us-east-2.amazonaws.com"),
        EndpointCase(service: "ecs", region: "us-east-1", flag: nil, env: ["AWS_USE_FIPS_ENDPOINT": "true"], profile: [:],
                     expected: "https://ecs-fips.us-east-1.amazonaws.com"),
        EndpointCase(service: "sqs", region: "us-east-1", flag: nil, env: ["AWS_USE_DUALSTACK_ENDPOINT": "TRUE"], profile: [:],
                     expected: "https://sqs.us-east-1.api.aws"),
        EndpointCase(service: "sqs", region: "us-east-1", flag: nil, env: ["AWS_USE_DUALSTACK_ENDPOINT": "true", "AWS_USE_FIPS_ENDPOINT": "true"],
                     profile: [:], expected: "https://sqs-fips.us-east-1.api.aws"),
        EndpointCase(service: "ecs", region: "cn-north-1", flag: nil, env: ["AWS_USE_DUALSTACK_ENDPOINT": "true"], profile: [:],
                     expected: "https://ecs.cn-north-1.api.amazonwebservices.com.cn"),
        EndpointCase(service: "ecs", region: "us-east-1", flag: nil, env: ["AWS_USE_FIPS_ENDPOINT": "false"], profile: ["use_fips_endpoint": "true"],
                     expected: "https://ecs.us-east-1.amazonaws.com"),
        EndpointCase(service: "ecs", region: "us-east-1", flag: nil, env: [:], profile: ["use_fips_endpoint": "true"],
                     expected: "https://ecs-fips.us-east-1.amazonaws.com"),
        EndpointCase(service: "sqs", region: "eu-west-1", flag: "http://127.0.0.1:4566/",
                     env: ["AWS_ENDPOINT_URL_SQS": "http://sqs.local", "AWS_ENDPOINT_URL": "http://all.local", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"],
                     profile: ["endpoint_url": "http://profile.local"], expected: "http://127.0.0.1:4566"),
        EndpointCase(service: "sqs", region: "eu-west-1", flag: nil,
                     env: ["AWS_ENDPOINT_URL_SQS": "http://sqs.local", "AWS_ENDPOINT_URL": "http://all.local"],
                     profile: ["endpoint_url": "http://profile.local"], expected: "http://sqs.local"),
        EndpointCase(service: "ecs", region: "eu-west-1", flag: nil,
                     env: ["AWS_ENDPOINT_URL_SQS": "http://sqs.local", "AWS_ENDPOINT_URL": "http://all.local"],
                     profile: ["endpoint_url": "http://profile.local"], expected: "http://all.local"),
        EndpointCase(service: "sts", region: "eu-west-1", flag: nil, env: ["AWS_ENDPOINT_URL_STS": "http://sts.local:5000"], profile: [:],
                     expected: "http://sts.local:5000"),
        EndpointCase(service: "ecs", region: "eu-west-1", flag: nil, env: [:], profile: ["endpoint_url": "http://profile.local"],
                     expected: "http://profile.local"),
        EndpointCase(service: "ecs", region: "eu-west-1", flag: nil, env: ["AWS_ENDPOINT_URL": "http://all.local", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"],
                     profile: ["endpoint_url": "http://profile.local"], expected: "https://ecs.eu-west-1.amazonaws.com"),
        EndpointCase(service: "ecs", region: "eu-west-1", flag: nil, env: [:],
                     profile: ["endpoint_url": "http://profile.local", "ignore_configured_endpoint_urls": "true"],
                     expected: "https://ecs.eu-west-1.amazonaws.com"),
        EndpointCase(service: "ecs", region: "eu-west-1", flag: nil, env: ["AWS_ENDPOINT_URL_ECS": ""], profile: [:],
                     expected: "https://ecs.eu-west-1.amazonaws.com"),
    ]

    @Test(arguments: endpointCases)
    func endpointPrecedence(_ c: EndpointCase) throws {
        var profile = Profile(name: "default")
        profile.values = c.profile
        #expect(try ResolvedAWSConfig.resolveEndpoint(service: c.service, region: c.region, flag: c.flag, env: Environment(c.env),
                                                  profile: profile) == c.expected)
    }

    @Test func profileServicesSection() throws {
        var c = SharedConfig(configPath: "/c", credentialsPath: "/k")
        c.build(config: try ConfigFile.parse("""
        [default]
        services = local
        endpoint_url = http://profile.local
        [services local]
        sqs =
          endpoint_url = http://127.0.0.1:9324
        """), credentials: ConfigFile())
        let sqs = try ResolvedAWSConfig.resolveEndpoint(service: "sqs", region: "eu-west-1", flag: nil, env: Environment(),
                                                    profile: c.profile, services: c.services)
        #expect(sqs == "http://127.0.0.1:9324")
        let ecs = try ResolvedAWSConfig.resolveEndpoint(service: "ecs", region: "eu-west-1", flag: nil, env: Environment(),
                                                    profile: c.profile, services: c.services)
        #expect(ecs == "http://profile.local")
        // The service-specific environment variable outranks the profile's services section.
        let env = try ResolvedAWSConfig.resolveEndpoint(service: "sqs", region: "eu-west-1", flag: nil,
                                                    env: Environment(["AWS_ENDPOINT_URL": "http://all.local"]),
                                                    profile: c.profile, services: c.services)
        #expect(env == "http://all.local")
    }

    // MARK: resolve

    func resolve(flags: (region: String?, profile: String?, endpointURL: String?) = (nil, nil, nil), queueUrl: String? = nil,
                 env: [String: String], files: [String: String] = [:]) throws -> ResolvedAWSConfig {
        try ResolvedAWSConfig.resolve(flags: flags, queueUrl: queueUrl, env: Environment(env), fs: MemoryFileSystem(files),
                                      transport: CredFakeTransport.unused(), time: ManualTime(), logger: nil)
    }

    @Test func resolveEverythingFromProfileAndQueue() throws {
        let files = ["/home/u/.aws/config": "[profile ci]\nregion = eu-north-1\n",
                     "/home/u/.aws/credentials": "[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = cisecret\n"]
        let r = try resolve(env: ["HOME": "/home/u", "AWS_PROFILE": "ci"], files: files)
        #expect(r.region == "eu-north-1")
        #expect(r.profileName == "ci")
        #expect(r.sqsEndpoint == "https://sqs.eu-north-1.amazonaws.com")
        #expect(r.ecsEndpoint == "https://ecs.eu-north-1.amazonaws.com")
        #expect(r.stsEndpoint == "https://sts.eu-north-1.amazonaws.com")
        #expect(r.credentials is CachingCredentialProvider)
        let c = try r.credentials.credentials(now: credNow)
        #expect(c.accessKeyId == "AKIDCI")
        #expect(c.source == "profile ci")

        let fromQueue = try resolve(queueUrl: "https://sqs.ap-northeast-1.amazonaws.com/1/q",
                                    env: ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s"])
        #expect(fromQueue.region == "ap-northeast-1")
        #expect(fromQueue.profileName == "default")
        #expect(try fromQueue.credentials.credentials(now: credNow).source == "environment")

        let local = try resolve(flags: ("us-east-1", nil, "http://127.0.0.1:4566"), env: [:])
        #expect([local.sqsEndpoint, local.ecsEndpoint, local.stsEndpoint] == Array(repeating: "http://127.0.0.1:4566", count: 3))
    }

    @Test func resolveUsesTheResolvedSTSEndpointForRoles() throws {
        let transport = CredFakeTransport { _ in STSFixtures.credentials("AssumeRole", id: "ASIAR", secret: "s", token: "t") }
        let files = ["/root/.aws/config": "[default]\nregion = eu-west-3\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n[profile base]\naws_access_key_id = AKIDB\naws_secret_access_key = b\n"]
        let r = try ResolvedAWSConfig.resolve(flags: (nil, nil, nil), queueUrl: nil, env: Environment(["AWS_ENDPOINT_URL_STS": "http://127.0.0.1:1/"]),
                                              fs: MemoryFileSystem(files), transport: transport, time: ManualTime(), logger: nil)
        #expect(try r.credentials.credentials(now: credNow).accessKeyId == "ASIAR")
        #expect(transport.requests.map { $0.url } == ["http://127.0.0.1:1/"])
        #expect(transport.requests.first?.header("Authorization")?.contains("/eu-west-3/sts/aws4_request") == true)
        // Cached: no second STS call within the credentials' lifetime.
        _ = try r.credentials.credentials(now: credNow + 60)
        #expect(transport.requests.count == 1)
    }

    @Test func resolveErrors() throws {
        do {
            _ = try resolve(queueUrl: "http://127.0.0.1:4566/1/q", env: ["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "s"])
            Issue.record("expected an error")
        } catch let e as ReportedError {
            #expect(e.exitStatus == .config)
            #expect(e.message == "no region: pass --region or set AWS_REGION")
        }
        do {
            _ = try resolve(flags: ("eu-west-1", "missing", nil), env: ["HOME": "/h"])
            Issue.record("expected an error")
        } catch let e as ReportedError {
            #expect(e.exitStatus == .config)
            #expect(e.message == "profile missing not found in /h/.aws/credentials or /h/.aws/config")
        }
    }
}
