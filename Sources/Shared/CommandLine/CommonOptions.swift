import AWSCore
import Deployment

import ArgumentParser

/// The flags every tool takes: where AWS is, which cluster, how much to say.
public struct CommonOptions: ParsableArguments {
    @Option(help: ArgumentHelp("ECS cluster of the service, for documents without a \"cluster\" (env ECS_CLUSTER; default: default).",
                               valueName: "name"))
    public var cluster: String?

    @Option(help: ArgumentHelp("AWS region (env AWS_REGION, AWS_DEFAULT_REGION; else the profile's region, else the SQS queue URL's).",
                               valueName: "region"))
    public var region: String?

    @Option(help: ArgumentHelp("Profile of the shared AWS config and credentials files (env AWS_PROFILE).",
                               valueName: "name"))
    public var profile: String?

    @Option(name: .customLong("endpoint-url"),
            help: ArgumentHelp("Send every AWS call to this endpoint, e.g. an emulator (env AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL_ECS).",
                               valueName: "url"))
    public var endpointURL: String?

    @Flag(name: .shortAndLong, help: "Print only errors on stderr.")
    public var quiet = false

    @Flag(name: .shortAndLong, help: "Also print debugging detail on stderr (never secrets).")
    public var verbose = false

    @Option(name: .customLong("log-format"),
            help: ArgumentHelp("Diagnostics on stderr as text lines (tool: message) or JSON lines: text|json.",
                               valueName: "format"))
    public var logFormat: Logger.Format = .text

    public init() {}

    public func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose exclude each other") }
        if let url = endpointURL {
            // Checked before any input is read, so a worker's start-up check of its tools catches it.
            if url.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) || URLParts(url) == nil {
                throw ValidationError("--endpoint-url must be an http:// or https:// URL with a host and a port from 1 to 65535, got '\(Logger.escaped(url))'")
            }
        }
    }

    /// --cluster, else ECS_CLUSTER, else `default`.
    public func resolvedCluster(_ env: Environment) -> String {
        cluster ?? env.nonEmpty("ECS_CLUSTER") ?? "default"
    }

    public var logLevel: Logger.Level { quiet ? .error : verbose ? .debug : .info }
}

extension Logger.Format: ExpressibleByArgument {}

extension WaitUntil: ExpressibleByArgument {}
