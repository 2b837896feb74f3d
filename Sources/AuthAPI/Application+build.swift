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
    let tokens: TokenService
    let keyRing: KeyRing?
    if configuration.jwtAlgorithm.isAsymmetric {
        // The first start generates the first key; every start reads them all, and again every
        // AUTH_KEYS_REFRESH seconds.
        let sealer = KeySealer(secretKey: secretKey)
        let management = KeyManagement(
            store: database, sealer: sealer, algorithm: configuration.jwtAlgorithm,
            jwksMaxAge: TimeInterval(configuration.jwksMaxAge), clock: clock)
        let ring = KeyRing(algorithm: configuration.jwtAlgorithm, store: database, sealer: sealer, clock: clock)
        startup.append {
            _ = try await management.ensureCurrent()
            try await ring.refresh()
        }
        services.append(KeyRefreshService(ring: ring, interval: .seconds(configuration.keysRefresh), logger: logger))
        keyRing = ring
        tokens = TokenService(
            keyRing: ring, accessTTL: common.accessTTL, refreshTTL: common.refreshTTL, clock: clock, random: random,
            issuer: common.jwtIssuer, audience: common.jwtAudience)
    } else {
        keyRing = nil
        tokens = await TokenService(
            secretKey: secretKey, previousKeys: common.previousSecretKeys, accessTTL: common.accessTTL,
            refreshTTL: common.refreshTTL, clock: clock, random: random, issuer: common.jwtIssuer, audience: common.jwtAudience)
    }
    let context = try await AccountContext(
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
    let accounts = AccountUseCases(context: context)

    var router = makeRouter(
        accounts: accounts, database: database, transport: TokenTransport(configuration: configuration, random: random),
        corsOrigins: configuration.corsOrigins, trustedProxies: configuration.trustedProxies,
        jwks: JWKSController(ring: keyRing, maxAge: configuration.jwksMaxAge), logger: logger)
    if let port = configuration.metricsPort {
        // Before any metric is made: the domain's counters then land in the served registry.
        let metrics = MetricsServer.bootstrap(latencyHistograms: [ServiceMetrics.httpRequestDuration, ServiceMetrics.argon2QueueWait])
        services.append(metrics.service(host: configuration.host, port: port, logger: logger))
        router.metrics = RequestMetrics()
    }
    services.append(PurgeService(interval: .seconds(common.retention.purgeInterval), logger: logger) { try await accounts.housekeeping.purgeExpired() })

    var app = Application(
        responder: router,
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

/// Every route of the API, from its controllers: one place, so the OpenAPI document can be
/// checked against it.
func makeRouter(
    accounts: AccountUseCases, database: any AuthBackend, transport: TokenTransport, corsOrigins: Set<String>,
    trustedProxies: [ClientAddressResolver.Network] = [], jwks: JWKSController = JWKSController(ring: nil, maxAge: 600),
    logger: Logger
) -> APIRouter {
    var router = APIRouter(
        logger: logger, authenticator: RequestAuthenticator(authentication: accounts.authentication, transport: transport),
        corsOrigins: corsOrigins, clientAddresses: .init(trusted: trustedProxies))
    let accountsController = AccountsController(
        registration: accounts.registration, verification: accounts.verification, authentication: accounts.authentication,
        profile: accounts.profile, transport: transport)
    accountsController.addRoutes(to: &router)
    MFAController(multiFactor: accounts.multiFactor, accounts: accountsController).addRoutes(to: &router)
    LifecycleController(
        passwordReset: accounts.passwordReset, passwordChange: accounts.passwordChange, emailChange: accounts.emailChange,
        transport: transport
    ).addRoutes(to: &router)
    SessionsController(sessions: accounts.sessions, authentication: accounts.authentication, transport: transport)
        .addRoutes(to: &router)
    AccountDataController(accountData: accounts.accountData, authentication: accounts.authentication, transport: transport)
        .addRoutes(to: &router)
    AdminController(administration: accounts.administration).addRoutes(to: &router)
    HealthController(database: database).addRoutes(to: &router)
    jwks.addRoutes(to: &router)
    SchemaController().addRoutes(to: &router)
    return router
}
