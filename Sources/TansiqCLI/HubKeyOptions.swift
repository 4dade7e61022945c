import ArgumentParser
import TansiqAgent
import ZeroMQ

/// The key files of a client of a secure hub: the agency's secret certificate and the hub's
/// public one. Neither: the client talks to an insecure hub.
struct HubKeyOptions: ParsableArguments {
    @Option(name: .customLong("secret-key"), help: "This agency's secret certificate (keys/AGENCY.secret, from `tansiq keys init`; default $TANSIQ_SECRET_KEY); needs --hub-key.")
    var secretKeyFlag: String?

    @Option(name: .customLong("hub-key"), help: "The hub's public certificate (keys/hub.key; default $TANSIQ_HUB_KEY); needs --secret-key.")
    var hubKeyFlag: String?

    /// The flag, or the environment's default.
    var secretKey: String? { secretKeyFlag ?? HubProfile.secretKey }
    var hubKey: String? { hubKeyFlag ?? HubProfile.hubKey }

    func validate() throws {
        if (secretKey == nil) != (hubKey == nil) {
            throw ValidationError("give both --secret-key and --hub-key (or $TANSIQ_SECRET_KEY and $TANSIQ_HUB_KEY) for a secure hub, or neither for an insecure one")
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
