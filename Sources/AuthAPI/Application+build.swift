import Foundation
import Hummingbird
import Logging
import MetricsServer
import ServiceLifecycle
import NIOCore
import Shared

/// Builds the API process from its configuration: every part is made here and passed down.
func buildApplication(
    configuration: APIConfiguration,
    database: any AuthBackend,
    logger: Logger,
    clock: any AuthClock = SystemClock(),
    random: any RandomSource = SecureRandom()
) async throws -> some ApplicationProtocol {
    let common = configuration.common
    let secretKey = try SecretKeyStore.resolve(configured: common.secretKey, directory: common.databaseDirectory, random: random)
    // The database's services first: they run while the rest starts and stop last. Start-up
    // queries wait for them, before the server listens.
    var services: [any Service] = database.services
    var startup: [@Sendable () async throws -> Void] = [{ try await database.requireMigrated() }]
    // Asymmetric keys: the account tokens' algorithm, and RS256 for the OpenID Provider's
    // tokens when it is on (one ring when they are the same). The first start generates the
    // current keys; every start reads them all, and again every AUTH_KEYS_REFRESH seconds.
    let sealer = KeySealer(secretKey: secretKey)
    let management = KeyManagement(
        store: database, sealer: sealer, algorithm: configuration.jwtAlgorithm,
        providerAlgorithm: configuration.provider == nil ? nil : .rs256,
        jwksMaxAge: TimeInterval(configuration.jwksMaxAge), clock: clock)
    var rings: [SigningAlgorithm: KeyRing] = [:]
    for algorithm in management.algorithmsInUse {
        rings[algorithm] = KeyRing(algorithm: algorithm, store: database, sealer: sealer, clock: clock)
    }
    let published = management.algorithmsInUse.compactMap { rings[$0] }
    if !published.isEmpty {
        startup.append {
            try await management.ensureCurrent()
            for ring in published { try await ring.refresh() }
        }
        for ring in published {
            services.append(KeyRefreshService(ring: ring, interval: .seconds(configuration.keysRefresh), logger: logger))
        }
    }
    let tokens: TokenService
    if let ring = rings[configuration.jwtAlgorithm] {
        tokens = TokenService(
            keyRing: ring, accessTTL: common.accessTTL, refreshTTL: common.refreshTTL, clock: clock, random: random,
            issuer: common.jwtIssuer, audience: common.jwtAudience)
    } else {
        tokens = await TokenService(
            secretKey: secretKey, previousKeys: common.previousSecretKeys, accessTTL: common.accessTTL,
            refreshTTL: common.refreshTTL, clock: clock, random: random, issuer: common.jwtIssuer, audience: common.jwtAudience)
    }
    let accounts = try await AccountUseCases(
        store: database,
        // Argon2id for every new hash; imported Django hashes verify until the first login replaces them.
        hasher: PasswordHashers(primary: Argon2idHasher(parameters: common.argon2, random: random)),
        tokens: tokens,
        limiter: RateLimiter(enabled: configuration.throttleEnabled, rates: configuration.throttleRates, store: database, clock: clock),
        codes: CodeHasher(secretKey: secretKey),
        mfaSecrets: MFASecrets(secretKey: secretKey),
        mfaIssuer: common.jwtIssuer ?? "swift-auth",
        clock: clock,
        random: random,
        logger: logger,
        retention: common.retention)

    let metricsOn = configuration.metricsPort != nil
    if let port = configuration.metricsPort {
        // Before any metric is made: the domain's counters then land in the served registry.
        let metrics = MetricsServer.bootstrap(latencyHistograms: [ServiceMetrics.httpRequestDuration, ServiceMetrics.argon2QueueWait])
        services.append(metrics.service(host: configuration.host, port: port, logger: logger))
    }
    let router = try buildRouter(
        accounts: accounts, database: database,
        cookies: TokenCookies(settings: CookieSettings(configuration: configuration), random: random),
        corsOrigins: configuration.corsOrigins, trustedProxies: configuration.trustedProxies,
        jwks: JWKSController(rings: published, maxAge: configuration.jwksMaxAge), metrics: metricsOn,
        provider: try configuration.provider.map {
            try ProviderEdge(
                configuration: $0, accounts: accounts, database: database, ring: rings[.rs256]!, secretKey: secretKey,
                accessTTL: common.accessTTL, refreshTTL: common.refreshTTL, clock: clock, random: random, logger: logger)
        },
        clients: ClientManagement(
            store: database, secrets: ClientSecrets(secretKey: secretKey, random: random),
            audit: AuditLog(store: database, clock: clock, logger: logger), clock: clock),
        clock: clock)
    services.append(PurgeService(interval: .seconds(common.retention.purgeInterval), logger: logger) { try await accounts.housekeeping.purgeExpired() })

    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
        services: services,
        onServerRunning: { channel in
            // One line on stdout that scripts and tests wait for (the port may have been 0).
            let port = channel.localAddress?.port ?? configuration.port
            FileHandle.standardOutput.write(Data("AuthAPI listening on http://\(configuration.host):\(port)\n".utf8))
        },
        logger: logger)
    app.beforeServerStarts { [startup] in
        for step in startup { try await step() }
    }
    return app
}
