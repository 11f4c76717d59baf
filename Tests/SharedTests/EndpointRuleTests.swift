import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

/// botocore's endpoint rule tests for ECS, SQS and STS (vendored in Vectors/aws-conventions/endpoints),
/// every case of each file, twice:
///
/// 1. against `EndpointResolver`, the rule sets as written: every case passes, errors included;
/// 2. through the path the tools take (`ResolvedAWSConfig.resolveServiceEndpoint`, with the parameters
///    given as a user gives them: `--endpoint-url`, AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT,
///    AWS_STS_REGIONAL_ENDPOINTS=legacy for UseGlobalEndpoint). Every case passes there too except
///    the deliberate deviations below.
///
/// Deviation (2 cases per file, 6 in all): a custom endpoint together with FIPS, or with dual-stack.
/// The rule file answers "Invalid Configuration: FIPS and custom endpoint are not supported" (and the
/// same for Dualstack); the tools use the custom endpoint, as botocore's client does: it passes
/// neither FIPS nor dual-stack to the rules when an endpoint URL is configured
/// (`compute_endpoint_resolver_builtin_defaults`), so `aws --endpoint-url X` with
/// AWS_USE_FIPS_ENDPOINT=true calls X. An operator pointing the tools at a VPC endpoint or a local
/// AWS in a FIPS environment must not be refused.
@Suite struct EndpointRuleTests {
    struct Case {
        var documentation: String
        var params: EndpointResolver.Parameters
        var url: String?
        var signingRegion: String?
        var error: String?
    }

    static func cases(_ service: String) throws -> [Case] {
        let root = try ConventionVectors.json("endpoints/\(service)-endpoint-tests-1.json")
        let list = try #require(root["testCases"]?.arrayValue)
        return list.map { c in
            let p = c["params"] ?? .null
            let known: Set<String> = ["Region", "UseFIPS", "UseDualStack", "Endpoint", "UseGlobalEndpoint"]
            for key in p.objectValue?.keys ?? [] where !known.contains(key) {
                Issue.record("\(service): parameter \(key) is not run")
            }
            let expect = c["expect"] ?? .null
            let endpoint = expect["endpoint"]
            let scheme = endpoint?["properties"]?["authSchemes"]?[0]
            return Case(documentation: c["documentation"]?.stringValue ?? "",
                        params: .init(region: p["Region"]?.stringValue, useFIPS: p["UseFIPS"]?.boolValue ?? false,
                                      useDualStack: p["UseDualStack"]?.boolValue ?? false, endpoint: p["Endpoint"]?.stringValue,
                                      useGlobalEndpoint: p["UseGlobalEndpoint"]?.boolValue ?? false),
                        url: endpoint?["url"]?.stringValue, signingRegion: scheme?["signingRegion"]?.stringValue,
                        error: expect["error"]?.stringValue)
        }
    }

    /// Checks one answer against a case; true when it matches.
    static func matches(_ c: Case, _ result: Result<ResolvedEndpoint, Error>) -> Bool {
        switch result {
        case .success(let e):
            guard let url = c.url, c.error == nil else { return false }
            return e.url == url && (c.signingRegion == nil || e.signingRegion == c.signingRegion)
        case .failure(let error):
            guard let expected = c.error, let e = error as? EndpointError else { return false }
            return e.exitStatus == .config && e.detail.contains(expected)
        }
    }

    static let totals = ["ecs": 49, "sqs": 48, "sts": 69]

    @Test(arguments: ["ecs", "sqs", "sts"])
    func ruleSetAsWritten(service: String) throws {
        let all = try Self.cases(service)
        #expect(all.count == Self.totals[service])
        var passed = 0
        for c in all {
            let r = Result { try EndpointResolver.resolve(service: service, c.params) }
            if Self.matches(c, r) { passed += 1 } else { Issue.record("\(service) \(c.documentation): got \(r)") }
        }
        print("endpoint rules \(service): \(passed)/\(all.count) cases pass against the rule set")
        #expect(passed == all.count)
    }

