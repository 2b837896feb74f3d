import Crypto
import _CryptoExtras
import Foundation
import JWTKit

/// A key pair made and read with jwt-kit's own key types (no hand-written cryptography): the
/// private key as PKCS #8 / PKCS #1 PEM, the public key as JWK members.
struct KeyMaterial: Sendable {
    let algorithm: SigningAlgorithm
    let privatePEM: String
    /// The public key's members that RFC 7638 hashes, in its (lexicographic) order.
    let publicMembers: [(String, String)]

    /// A fresh key pair whose thumbprint (the kid) does not begin with `-`. The thumbprint is
    /// base64url, so one key in 64 would begin with a dash, and `AuthAPI keys revoke -x…` would
    /// read that kid as an option; such a pair is dropped and another drawn (about 1.6 % of draws).
    static func generate(_ algorithm: SigningAlgorithm) throws -> KeyMaterial {
        while true {
            let material = try draw(algorithm)
            if !material.thumbprint.hasPrefix("-") { return material }
        }
    }

    private static func draw(_ algorithm: SigningAlgorithm) throws -> KeyMaterial {
        switch algorithm {
        case .es256:
            return try load(pem: ES256PrivateKey().pemRepresentation, algorithm: algorithm)
        case .edDSA:
            return try load(pem: EdDSA.PrivateKey(curve: .ed25519).pemRepresentation, algorithm: algorithm)
        case .rs256:
            let key = try Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
            return try load(pem: key.pemRepresentation, algorithm: algorithm)
        case .hs256:
            throw KeyError.notAsymmetric
        }
    }

    static func load(pem: String, algorithm: SigningAlgorithm) throws -> KeyMaterial {
        switch algorithm {
        case .es256:
            let key = try ES256PrivateKey(pem: pem)
            guard let (x, y) = key.publicKey.parameters else { throw KeyError.malformedKey(kid: "") }
            return KeyMaterial(algorithm: algorithm, privatePEM: pem, publicMembers: [("crv", "P-256"), ("kty", "EC"), ("x", x), ("y", y)])
        case .edDSA:
            let key = try EdDSA.PrivateKey(pem: pem)
            return KeyMaterial(algorithm: algorithm, privatePEM: pem, publicMembers: [
                ("crv", "Ed25519"), ("kty", "OKP"), ("x", Base64URL.encode(key.publicKey.rawRepresentation)),
            ])
        case .rs256:
            let key = try Insecure.RSA.PrivateKey(pem: pem)
            let (modulus, exponent) = try key.publicKey.getKeyPrimitives()
            // base64urlUInt (RFC 7518 6.3.1): big-endian, no leading zero octets.
            func unsigned(_ data: Data) -> String { Base64URL.encode(Array(data.drop(while: { $0 == 0 }))) }
            return KeyMaterial(algorithm: algorithm, privatePEM: pem, publicMembers: [
                ("e", unsigned(exponent)), ("kty", "RSA"), ("n", unsigned(modulus)),
            ])
        case .hs256:
            throw KeyError.notAsymmetric
        }
    }

    /// The RFC 7638 thumbprint: SHA-256 of the required members as compact JSON in key order.
    var thumbprint: String {
        Base64URL.encode(SHA256.hash(data: Array(Self.jwk(publicMembers).utf8)))
    }

    /// The public JWK as published: the members above plus `alg`, `kid` and `use`, keys sorted.
    func publicJWK(kid: String) -> String {
        Self.jwk(publicMembers + [("alg", algorithm.jwtName), ("kid", kid), ("use", "sig")])
    }

    /// Compact JSON of string members, keys sorted (as RFC 7638 orders them too).
    static func jwk(_ members: [(String, String)]) -> String {
        var json: [UInt8] = [UInt8(ascii: "{")]
        for (i, (name, value)) in members.sorted(by: { $0.0 < $1.0 }).enumerated() {
            if i > 0 { json.append(UInt8(ascii: ",")) }
            JSONText.appendString(name, to: &json)
            json.append(UInt8(ascii: ":"))
            JSONText.appendString(value, to: &json)
        }
        json.append(UInt8(ascii: "}"))
        return String(decoding: json, as: UTF8.self)
    }

    /// jwt-kit's signer for the private key.
    func signer(kid: String) async throws -> any JWTAlgorithm {
        let keys = JWTKeyCollection()
        let id = JWKIdentifier(string: kid)
        switch algorithm {
        case .es256: await keys.add(ecdsa: try ES256PrivateKey(pem: privatePEM), kid: id)
        case .edDSA: await keys.add(eddsa: try EdDSA.PrivateKey(pem: privatePEM), kid: id)
        case .rs256: await keys.add(rsa: try Insecure.RSA.PrivateKey(pem: privatePEM), digestAlgorithm: .sha256, kid: id)
        case .hs256: throw KeyError.notAsymmetric
        }
        return try await keys.getKey(for: id)
    }

    /// jwt-kit's verifier for a published key, from its JWK alone: verifying never needs the
    /// private key.
    static func verifier(publicJWK: String, kid: String) async throws -> any JWTAlgorithm {
        let keys = JWTKeyCollection()
        try await keys.add(jwk: JWK(json: publicJWK))
        return try await keys.getKey(for: JWKIdentifier(string: kid))
    }
}
