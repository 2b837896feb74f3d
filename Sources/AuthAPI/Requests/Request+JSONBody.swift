import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Shared

extension Request {
    /// The body as a JSON object: at most 64 KiB (else 413), JSON content type when non-empty
    /// (else 415), well-formed UTF-8 JSON (else 400 `parse_error`), an object (else 400).
    func jsonObject() async throws -> [String: JSONValue] {
        let buffer = try await body.collect(upTo: APIRequestContext.maxBodySize)
        guard buffer.readableBytes > 0 else { return [:] }
        let contentType = headers[.contentType] ?? ""
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        guard mediaType == "application/json" else { throw APIError.unsupportedMediaType(contentType) }
        return try Self.parseObject(buffer.readableBytesView)
    }

    /// Parses a request body: it must be a JSON object (DRF's serializers refuse anything else).
    static func parseObject(_ data: some Collection<UInt8>) throws(APIError) -> [String: JSONValue] {
        if data.isEmpty { return [:] }
        let value: JSONValue
        do {
            value = try JSONParser.parse(data)
        } catch {
            throw APIError.parseError
        }
        guard case .object(let object) = value else {
            let kind: String
            switch value {
            case .array: kind = "list"
            case .null: kind = "NoneType"
            case .bool: kind = "bool"
            case .number: kind = "number"
            case .string: kind = "str"
            case .object: kind = "dict"
            }
            throw APIError.fields(["non_field_errors": ["Invalid data. Expected a dictionary, but got \(kind)."]])
        }
        return object
    }

    /// The body read into a typed request: body-level problems (size, media type, malformed
    /// JSON) throw at once; field problems come back as the failure, for the use case to report
    /// when its rules say (after its per-IP throttle, as DRF throttles before the serializer runs).
    func parsed<T>(_ read: ([String: JSONValue]) throws(AuthError) -> T) async throws -> Result<T, AuthError> {
        let object = try await jsonObject()
        return Result { () throws(AuthError) -> T in try read(object) }
    }
}
