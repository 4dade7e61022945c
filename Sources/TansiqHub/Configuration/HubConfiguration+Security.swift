import Foundation
import ZeroMQ

extension HubConfiguration {
    /// The security settings of a configuration file or of command-line flags, before they are
    /// checked and turned into a ``HubSecurity``.
    public struct SecurityKeys: Sendable, Equatable {
        /// The hub's secret certificate file.
        public var secretKey: String?
        /// The directory of admitted agencies' public certificates.
        public var agencyKeys: String?
        /// The access policy file.
        public var policy: String?
        /// Messages a second per agency; 0 for no limit.
        public var rate: Double?
        /// Burst size per agency.
        public var burst: Int?

        /// Creates empty settings.
        public init(secretKey: String? = nil, agencyKeys: String? = nil, policy: String? = nil, rate: Double? = nil, burst: Int? = nil) {
            self.secretKey = secretKey
            self.agencyKeys = agencyKeys
            self.policy = policy
            self.rate = rate
            self.burst = burst
        }

        /// Applies the settings that are set over `configuration`. A secret key without an
        /// agency directory (or the reverse) is an error; so is a policy without a secret key.
        /// Relative paths in a file are relative to the file's directory.
        public func apply(to configuration: inout HubConfiguration, relativeTo file: String? = nil) throws {
            func resolve(_ path: String) -> String { HubConfiguration.path(path, relativeTo: file) }
            let origin = file.map { "\($0): " } ?? ""
            if let rate {
                let current = configuration.rateLimit ?? RateLimit()
                configuration.rateLimit = rate == 0 ? nil : RateLimit(messagesPerSecond: rate, burst: burst ?? current.burst)
            } else if let burst, var limit = configuration.rateLimit {
                limit.burst = burst
                configuration.rateLimit = limit
            }
            guard secretKey != nil || agencyKeys != nil || policy != nil else { return }
            guard let secretKey else {
                throw HubError(code: .invalidConfiguration, message: "\(origin)agency keys and a policy need the hub's secret key (secret_key, --secret-key)")
            }
            guard let agencyKeys else {
                throw HubError(code: .invalidConfiguration, message: "\(origin)a secure hub needs the directory of admitted agencies' keys (agency_keys, --agency-keys)")
            }
            let keys: CurveKeyPair
            do {
                keys = try CurveCertificate.load(contentsOf: resolve(secretKey)).keyPair()
            } catch let error as CurveCertificateError {
                throw HubError(code: .invalidConfiguration, message: "\(origin)\(error.message)")
            } catch {
                throw HubError(code: .invalidConfiguration, message: "\(origin)\(resolve(secretKey)): not a secret certificate (\(error))")
            }
            configuration.security = .curve(HubSecurity.Curve(
                hubKeys: keys,
                agencies: .directory(resolve(agencyKeys)),
                policy: policy.map { .file(resolve($0)) } ?? .leastPrivilege
            ))
        }
    }
}
