// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "swift-auth",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "AuthAPI", targets: ["AuthAPI"]),
        .executable(name: "MailWorker", targets: ["MailWorker"]),
        .library(name: "Shared", targets: ["Shared"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CArgon2",
            pkgConfig: "libargon2",
            providers: [.apt(["libargon2-dev"])]
        ),
        // Argon2id for hashing: libsodium's `crypto_pwhash` picks SSSE3/AVX2 code at run time,
        // where Debian's libargon2 is the portable reference code (see issue 14's measurement).
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        // bcrypt for imported Django `bcrypt_sha256` hashes: libxcrypt's `crypt_r` (`$2b$`).
        .systemLibrary(
            name: "CCrypt",
            pkgConfig: "libxcrypt",
            providers: [.apt(["libcrypt-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "Shared",
            dependencies: [
                "CArgon2",
                "CSodium",
                "CCurl",
                "CCrypt",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                // RSA key generation for RS256 (`_RSA.Signing.PrivateKey`), as jwt-kit uses it.
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            resources: [.copy("Resources/common-passwords.txt"), .copy("Resources/openapi.json")],
            swiftSettings: swiftSettings
        ),
        // `GET /metrics` on its own port for both processes: swift-prometheus's registry, as
        // swift-metrics' backend, served by Hummingbird (kept out of Shared, which knows no HTTP).
        .target(
            name: "MetricsServer",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AuthAPI",
            dependencies: [
                "Shared",
                "MetricsServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
                // The OpenID Provider's server-rendered sign-in pages.
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Pages")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "MailWorker",
            dependencies: [
                "Shared",
                "MetricsServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Measuring sticks for `make bench` (framework and hash ceilings); not part of the product.
        .executableTarget(
            name: "HelloBench",
            dependencies: [
                "Shared",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Benchmarks/HelloBench",
            swiftSettings: swiftSettings
        ),
        // What both test targets share: `eventually`, the one way a test waits for a condition.
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SharedTests",
            dependencies: [
                "Shared",
                "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AuthAPITests",
            dependencies: [
                "Shared",
                "AuthAPI",
                "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

// libFuzzer targets for `make fuzz`, present only when the manifest is evaluated with AUTH_FUZZ=1
// (built with `swift build --sanitize=fuzzer --sanitize=address`: libFuzzer provides their `main`).
if Context.environment["AUTH_FUZZ"] == "1" {
    for name in ["FuzzRequests", "FuzzJWT", "FuzzEmail"] {
        package.targets.append(
            .executableTarget(
                name: name,
                dependencies: ["Shared"],
                path: "Fuzz/\(name)",
                swiftSettings: [.unsafeFlags(["-parse-as-library"])]
            )
        )
        package.products.append(.executable(name: name, targets: [name]))
    }
}
