/// `{}`: `token/verify`'s answer, as simplejwt's.
struct EmptyResponse: JSONBody {}
