import Testing
@testable import Shared

@Suite("Client address behind trusted proxies")
struct ClientAddressResolverTests {
    let resolver = ClientAddressResolver(trusted: [
        ClientAddressResolver.Network("10.0.0.0/8")!, ClientAddressResolver.Network("127.0.0.1")!,
        ClientAddressResolver.Network("2001:db8::/32")!,
    ])

    @Test("An untrusted peer is the client, whatever it forwards")
    func untrustedPeer() {
        #expect(resolver.resolve(peer: "203.0.113.9", forwardedFor: ["1.2.3.4"]) == "203.0.113.9")
        #expect(ClientAddressResolver().resolve(peer: "127.0.0.1", forwardedFor: ["1.2.3.4"]) == "127.0.0.1")
    }

    @Test("A trusted peer: the rightmost untrusted hop of X-Forwarded-For")
    func trustedPeer() {
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: ["198.51.100.1, 10.1.2.3"]) == "198.51.100.1")
        #expect(resolver.resolve(peer: "10.0.0.5", forwardedFor: ["6.6.6.6", "198.51.100.2, 10.9.9.9"]) == "198.51.100.2")
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: []) == "127.0.0.1")
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: ["not-an-ip"]) == "127.0.0.1")
        #expect(resolver.resolve(peer: "::ffff:127.0.0.1", forwardedFor: ["2001:db8::1, 2001:db9::7"]) == "2001:db9::7")
    }

    @Test("Networks parse and match by prefix")
    func networks() {
        #expect(ClientAddressResolver.Network("10.0.0.0/33") == nil)
        #expect(ClientAddressResolver.Network("banana") == nil)
        #expect(resolver.isTrusted("10.255.0.1") && !resolver.isTrusted("11.0.0.1"))
        #expect(resolver.isTrusted("2001:db8:ffff::1") && !resolver.isTrusted("2001:db9::1"))
    }
}
