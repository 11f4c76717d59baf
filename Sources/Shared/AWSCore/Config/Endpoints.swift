/// One AWS partition as the public partitions table describes it.
public struct Partition: Sendable, Equatable {
    public var id: String
    public var dnsSuffix: String
    public var dualStackDnsSuffix: String
    public var supportsFIPS: Bool
    public var supportsDualStack: Bool
    public var implicitGlobalRegion: String
    /// The regex a region of this partition matches, as written in the table.
    public var regionRegex: String
    /// The regions the table names.
    public var regions: Set<String>
}

/// The partitions table embedded in the tools (`PartitionsData.swift`), and the SDKs' `aws.partition` lookup.
public enum Partitions {
    /// Every partition, in the table's order (`aws` first).
    public static let all: [Partition] = parse(json)

    /// Reads the table; the embedded copy is checked by a test, so a failure here is a build defect.
    static func parse(_ text: String) -> [Partition] {
        guard let root = try? JSON.parse(text, source: "partitions.json"), let list = root["partitions"]?.arrayValue else {
            fatalError("the embedded partitions table is not valid")
        }
        return list.map { entry in
            let o = entry["outputs"] ?? .null
            return Partition(id: entry["id"]?.stringValue ?? "", dnsSuffix: o["dnsSuffix"]?.stringValue ?? "",
                             dualStackDnsSuffix: o["dualStackDnsSuffix"]?.stringValue ?? "",
                             supportsFIPS: o["supportsFIPS"]?.boolValue ?? false,
                             supportsDualStack: o["supportsDualStack"]?.boolValue ?? false,
                             implicitGlobalRegion: o["implicitGlobalRegion"]?.stringValue ?? "",
                             regionRegex: entry["regionRegex"]?.stringValue ?? "",
                             regions: Set(entry["regions"]?.objectValue?.keys ?? []))
        }
    }

    /// The partition of `region` as the SDKs find it: a region the table names, else the first partition
    /// whose regex matches. nil when neither, where the SDKs fall back to `aws` (see `EndpointResolver`).
    public static func partition(of region: String) -> Partition? {
        if let p = all.first(where: { $0.regions.contains(region) }) { return p }
        // Compiled per lookup: a Regex is not Sendable, and a tool looks up a handful of regions at most.
        for p in all {
            if let re = try? Regex(p.regionRegex), (try? re.wholeMatch(in: region)) != nil { return p }
        }
        return nil
    }
}

/// The endpoint a service call goes to, and the region its signature names.
public struct ResolvedEndpoint: Sendable, Equatable {
    public var url: String
    public var signingRegion: String
    public init(url: String, signingRegion: String) {
        self.url = url
        self.signingRegion = signingRegion
    }
}

/// No endpoint exists for a combination of settings (exit 78); the message says which and why.
public struct EndpointError: ReportedError, CustomStringConvertible, Equatable {
    public var service: String
    public var detail: String
    public var failureKind: FailureKind { .configuration }
    public var message: String { "no \(service) endpoint: \(detail)" }
    public var description: String { message }
}

/// The endpoint rule sets of SQS, ECS and STS (botocore's `endpoint-rule-set-1.json`), evaluated
/// over the embedded partitions table. The rule tests of all three run against `resolve`.
public enum EndpointResolver {
    /// The rule sets' parameters.
    public struct Parameters: Sendable, Equatable {
        public var region: String?
        public var useFIPS = false
        public var useDualStack = false
        /// A custom endpoint (`Endpoint`).
        public var endpoint: String?
        /// STS only: the legacy global endpoint for the regions that once used it (`sts_regional_endpoints = legacy`).
        public var useGlobalEndpoint = false

        public init(region: String?, useFIPS: Bool = false, useDualStack: Bool = false, endpoint: String? = nil,
                    useGlobalEndpoint: Bool = false) {
            self.region = region
            self.useFIPS = useFIPS
            self.useDualStack = useDualStack
            self.endpoint = endpoint
            self.useGlobalEndpoint = useGlobalEndpoint
        }
    }

