import Foundation
import HTTPTypes
import Hummingbird
import TansiqAgent

/// What the desk knows of a request before it answers: the language, the session, the cookies to set.
struct Visit {
    var language: Language
    var session: DeskSession?
    var cookies: [String] = []
    var path: String

    static let sessionCookie = "tansiq_session"
    static let languageCookie = "tansiq_lang"
    static let loginCookie = "tansiq_login"
}

extension Desk {
    func visit(_ request: Request) -> Visit {
        var cookies: [String] = []
        var language: Language
        if let asked = request.uri.queryParameters.get("lang").flatMap(Language.init(rawValue:)) {
            language = asked
            cookies.append(cookie(Visit.languageCookie, asked.rawValue, maxAge: 365 * 86_400))
        } else if let saved = request.cookies[Visit.languageCookie].flatMap({ Language(rawValue: $0.value) }) {
            language = saved
        } else {
            language = Language.preferred(acceptLanguage: request.headers[.acceptLanguage]) ?? .en
        }
        let session = sessions.session(request.cookies[Visit.sessionCookie]?.value)
        return Visit(language: language, session: session, cookies: cookies, path: request.uri.path)
    }

    /// A cookie only this site's pages send back, never readable by scripts.
    func cookie(_ name: String, _ value: String, maxAge: Int? = nil) -> String {
        var text = "\(name)=\(value); Path=/; HttpOnly; SameSite=Strict"
        if let maxAge { text += "; Max-Age=\(maxAge)" }
        if configuration.secureCookies { text += "; Secure" }
        return text
    }

    func expiredCookie(_ name: String) -> String {
        cookie(name, "", maxAge: 0)
    }

    func html(_ status: HTTPResponse.Status = .ok, _ text: String, cookies: [String]) -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func redirect(_ location: String, cookies: [String]) -> Response {
        var headers: HTTPFields = [.location: location]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }

    func page(_ visit: Visit, title: String, flash: Flash? = nil, referralID: String? = nil) -> Page {
        let taken = visit.session.flatMap { sessions.takeFlash($0.token) }
        return Page(
            title: title, language: visit.language, session: visit.session, flash: flash ?? taken, configuration: configuration,
            eventSequence: events.sequence, referralID: referralID, path: visit.path)
    }

    func format(_ visit: Visit) -> DeskFormat {
        DeskFormat(language: visit.language, timeZone: configuration.timeZone, now: Date())
    }

    static func body(_ request: inout Request) async throws -> String {
        let buffer = try await request.collectBody(upTo: 64 * 1024)
        return String(buffer: buffer)
    }
}
