import Foundation

/// The texts of each mail, in one place: subject, plain text and HTML, with the product name
/// and the code's lifetime. The plain text holds the code as its only run of six digits.
public struct MailTemplates: Sendable {
    public var productName: String
    public var codeLifetime: TimeInterval

    public init(productName: String = "swift-auth", codeLifetime: TimeInterval) {
        self.productName = productName
        self.codeLifetime = codeLifetime
    }

    public struct Rendered: Sendable, Equatable {
        public var subject: String
        public var plain: String
        public var html: String
    }

    var lifetimeText: String {
        let minutes = Int((codeLifetime / 60).rounded())
        if codeLifetime >= 60 && codeLifetime.truncatingRemainder(dividingBy: 60) == 0 {
            return minutes == 1 ? "1 minute" : "\(minutes) minutes"
        }
        let seconds = Int(codeLifetime)
        return seconds == 1 ? "1 second" : "\(seconds) seconds"
    }

    public func render(_ kind: MailJob.Kind, code: String?, name: String) -> Rendered {
        let shown = Self.displayable(name)
        let greeting = shown.isEmpty ? "Hello," : "Hello \(shown),"
        switch kind {
        case .verifyEmail:
            return codeMail(subject: "Your \(productName) verification code", greeting: greeting,
                            purpose: "Use this code to verify your e-mail address", code: code ?? "")
        case .passwordReset:
            return codeMail(subject: "Your \(productName) password reset code", greeting: greeting,
                            purpose: "Use this code to choose a new password", code: code ?? "")
        case .emailChange:
            return codeMail(subject: "Confirm your new \(productName) e-mail address", greeting: greeting,
                            purpose: "Use this code to confirm this new e-mail address", code: code ?? "")
        case .emailChangedNotice:
            let plain = "\(greeting)\n\nThe e-mail address of your \(productName) account was changed. If you did not do this, contact support at once.\n\n-- \(productName)\n"
            let html = "<p>\(escape(greeting))</p><p>The e-mail address of your \(escape(productName)) account was changed. If you did not do this, contact support at once.</p>"
            return Rendered(subject: "Your \(productName) e-mail address was changed", plain: plain, html: page(html))
        case .mfaEnabledNotice:
            return notice(subject: "Two-step verification is on for your \(productName) account", greeting: greeting,
                          text: "Two-step verification was turned on for your \(productName) account; your other sessions were signed out. If you did not do this, contact support at once.")
        case .mfaDisabledNotice:
            return notice(subject: "Two-step verification is off for your \(productName) account", greeting: greeting,
                          text: "Two-step verification was turned off for your \(productName) account. If you did not do this, change your password and contact support at once.")
        case .accountDeletedNotice:
            return notice(subject: "Your \(productName) account was deleted", greeting: greeting,
                          text: "Your \(productName) account and the personal data stored with it were deleted. If you did not ask for this, contact support at once.")
        }
    }

    private func notice(subject: String, greeting: String, text: String) -> Rendered {
        let plain = "\(greeting)\n\n\(text)\n\n-- \(productName)\n"
        return Rendered(subject: subject, plain: plain, html: page("<p>\(escape(greeting))</p><p>\(escape(text))</p>"))
    }

    /// A name as mails may show it: none that holds a run of six digits (the code must be the
    /// only one in the text) or line breaks, and at most 100 characters.
    static func displayable(_ name: String) -> String {
        var run = 0
        for c in name.unicodeScalars {
            run = c.properties.numericType != nil ? run + 1 : 0
            if run >= 6 { return "" }
        }
        return String(name.filter { !$0.isNewline }.prefix(100))
    }

    private func codeMail(subject: String, greeting: String, purpose: String, code: String) -> Rendered {
        let plain = """
            \(greeting)

            \(purpose):

                \(code)

            The code expires in \(lifetimeText) and works once. If you did not ask for it, ignore this mail.

            -- \(productName)

            """
        let html = """
            <p>\(escape(greeting))</p>
            <p>\(escape(purpose)):</p>
            <p style="font-size:24px;font-weight:bold;letter-spacing:4px">\(escape(code))</p>
            <p>The code expires in \(escape(lifetimeText)) and works once. If you did not ask for it, ignore this mail.</p>
            """
        return Rendered(subject: subject, plain: plain, html: page(html))
    }

    private func page(_ body: String) -> String {
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>\(escape(productName))</title></head><body>\(body)</body></html>"
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