    /// Services whose FIPS endpoint in GovCloud is the plain regional host (the rule sets say so for SQS and STS).
    static let plainFIPSInGovCloud: Set<String> = ["sqs", "sts"]

    /// STS regions that used `sts.amazonaws.com` before regional endpoints became the default.
    static let stsLegacyGlobalRegions: Set<String> = [
        "ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "aws-global", "ca-central-1",
        "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1", "us-east-1",
        "us-east-2", "us-west-1", "us-west-2",
    ]

    /// A region is one DNS label: letters, digits and dashes, neither starting nor ending with a dash
    /// (botocore refuses any other region name before it resolves an endpoint).
    public static func isValidRegionName(_ region: String) -> Bool {
        let bytes = Array(region.utf8)
        guard !bytes.isEmpty, bytes.count <= 63, bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else {
            return false
        }
        return bytes.allSatisfy { b in
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-")
        }
    }

    /// Evaluates the rule set of `service` (`sqs`, `ecs`, `sts`) exactly as written, errors included.
    public static func resolve(service: String, _ p: Parameters) throws -> ResolvedEndpoint {
        func fail(_ detail: String) -> EndpointError { EndpointError(service: service, detail: detail) }
        if service == "sts", p.useGlobalEndpoint, p.endpoint == nil, let region = p.region, !p.useFIPS, !p.useDualStack {
            let partition = try partition(of: region, service: service)
            if stsLegacyGlobalRegions.contains(region) {
                return ResolvedEndpoint(url: "https://sts.amazonaws.com", signingRegion: "us-east-1")
            }
            return ResolvedEndpoint(url: "https://sts.\(region).\(partition.dnsSuffix)", signingRegion: region)
        }
        if let endpoint = p.endpoint {
            if p.useFIPS { throw fail("Invalid Configuration: FIPS and custom endpoint are not supported") }
            if p.useDualStack { throw fail("Invalid Configuration: Dualstack and custom endpoint are not supported") }
            return ResolvedEndpoint(url: endpoint, signingRegion: p.region ?? "")
        }
        guard let region = p.region else { throw fail("Invalid Configuration: Missing Region") }
        let partition = try partition(of: region, service: service)
        let host: String
        switch (p.useFIPS, p.useDualStack) {
        case (true, true):
            guard partition.supportsFIPS && partition.supportsDualStack else {
                throw fail("FIPS and DualStack are enabled, but this partition does not support one or both (region \(region), partition \(partition.id))")
            }
            host = "\(service)-fips.\(region).\(partition.dualStackDnsSuffix)"
        case (true, false):
            guard partition.supportsFIPS else {
                throw fail("FIPS is enabled but this partition does not support FIPS (region \(region), partition \(partition.id))")
            }
            if plainFIPSInGovCloud.contains(service) && partition.id == "aws-us-gov" {
                host = "\(service).\(region).amazonaws.com"
            } else {
                host = "\(service)-fips.\(region).\(partition.dnsSuffix)"
            }
        case (false, true):
            guard partition.supportsDualStack else {
                throw fail("DualStack is enabled but this partition does not support DualStack (region \(region), partition \(partition.id))")
            }
            host = "\(service).\(region).\(partition.dualStackDnsSuffix)"
        case (false, false):
            if service == "sts" && region == "aws-global" {
                return ResolvedEndpoint(url: "https://sts.amazonaws.com", signingRegion: "us-east-1")
            }
            host = "\(service).\(region).\(partition.dnsSuffix)"
        }
        return ResolvedEndpoint(url: "https://" + host, signingRegion: region)
    }

    /// The partition of a region, or a configuration error: a region that is no DNS label, or one
    /// that neither the table names nor any partition's pattern matches, gets no invented host.
    static func partition(of region: String, service: String) throws -> Partition {
        guard isValidRegionName(region) else {
            throw EndpointError(service: service, detail: "region \(region) is not a valid region name")
        }
        guard let p = Partitions.partition(of: region) else {
            throw EndpointError(service: service,
                                detail: "region \(region) is in no known partition (\(Partitions.all.map(\.id).joined(separator: ", "))); pass --endpoint-url to use it anyway")
        }
        return p
    }
}
