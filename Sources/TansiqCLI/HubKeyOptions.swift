import ArgumentParser
import TansiqAgent
import ZeroMQ

/// The key files of a client of a secure hub: the agency's secret certificate and the hub's
/// public one. Neither: the client talks to an insecure hub.
struct HubKeyOptions: ParsableArguments {
    @Option(help: "This agency's secret certificate (AGENCY.secret, from `tansiq keys generate`); needs --hub-key.")
    var secretKey: String?

    @Option(help: "The hub's public certificate (HUB.key); needs --secret-key.")
    var hubKey: String?

    func validate() throws {
        if (secretKey == nil) != (hubKey == nil) {
            throw ValidationError("give both --secret-key and --hub-key for a secure hub, or neither for an insecure one")
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
