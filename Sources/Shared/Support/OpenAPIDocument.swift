import Foundation

/// The OpenAPI 3.1 document of the HTTP API, kept as one file in the repository
/// (`Sources/Shared/Resources/openapi.json`) and served at `GET /api/schema/`.
public enum OpenAPIDocument {
    public static let data: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
              let data = try? Data(contentsOf: url)
        else { fatalError("openapi.json resource missing") }
        return data
    }()
}
