import Testing
@testable import Shared

/// The worker's permit to put a job's message on the wire: it ends the tolerated clock skew
/// before the lease, moves with each confirmed renewal, and a renewal that finds the lease
/// gone ends it at once.
@Suite("Send permits")
struct SendPermitTests {
    @Test("Valid until the lease less the tolerated skew; renewals extend it; a lost lease revokes it")
    func lifetime() {
        let start = ContinuousClock.now
        let permit = SendPermit(leasedAt: start, lease: .seconds(60))
        #expect(permit.toleratedSkew == .seconds(5))
        #expect(permit.isValid(at: start + .seconds(54)))
        #expect(!permit.isValid(at: start + .seconds(55)), "another worker, 5 s ahead, may claim it from here on")
        permit.renewed(at: start + .seconds(20))
        #expect(permit.isValid(at: start + .seconds(74)) && !permit.isValid(at: start + .seconds(75)))
        permit.renewed(at: start + .seconds(1))
        #expect(permit.isValid(at: start + .seconds(74)), "a late answer to an older renewal never shortens it")
        permit.revoke()
        #expect(!permit.isValid(at: start + .seconds(21)))
        permit.renewed(at: start + .seconds(30))
        #expect(!permit.isValid(at: start + .seconds(31)), "revoked for good")
    }

    @Test("A short lease tolerates a quarter of itself")
    func shortLease() {
        let start = ContinuousClock.now
        let permit = SendPermit(leasedAt: start, lease: .seconds(2))
        #expect(permit.toleratedSkew == .milliseconds(500))
        #expect(permit.isValid(at: start + .milliseconds(1_499)) && !permit.isValid(at: start + .milliseconds(1_500)))
    }
}
