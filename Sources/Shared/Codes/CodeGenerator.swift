/// Six decimal digits from the injected CSPRNG, uniform over 000000–999999 (the generator's
/// `uniform(below:)` rejects instead of reducing modulo, so there is no bias).
public struct CodeGenerator: Sendable {
    let random: any RandomSource

    public init(random: any RandomSource) {
        self.random = random
    }

    public func generate() -> String {
        let n = random.uniform(below: 1_000_000)
        let digits = String(n)
        return String(repeating: "0", count: 6 - digits.count) + digits
    }
}
