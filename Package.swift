// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ecs-deployment",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "sqs-receive", targets: ["sqs-receive"]),
        .executable(name: "ecs-register", targets: ["ecs-register"]),
        .executable(name: "ecs-update", targets: ["ecs-update"]),
        .executable(name: "ecs-wait", targets: ["ecs-wait"]),
    ],
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
        .target(name: "Shared", dependencies: ["CCurl", "CCrypto", "CJansson", "CShim",
                                        .product(name: "ArgumentParser", package: "swift-argument-parser")],
                swiftSettings: [.swiftLanguageMode(.v5)]),
        .executableTarget(name: "sqs-receive", dependencies: ["Shared", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: [.swiftLanguageMode(.v5)]),
        .executableTarget(name: "ecs-register", dependencies: ["Shared", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: [.swiftLanguageMode(.v5)]),
        .executableTarget(name: "ecs-update", dependencies: ["Shared", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: [.swiftLanguageMode(.v5)]),
        .executableTarget(name: "ecs-wait", dependencies: ["Shared", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: [.swiftLanguageMode(.v5)]),
        .testTarget(name: "SharedTests", dependencies: ["Shared", "CShim"],
                    resources: [],
                    swiftSettings: [.swiftLanguageMode(.v5)]),
    ]
)
