import Foundation

/// The provider's pending authorization requests (`oauth_interactions`); rules in `InteractionRules`.
public protocol InteractionStore: Sendable {
    func insertInteraction(_ interaction: Interaction) async throws
    /// The live interaction with this id hash, of this browser; nil when unknown, expired, or
    /// started in another browser.
    func interaction(idHash: Data, browserHash: Data, now: Date) async throws -> Interaction?
}
