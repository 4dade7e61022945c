import ArgumentParser
import Foundation
import TansiqAgent
import ZeroMQ

/// The hub a client talks to and the key files of a secure one: the agency's secret
/// certificate and the hub's public one. No keys: the client talks to an insecure hub.
/// ``HubProfile`` says where each setting comes from when a flag is not given.
struct HubKeyOptions: ParsableArguments {
    @Option(name: .customLong("hub"), help: "The hub: a host (endpoints tcp://HOST:5560 to 5563) or a context's name (`tansiq context list`). Default $TANSIQ_HUB, then the context of $TANSIQ_CONTEXT or `tansiq context select`, then 127.0.0.1.")
    var hubFlag: String?

    @Option(name: .customLong("secret-key"), help: "This agency's secret certificate (keys/AGENCY.secret, from `tansiq keys init`). Default $TANSIQ_SECRET_KEY, then the context's.")
    var secretKeyFlag: String?

    @Option(name: .customLong("hub-key"), help: "The hub's public certificate (keys/hub.key). Default $TANSIQ_HUB_KEY, then the context's.")
    var hubKeyFlag: String?

    @Flag(name: .customLong("insecure"), help: "The hub is insecure: use no keys, whatever $TANSIQ_SECRET_KEY, $TANSIQ_HUB_KEY or a context say.")
    var insecure = false

    /// Where the hub and the keys are; the defaults when the resolution failed (then
    /// `validate()` has already refused the command).
    var profile: HubProfile { (try? resolveProfile()) ?? .fallback }

    func resolveProfile() throws(HubContextError) -> HubProfile {
        var profile = try HubProfile.resolve(HubProfile.Flags(hub: hubFlag, secretKey: secretKeyFlag, hubKey: hubKeyFlag))
        if insecure {
            profile.secretKey = nil
            profile.hubKey = nil
        }
        return profile
    }

    var secretKey: String? { profile.secretKey?.value }
    var hubKey: String? { profile.hubKey?.value }

    func validate() throws {
        let profile: HubProfile
        if insecure, secretKeyFlag != nil || hubKeyFlag != nil { throw ValidationError("--insecure cannot be combined with --secret-key or --hub-key") }
        do { profile = try resolveProfile() } catch { throw ValidationError(error.description) }
        switch (profile.secretKey, profile.hubKey) {
        case (let secret?, nil):
            throw ValidationError("a secret key (\(secret.origin)) without the hub's public key: give --hub-key (or $TANSIQ_HUB_KEY, or a context's hub key) for a secure hub, or neither for an insecure one")
        case (nil, let hub?):
            throw ValidationError("the hub's public key (\(hub.origin)) without this agency's secret key: give --secret-key (or $TANSIQ_SECRET_KEY, or a context's secret key) for a secure hub, or neither for an insecure one")
        default: break
        }
    }

    /// The loaded keys, or `nil` when no key file is given.
    func load() throws -> HubClientKeys? {
        guard let secretKey, let hubKey else { return nil }
        do {
            return try HubClientKeys.load(secretKeyFile: secretKey, hubKeyFile: hubKey)
        } catch let error as CurveCertificateError {
            throw ValidationError(error.message)
        }
    }
}
