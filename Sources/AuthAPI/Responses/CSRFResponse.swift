/// `GET /csrf/`: `{"csrftoken": "…"}`.
struct CSRFResponse: JSONBody {
    let csrftoken: String
}