    @Test(arguments: ["ecs", "sqs", "sts"])
    func asTheToolsResolve(service: String) throws {
        let all = try Self.cases(service)
        var passed = 0
        var deviations = 0
        for c in all {
            var env: [String: String] = [:]
            if c.params.useFIPS { env["AWS_USE_FIPS_ENDPOINT"] = "true" }
            if c.params.useDualStack { env["AWS_USE_DUALSTACK_ENDPOINT"] = "true" }
            if c.params.useGlobalEndpoint { env["AWS_STS_REGIONAL_ENDPOINTS"] = "legacy" }
            let r = Result {
                try ResolvedAWSConfig.resolveServiceEndpoint(service: service, region: c.params.region, flag: c.params.endpoint,
                                                             env: Environment(env), profile: nil)
            }
            if let custom = c.params.endpoint, c.params.useFIPS || c.params.useDualStack {
                // The deviation described above: the custom endpoint is used.
                #expect(c.error != nil, "\(c.documentation): the rule file is expected to refuse")
                #expect((try? r.get())?.url == custom, "\(c.documentation)")
                deviations += 1
                continue
            }
            if Self.matches(c, r) { passed += 1 } else { Issue.record("\(service) \(c.documentation): got \(r)") }
        }
        print("endpoint rules \(service), as the tools resolve: \(passed)/\(all.count) pass, \(deviations) deliberate deviations")
        #expect(deviations == 2)
        #expect(passed + deviations == all.count)
    }

    @Test func embeddedPartitionsTableIsTheVendoredFile() throws {
        // The tools embed the table (PartitionsData.swift); they must not drift apart.
        #expect(Partitions.json == (try ConventionVectors.text("endpoints/partitions.json")))
        #expect(Partitions.all.map(\.id) == ["aws", "aws-cn", "aws-eusc", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-us-gov"])
    }

    /// The partitions the rule tests do not reach, and regions the table does not name.
    typealias Row = (service: String, region: String, fips: Bool, dualStack: Bool, url: String)
    static let beyond: [Row] = [
        ("sqs", "eusc-de-east-1", false, false, "https://sqs.eusc-de-east-1.amazonaws.eu"),
        ("ecs", "eusc-de-east-1", false, true, "https://ecs.eusc-de-east-1.api.amazonwebservices.eu"),
        ("sts", "eu-isoe-west-1", false, false, "https://sts.eu-isoe-west-1.cloud.adc-e.uk"),
        ("sqs", "us-isof-south-1", true, false, "https://sqs-fips.us-isof-south-1.csp.hci.ic.gov"),
        ("ecs", "us-iso-east-1", false, true, "https://ecs.us-iso-east-1.api.aws.ic.gov"),
        ("sqs", "us-isob-east-1", true, true, "https://sqs-fips.us-isob-east-1.api.aws.scloud"),
        ("ecs", "us-gov-west-1", true, false, "https://ecs-fips.us-gov-west-1.amazonaws.com"),
        ("sqs", "us-gov-west-1", true, false, "https://sqs.us-gov-west-1.amazonaws.com"),
        ("sts", "aws-global", false, false, "https://sts.amazonaws.com"),
        ("sts", "aws-global", false, true, "https://sts.aws-global.api.aws"),
        // Unknown regions in a known pattern: the partition whose regex matches, as in the SDKs.
        ("sqs", "us-iso-east-9", false, false, "https://sqs.us-iso-east-9.c2s.ic.gov"),
        ("sqs", "cn-south-7", false, true, "https://sqs.cn-south-7.api.amazonwebservices.com.cn"),
        ("ecs", "eu-central-3", false, false, "https://ecs.eu-central-3.amazonaws.com"),
        ("sts", "us-gov-north-1", true, false, "https://sts.us-gov-north-1.amazonaws.com"),
        ]

