// swift-tools-version:6.0
import PackageDescription

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let settings: [SwiftSetting] = []

/// The tools, one executable each at Sources/<tool>/main.swift running its command type; the command
/// line's `Tools.all` names the same ones and scripts/tools prints this list for the shell scripts.
let tools = ["sqs-receive", "ecs-register", "ecs-update", "ecs-wait"]

let package = Package(
    name: "ecs-deployment",
    platforms: [.macOS(.v13)],
    products: tools.map { .executable(name: $0, targets: [$0]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries named by the product: HTTP, SHA-256/HMAC, JSON.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"]), .brew(["openssl"])]),
        .systemLibrary(name: "CJansson", pkgConfig: "jansson",
                       providers: [.apt(["libjansson-dev"]), .brew(["jansson"])]),
        // One-to-one wrappers for the variadic and macro parts of those APIs.
        .target(name: "CShim", dependencies: ["CCurl", "CJansson"]),

        // The three layers of Sources/Shared (docs/architecture.md); each may import only the ones above it.
        // 1. The AWS core: JSON, transport, signer, config, credentials, STS, the SQS and ECS clients.
        .target(name: "AWSCore", dependencies: ["CCurl", "CCrypto", "CJansson", "CShim"],
                path: "Sources/Shared/AWSCore", swiftSettings: settings),
        // 2. The deployment logic: documents, the delivery guard, the wait decision and the waiter.
        .target(name: "Deployment", dependencies: ["AWSCore"],
                path: "Sources/Shared/Deployment", swiftSettings: settings),
        // 3. The command line: the tools as library types, manuals, the document loop, exit statuses.
        .target(name: "Shared", dependencies: ["AWSCore", "Deployment", "CShim", argumentParser],
                path: "Sources/Shared/CommandLine", swiftSettings: settings),
    ] + tools.map { tool in
        .executableTarget(name: tool, dependencies: ["Shared", argumentParser], swiftSettings: settings)
    } + [
        // Test doubles and fixtures: linked into the tests only, never into a tool.
        .target(name: "TestSupport", dependencies: ["AWSCore", "Deployment", "Shared"],
                path: "Tests/TestSupport", swiftSettings: settings),
        .testTarget(name: "SharedTests", dependencies: ["TestSupport", "Shared", "Deployment", "AWSCore", "CShim", "CCurl",
                                                        argumentParser],
                    exclude: ["Vectors"], swiftSettings: settings),
    ]
)
