// libFuzzer entry point: bearer tokens, through `TokenService.verify` with a random secret key
// (so no fuzz input can ever carry a valid signature), and the strict `Base64URL.decode`.
// Built only by `make fuzz` (AUTH_FUZZ=1, -sanitize=fuzzer,address).
import Dispatch
import Foundation
import Shared

private final class Box<T>: @unchecked Sendable {
    var value: T?
}

/// Runs async work to completion from the synchronous libFuzzer callback: the work runs on the
/// cooperative pool, this thread (never one of the pool's) waits.
private func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let box = Box<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        box.value = await body()
        done.signal()
    }
    done.wait()
    return box.value!
}

private let clock = ManualClock()

/// Created once, on first use (global initialisation is thread-safe), with a fresh random key.
private let service: TokenService = {
    let service = runBlocking {
        await TokenService(
            secretKey: SecureRandom().token(byteCount: 32), accessTTL: 300, refreshTTL: 86_400,
            clock: clock, random: SecureRandom())
    }
    // The harness is only meaningful if the service accepts its own tokens.
    let accepted = runBlocking { () -> Bool in
        guard let pair = try? await service.issue(userId: 1, sessionId: "fuzz") else { return false }
        return (try? await service.verify(pair.access, expecting: .access)) != nil
    }
    precondition(accepted, "TokenService refuses its own token")
    return service
}()

private func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("invariant violated: \(message())") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)

    // Base64URL: strict decoding means one encoding per value, so decode then encode is the identity.
    if let decoded = Base64URL.decode(bytes) {
        check(Array(Base64URL.encode(decoded).utf8).elementsEqual(bytes), "Base64URL.decode accepted a non-canonical encoding")
    }
    check(Base64URL.decode(Base64URL.encode(bytes).utf8) == Data(bytes), "Base64URL round trip failed")

    // Tokens arrive in headers, cookies or JSON strings: invalid UTF-8 is repaired.
    let token = String(decoding: bytes, as: UTF8.self)
    let service = service
    let result = runBlocking { () -> Result<TokenClaims, TokenError> in
        do throws(TokenError) {
            return .success(try await service.verify(token))
        } catch {
            return .failure(error)
        }
    }
    if case .success(let claims) = result {
        fatalError("verify accepted a token it never issued: \(token.debugDescription) -> \(claims)")
    }
    return 0
}
