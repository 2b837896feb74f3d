/// The outcome of a write that adds accounts: done, or refused because an address (or an
/// imported id) is taken — decided by the database's unique index, inside the transaction,
/// so two parallel signups of one address cannot both succeed.
public enum Insertion<Value: Sendable>: Sendable {
    case inserted(Value)
    case emailTaken
}
