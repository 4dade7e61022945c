import Foundation
import TansiqAgent
import TansiqMessages

/// How an agent's desk is served and what it offers its workers.
public struct DeskConfiguration: Sendable {
    /// The agency the desk serves.
    public var agency: String
    /// `HOST:PORT` to listen on (port 0: the system chooses).
    public var listen: String
    /// Where the base URL is written once the desk listens (temp file and rename), if anywhere.
    public var urlFile: String?
    /// The agency's time zone: every date on the desk is shown in it.
    public var timeZone: TimeZone
    /// The services the agency offers (its service page and inbox); empty for a pure referrer.
    public var offers: [ServiceCategory: ProviderPolicy.Offer]
    /// Whether the agency writes referrals (its form and "my referrals").
    public var refers: Bool
    /// The agency's privacy rules, the hub's.
    public var privacy: PrivacyRules
    /// Whether the agency is the network's coordinator: its desk has the overview (`/overview`).
    public var coordinates: Bool
    /// How old a service status may be before the overview calls it stale (when it names no `validUntil`).
    public var staleServiceAge: TimeInterval = 24 * 3600
    /// Failed logins for one worker id before it is refused for ``loginLockout``.
    public var loginAttempts: Int = 5
    /// How long a worker id is refused after too many failed logins (and the window they count in).
    public var loginLockout: TimeInterval = 15 * 60
    /// How long a session lasts without use.
    public var sessionLifetime: TimeInterval = 8 * 3600
    /// bcrypt's cost for passwords hashed by the desk.
    public var bcryptCost: UInt8 = 12
    /// Adds `Secure` to the cookies (a desk behind a TLS reverse proxy).
    public var secureCookies = false
    /// The desk's clock for sessions and throttling (real time); referrals and service statuses
    /// take the agent's clock.
    public var now: @Sendable () -> Date = { Date() }

    public init(
        agency: String, listen: String, urlFile: String? = nil, timeZone: TimeZone = TimeZone(identifier: "Africa/Casablanca") ?? .gmt,
        offers: [ServiceCategory: ProviderPolicy.Offer] = [:], refers: Bool = false, privacy: PrivacyRules = .standard,
        coordinates: Bool = false
    ) {
        self.coordinates = coordinates
        self.agency = agency
        self.listen = listen
        self.urlFile = urlFile
        self.timeZone = timeZone
        self.offers = offers
        self.refers = refers
        self.privacy = privacy
    }

    /// Whether the agency receives referrals.
    var provides: Bool { !offers.isEmpty }

    /// Splits `HOST:PORT`, or says what is wrong.
    public static func parse(listen: String) throws(DeskError) -> (host: String, port: Int) {
        guard let colon = listen.lastIndex(of: ":"), colon != listen.startIndex,
              let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port)
        else {
            throw DeskError(.invalidConfiguration, "--desk-listen: expected HOST:PORT, e.g. 127.0.0.1:8080 (port 0 lets the system choose)")
        }
        return (String(listen[..<colon]), port)
    }
}
