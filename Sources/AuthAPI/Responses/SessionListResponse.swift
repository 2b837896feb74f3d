/// `GET /sessions/`: a bare JSON array of the caller's sessions, newest first.
struct SessionListResponse: JSONBody {
    let sessions: [SessionResponse]

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(sessions)
    }
}
