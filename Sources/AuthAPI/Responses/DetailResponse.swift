/// `{"detail": "…"}`: what an accepted request that returns nothing else says (send-otp, resets, MFA off).
struct DetailResponse: JSONBody {
    let detail: String
}