    @Test(arguments: beyond)
    func partitionsBeyondTheRuleTests(_ row: Row) throws {
        #expect(try ResolvedAWSConfig.defaultEndpoint(service: row.service, region: row.region, fips: row.fips,
                                                      dualStack: row.dualStack) == row.url)
    }

    /// Deliberate deviation: where the SDKs would fall back to the `aws` partition for a region that
    /// matches no partition (`sqs.moon-1.amazonaws.com`), the tools refuse with a configuration error,
    /// so a mistyped region is named instead of becoming a DNS failure; a region that is not a DNS label
    /// is refused as botocore refuses it.
    @Test func regionsInNoPartitionAreConfigurationErrors() throws {
        for (region, detail) in [
            ("moon-1", "region moon-1 is in no known partition (aws, aws-cn, aws-eusc, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-us-gov); pass --endpoint-url to use it anyway"),
            ("eu-west-1.evil.com", "region eu-west-1.evil.com is not a valid region name"),
            ("-us-east-1", "region -us-east-1 is not a valid region name"),
        ] {
            #expect(throws: EndpointError(service: "sqs", detail: detail)) {
                try ResolvedAWSConfig.resolveEndpoint(service: "sqs", region: region, flag: nil, env: Environment(), profile: nil)
            }
        }
        // A custom endpoint needs no partition: local emulators take any region name.
        #expect(try ResolvedAWSConfig.resolveEndpoint(service: "sqs", region: "moon-1", flag: "http://127.0.0.1:4566",
                                                      env: Environment(), profile: nil) == "http://127.0.0.1:4566")
    }

    @Test func resolveFailsWithExit78ForACombinationWithoutEndpoint() throws {
        do {
            _ = try ResolvedAWSConfig.resolve(flags: ("mars-1", nil, nil), queueUrl: nil,
                                              env: Environment(["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "s"]),
                                              fs: MemoryFileSystem(), transport: CredFakeTransport.unused(), time: ManualTime(), logger: nil)
            Issue.record("expected an error")
        } catch let e as ReportedError {
            #expect(e.exitStatus == .config)
            #expect(e.message.hasPrefix("no sts endpoint: region mars-1 is in no known partition"))
        }
        do {
            _ = try ResolvedAWSConfig.resolve(flags: ("eu-west-1", nil, nil), queueUrl: nil,
                                              env: Environment(["AWS_STS_REGIONAL_ENDPOINTS": "sometimes"]),
                                              fs: MemoryFileSystem(), transport: CredFakeTransport.unused(), time: ManualTime(), logger: nil)
            Issue.record("expected an error")
        } catch let e as ReportedError {
            #expect(e.exitStatus == .config)
            #expect(e.message == "no sts endpoint: sts_regional_endpoints sometimes is neither legacy nor regional")
        }
    }

    /// STS at the global endpoint signs for us-east-1, whatever region the tools run in.
    @Test func globalSTSSignsForUsEast1() throws {
        let transport = CredFakeTransport { _ in STSFixtures.credentials("AssumeRole", id: "ASIAG", secret: "s", token: "t") }
        let files = ["/root/.aws/config": "[default]\nsts_regional_endpoints = legacy\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = b\n[profile b]\naws_access_key_id = AKIDB\naws_secret_access_key = b\n"]
        let r = try ResolvedAWSConfig.resolve(flags: ("eu-west-1", nil, nil), queueUrl: nil, env: Environment(),
                                              fs: MemoryFileSystem(files), transport: transport, time: ManualTime(), logger: nil)
        #expect(r.stsEndpoint == "https://sts.amazonaws.com")
        #expect(r.stsSigningRegion == "us-east-1")
        #expect(r.sqsEndpoint == "https://sqs.eu-west-1.amazonaws.com")
        _ = try r.credentials.credentials(now: credNow)
        #expect(transport.requests.first?.url == "https://sts.amazonaws.com/")
        #expect(transport.requests.first?.header("Authorization")?.contains("/us-east-1/sts/aws4_request") == true)
    }

    @Test(arguments: [
        ("https://sqs.us-iso-east-1.c2s.ic.gov/123456789012/deploy", "us-iso-east-1"),
        ("https://sqs.us-isob-east-1.sc2s.sgov.gov/123456789012/deploy", "us-isob-east-1"),
        ("https://sqs.eusc-de-east-1.amazonaws.eu/123456789012/deploy", "eusc-de-east-1"),
        ("https://sqs.eu-isoe-west-1.cloud.adc-e.uk/123456789012/deploy", "eu-isoe-west-1"),
    ])
    func regionFromQueueURLInEveryPartition(url: String, region: String) {
        #expect(ResolvedAWSConfig.regionFromQueueURL(url) == region)
    }
}
