/// `{"status": "…"}` of the probes `/healthz` and `/readyz`.
struct HealthResponse: JSONBody {
    let status: String
}
